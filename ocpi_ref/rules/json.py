"""Rules about the JSON document itself, before any OCPI field is looked at."""

from .model import Kind, Level, Party
from .registry import define

SYNTAX = define(
    id="json.syntax",
    title="The body is JSON",
    statement=(
        "A request body is one JSON text in UTF-8 (RFC 8259). Invalid UTF-8, lone surrogates, "
        "NaN and Infinity and anything else RFC 8259 does not allow make it not JSON; a receiver "
        "answers such a body with HTTP 400."
    ),
    sections={"2.1.1": "3.1", "2.2": "4.1", "2.2.1": "4.1", "2.3.0": "4.1"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

DUPLICATE_KEY = define(
    id="json.duplicate-key",
    title="No duplicate member names",
    statement=(
        "An object names each member once. RFC 8259 §4 only says names SHOULD be unique, but "
        "parsers disagree on which duplicate wins, so two parties could read different "
        "StartSessions from the same bytes; this reference reports it as an error."
    ),
    sections={"2.1.1": "3.1", "2.2": "4.1", "2.2.1": "4.1", "2.3.0": "4.1"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

LIMITS = define(
    id="json.limits",
    title="Size and depth limits",
    statement=(
        "This reference refuses documents larger than its size limit or nested deeper than "
        "its depth limit, to protect a receiver from hostile input. A real StartSession is a "
        "few hundred bytes and four levels deep."
    ),
    sections={"2.1.1": "3.1", "2.2": "4.1", "2.2.1": "4.1", "2.3.0": "4.1"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)
