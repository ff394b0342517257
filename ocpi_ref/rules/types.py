"""Rules of the field tables and the OCPI types (cardinality: OCPI 2.2.1 §2.8; types: §16, §17 in 2.3.0, §14 in 2.1.1)."""

from .model import Kind, Level, Party
from .registry import define

REQUIRED = define(
    id="field.required",
    title="Required fields are set",
    statement=(
        "A field of cardinality 1 is present and not null. An optional field (?) may be "
        "omitted or null; an empty string counts as set."
    ),
    sections={"2.1.1": "2.5", "2.2": "2.8", "2.2.1": "2.8", "2.3.0": "2.8"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

UNKNOWN = define(
    id="field.unknown",
    title="Unknown fields are kept",
    statement=(
        "A field the spec does not define is kept and passed on, and reported as information, "
        "never as a violation (OCPI 2.3.0 §4.1.8 forbids rejecting such payloads)."
    ),
    sections={"2.1.1": "3.1.3", "2.2": "4.1.4", "2.2.1": "4.1.4", "2.3.0": "4.1.8"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

JSON_TYPE = define(
    id="type.json",
    title="Each field has its JSON type",
    statement=(
        "Each field holds the JSON type its table gives: a string is a JSON string, a boolean "
        "is true or false, an int is a JSON integer, an object is a JSON object, a list is a "
        "JSON array. Nothing is coerced: 42 is not a string and \"yes\" is not a boolean."
    ),
    sections={"2.1.1": "14", "2.2": "16", "2.2.1": "16", "2.3.0": "17"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

ENUM = define(
    id="type.enum",
    title="Enum fields hold a listed value",
    statement=(
        "An enum field holds exactly one of the values its table lists, in the spelling "
        "listed (upper case). Enums are closed, except those 2.3.0 marks as OpenEnum "
        "(type.open-enum)."
    ),
    sections={"2.1.1": "14", "2.2": "16", "2.2.1": "16", "2.3.0": "17"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

CISTRING = define(
    id="type.cistring",
    title="CiString(n)",
    statement=(
        "A CiString holds printable ASCII only (0x20 to 0x7E), at most n characters. It is "
        "compared without regard to case, and no party changes its case."
    ),
    sections={"2.1.1": "14.1", "2.2": "16.1", "2.2.1": "16.1", "2.3.0": "17.4"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
    quote="Case Insensitive String. Only printable ASCII allowed.",
)

DATETIME = define(
    id="type.datetime",
    title="DateTime",
    statement=(
        "A DateTime is at most 25 characters of RFC 3339 in UTC: date, upper-case T, time, "
        "optional fraction of a second, then Z or nothing. Numeric offsets (+00:00 too), a space "
        "or a lower-case t or z, and dates that do not exist are not allowed."
    ),
    sections={"2.1.1": "14.2", "2.2": "16.2", "2.2.1": "16.2", "2.3.0": "17.5"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
    quote="All timestamps are formatted as string(25) following RFC 3339",
)

STRING = define(
    id="type.string",
    title="string(n)",
    statement=(
        "A string holds printable UTF-8 text, no control characters, at most n characters; "
        "it is case-sensitive. In OCPI 2.1.1 a string is printable ASCII only."
    ),
    sections={"2.1.1": "14.5", "2.2": "16.6", "2.2.1": "16.6", "2.3.0": "17.11"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

URL = define(
    id="type.url",
    title="URL",
    statement="A URL is an absolute URL (RFC 3986) of at most 255 characters.",
    sections={"2.1.1": "14.6", "2.2": "16.7", "2.2.1": "16.7", "2.3.0": "17.12"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

RANGE = define(
    id="type.range",
    title="Numbers within their range",
    statement=(
        "An int field is within the range its description implies: a timeout is not negative, "
        "a status_code has four digits."
    ),
    sections={"2.1.1": "14", "2.2": "16", "2.2.1": "16", "2.3.0": "17"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

OPEN_ENUM = define(
    id="type.open-enum",
    title="OpenEnum fields also take unlisted values",
    statement=(
        "In OCPI 2.3.0 TokenType and CommandType are OpenEnums: a field of such a type holds "
        "one of the listed values or any other JSON string. An unlisted value is kept as "
        "received and reported as information, so a reader sees it, never as an error; the "
        "same value is an error in a version where the enum is closed."
    ),
    sections={"2.3.0": "17.3"},
    level=Level.MAY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)
