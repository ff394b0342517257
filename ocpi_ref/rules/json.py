"""Rules about the JSON document itself, before any OCPI field is looked at.

The HTTP 400 for a body that is not JSON is in the status codes chapter (OCPI 2.2.1 §5, "MUST";
OCPI 2.1.1 chapter 4, without a keyword). Duplicate member names and the size, depth and digit
limits are not in the spec at all: RFC 8259 §4 only says names SHOULD be unique, and OCPI sends
any valid JSON on to the OCPI layer, so what this reference does about them is its own policy.
"""

from .model import Kind, Level, Party, VersionText
from .registry import define

SYNTAX = define(
    id="json.syntax",
    title="The body is JSON",
    statement=(
        "A message that is not valid JSON is answered with HTTP 400. This reference reads "
        "valid JSON as RFC 8259 defines it, in UTF-8: invalid UTF-8, lone surrogates, NaN and "
        "Infinity make a body not JSON. A leading byte order mark, which RFC 8259 §8.1 forbids "
        "a sender to add but lets a receiver ignore, is ignored with a warning."
    ),
    notes=(
        "The MUST addresses the receiver, which returns the 400 (the CPO for a command, the "
        "eMSP for a CommandResult); that a message is JSON at all is the transport chapter's "
        "definition, which a sender's document is checked against.",
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.MUST,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.PAYLOAD,
    quote="the HTTP error 400 - Bad request MUST be returned",
    keyword="MUST",
    per_version={
        "2.1.1": VersionText(
            level=Level.DEFINED,
            quote="the HTTP error 400 - Bad request is returned",
            keyword="",
        )
    },
)

DUPLICATE_KEY = define(
    id="json.duplicate-key",
    title="Duplicate member names: conforming, with a warning",
    statement=(
        "The spec says nothing about member names that appear twice, and RFC 8259 §4 only says "
        "names SHOULD be unique; OCPI passes every valid JSON text on to the OCPI layer "
        "(OCPI 2.2.1 §5)."
    ),
    choice=(
        "A document that names a member twice conforms, with a warning at the member's pointer: "
        "parsers disagree on which value wins (this reference reads the last one), so two "
        "parties could read different StartSessions from the same bytes."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

LIMITS = define(
    id="json.limits",
    title="This reference's size, depth and digit limits",
    statement=(
        "The spec sets no limit on the size of a body, the nesting of its JSON or the length "
        "of its numbers; a document beyond such a limit can still conform."
    ),
    choice=(
        "To protect itself, this reference refuses documents larger than its size limit "
        "(64 KiB by default), values nested deeper than its depth limit (64 levels) and integers "
        "longer than 1000 digits. A refusal is its own verdict, never a spec error: "
        "Report.conforms still answers for the spec and the rest of the document is still "
        "checked (a value too deep is cut off, a long number kept as digits); only a document "
        "too large or too deep to read at all leaves conformance unknown. Report.accepted is "
        "false, and the reference CPO refuses such a request. A real StartSession is a few "
        "hundred bytes and four levels deep."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)
