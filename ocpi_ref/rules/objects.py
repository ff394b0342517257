"""Rules about the other objects of the StartSession exchange (OCPI 2.2.1 §4.1.7, §6, §13.2.1).

The checkers of :mod:`ocpi_ref.objects` and the conformance suite of
:mod:`ocpi_ref.conformance` report under these ids what the field tables alone cannot say:
which shape ``data`` takes in each answer, that a CPO taking commands advertises its commands
endpoint, and that a receiver answers valid JSON that breaks the object at OCPI level, not with
an HTTP error. Field-level findings keep their ``type.*`` and ``field.*`` ids.

Versions module sections: chapter 6 in 2.2, 2.2.1 and 2.3.0 (6.1 version information, 6.2
version details, 6.2.2 the Endpoint class); chapter 5 in the 2.1.1 document, which orders its
chapters the same way after Transport (3) and Status codes (4).
"""

from .model import Basis, Kind, Level, Party, VersionText
from .registry import define

ENVELOPE_DATA = define(
    id="object.envelope-data",
    title="data holds what the endpoint defines",
    statement=(
        "The data member of a response envelope has the type and cardinality the endpoint's "
        "Response Data table gives: one CommandResponse object for a command POST (not a list "
        "of one), a non-empty list of Version objects for the version list, one version "
        "details object for a version. When status_code is not a 1xxx success code, data may "
        "be absent or null."
    ),
    sections={"2.1.1": "3.1.5", "2.2": "4.1.6", "2.2.1": "4.1.7", "2.3.0": "4.1.7"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.CONTEXT,
    notes=(
        "Command POST response data: 2.1.1 §13.2.1, 2.2 and later §13.2.1; version list "
        "§6.1.1 (2.1.1 §5.1.1); version details §6.2.1 (2.1.1 §5.2.1).",
        "OCPI 2.1.1 and 2.2 draw the version list's Data table as an object with a 'versions' "
        "list, while their examples and 2.2.1 on send the bare list: in those versions both "
        "shapes conform (a reading of a self-contradicting text; the table shape is reported "
        "as information).",
        "The shape is each endpoint's Response Data table (a definition). The status codes "
        "chapter's sentence about it says data 'SHOULD contain the information as specified' "
        "(2.1.1: 'should'), not SHALL.",
    ),
)

COMMANDS_ENDPOINT = define(
    id="object.commands-endpoint",
    title="A CPO that takes commands advertises its commands endpoint",
    statement=(
        "The version details list every module a party implements in that version, with its "
        "URL. A CPO that accepts StartSession lists the module identifier commands there; "
        "from 2.2 on each endpoint also names its interface role, and the CPO's commands "
        "endpoint is the RECEIVER one. No sentence requires a party to implement the Commands "
        "module, and the spec's own version details example lists two modules."
    ),
    choice=(
        "Without a commands endpoint an eMSP that discovers endpoints, as OCPI intends, cannot "
        "send a command at all: this reference warns when version details list none (or list "
        "it only as SENDER). A warning only: the document conforms."
    ),
    sections={"2.1.1": "5.2.2", "2.2": "6.2.2", "2.2.1": "6.2.2", "2.3.0": "6.2.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.CONTEXT,
)

INVALID_OBJECT_2001 = define(
    id="object.invalid-object-2001",
    title="Valid JSON that breaks the object: HTTP 200 and status 2001",
    statement=(
        "A request whose body is syntactically valid JSON, sent to an existing resource, gets "
        "no HTTP error, whatever the JSON holds: the answer comes at OCPI level, in an "
        "envelope with a 2xxx status_code when fields are missing or of the wrong type (2001 "
        "is 'invalid or missing parameters'). A framework's default HTTP 422 with its own "
        "error body is not an OCPI answer."
    ),
    choice="This reference answers such a request with HTTP 200 and status 2001.",
    notes=(
        "Only OCPI 2.3.0 edition 2 adds the condition that the sender is successfully "
        "authenticated and authorized; 2.2, 2.2.1 and the 2.3.0 text here do not have it.",
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.MUST_NOT,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.BEHAVIOUR,
    quote="a HTTP error MUST NOT be returned",
    keyword="MUST NOT",
    per_version={
        "2.1.1": VersionText(
            level=Level.PLAIN, quote="no HTTP error should be returned", keyword="should"
        )
    },
)

STATUS_CODE_LISTED = define(
    id="object.status-code-listed",
    title="status_code is a code the version lists",
    statement=(
        "The status codes chapter lists the codes there are: 1000; 2000 to 2004; 3000 to 3003; "
        "the hub codes 4000 to 4003 (4000 from 2.2.1 on, 4xxx from 2.2 on); and from 2.2 on the "
        "reserved custom ranges 1900-1999, 2900-2999, 3900-3999 and 4900-4999. A four-digit "
        "code outside them is no OCPI status code."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.DEFINED,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.PAYLOAD,
    quote="OCPI status code, as listed in Status Codes",
    per_version={
        "2.1.1": VersionText(
            quote="Response code, as listed in Status Codes",
            statement=(
                "OCPI 2.1.1 lists 1000, 2000 to 2003 and 3000 to 3003, reserves no custom ranges, "
                "and describes status_code as 'at least four digits'."
            ),
            basis=Basis.READING,
            choice=(
                "A reading: 2.1.1's lists may not be meant as closed (the field allows more than "
                "four digits and no range is reserved), so an unlisted code is a warning there."
            ),
        )
    },
)

STATUS_CODE_CUSTOM = define(
    id="object.status-code-custom",
    title="A custom status code: conforming, with a warning",
    statement=(
        "From 2.2 on each class reserves a range for custom status codes, and the chapter says "
        "custom codes are not used by the standard modules as the document describes them."
    ),
    choice=(
        "A reading: the sentence tells what the standard modules define (no code in those "
        "ranges), not that a party may never send one; a reader of a standard module cannot "
        "know what a custom code means, so this reference warns and the document conforms."
    ),
    sections={"2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.SHALL_NOT,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.PAYLOAD,
    quote="Custom status code range values SHALL NOT be used by standard OCPI module as described in this document!",
    keyword="SHALL NOT",
    basis=Basis.READING,
)

DISPLAY_TEXT_NO_MARKUP = define(
    id="object.display-text-no-markup",
    title="DisplayText holds no markup",
    statement=(
        "A DisplayText's text is shown to an end user as it is: the types chapter allows no "
        "markup or HTML in it."
    ),
    choice=(
        "What counts as markup is this reference's reading: an HTML or XML tag (<b>, </p>, "
        "<br/>, <!-- -->, <?xml ?>) or a character reference (&amp;, &#233;, &#xE9;) is an "
        "error. Lightweight markup such as Markdown is not detected: its marks (*, _, #) are "
        "ordinary characters of a text."
    ),
    sections={"2.1.1": "14.3", "2.2": "16.3", "2.2.1": "16.3", "2.3.0": "17.6"},
    level=Level.DEFINED,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.PAYLOAD,
    quote="No markup, html etc. allowed.",
)

VERSION_NUMBER = define(
    id="object.version-number",
    title="A version number is one the version lists",
    statement=(
        "A Version's and a version details' version is a VersionNumber: in 2.2 and 2.2.1 a "
        "closed enum of the versions known then (2.0, 2.1, 2.1.1, 2.2, and 2.2.1 in 2.2.1); in "
        "2.3.0 an OpenEnum, so another value is allowed."
    ),
    choice=(
        "A published OCPI version newer than the one checked (2.3.0 in a 2.2.1 version list) is "
        "no finding: the version list is one document for every version a party serves, and the "
        "enum lists the versions known when each was written. In 2.3.0 an unlisted value is "
        "information. In 2.1.1 the changelog makes the version a VersionNumber enum (2.0, 2.1, "
        "2.1.1), but its table is not among the sources read here: an unlisted value is a "
        "warning there."
    ),
    sections={"2.1.1": "5.2.4", "2.2": "6.2.5", "2.2.1": "6.2.5", "2.3.0": "6.2.5"},
    level=Level.DEFINED,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.PAYLOAD,
    per_version={"2.1.1": VersionText(basis=Basis.READING)},
)
