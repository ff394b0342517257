"""Rules of the field tables and the OCPI types (cardinality: OCPI 2.2.1 §2.8; types: §16, §17 in 2.3.0, §14 in 2.1.1).

Where the types chapter is silent this reference reads it in a documented way (the book's
"Check your own payload" chapter lists each reading): a length counts characters (code points),
not bytes; an empty string is a value; "printable" is decided per Unicode general category
(:data:`ocpi_ref.types.PRINTABLE_CATEGORIES`).
"""

from .model import Kind, Level, Party, VersionText
from .registry import define

REQUIRED = define(
    id="field.required",
    title="Required fields are set",
    statement=(
        "A field of cardinality 1 is present and not null. An optional field (?) may be "
        "omitted or null. The spec sets no minimum length, so an empty string counts as set "
        "(field.empty-string warns about it)."
    ),
    sections={"2.1.1": "2.5", "2.2": "2.8", "2.2.1": "2.8", "2.3.0": "2.8"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

EMPTY_STRING = define(
    id="field.empty-string",
    title="An empty string is legal, and surely a mistake",
    statement=(
        "The types chapter gives string(n) and CiString(n) a maximum length and no minimum, so "
        "an empty string is a legal value, also in a required field, where it counts as set."
    ),
    choice=(
        "This reference reports every empty string in a field of an OCPI text type as a "
        "warning: no real identifier, issuer or location id is empty. The document conforms."
    ),
    sections={"2.1.1": "14.5", "2.2": "16.6", "2.2.1": "16.6", "2.3.0": "17.11"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

UNKNOWN = define(
    id="field.unknown",
    title="Unknown fields are kept",
    statement=(
        "OCPI 2.3.0 says a platform SHALL NOT reject a payload because it has JSON fields the "
        "specification does not document. Earlier versions say nothing about such fields; their "
        "field tables (here the StartSession's) list the fields there are."
    ),
    choice=(
        "In every version a field the spec does not define is kept, passed on and reported as "
        "information, never as a violation, whatever it holds."
    ),
    notes=(
        "The 2.3.0 sentence addresses the platform that receives a payload (the CPO for a "
        "command, the eMSP for a CommandResult), not the one that sends it.",
    ),
    sections={"2.1.1": "13.3.3", "2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "4.1.8"},
    level=Level.POLICY,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.PAYLOAD,
    per_version={
        "2.3.0": VersionText(
            level=Level.SHALL_NOT,
            quote="SHALL NOT reject request or response payloads",
            keyword="SHALL NOT",
        )
    },
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
    level=Level.DEFINED,
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
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

CISTRING = define(
    id="type.cistring",
    title="CiString(n)",
    statement=(
        "A CiString is a case-insensitive string of printable ASCII only (0x20 to 0x7E), at "
        "most n characters. Case-insensitive means two values that differ only in case are "
        "the same value: an echo that changes only the case still names the same thing."
    ),
    choice=(
        "The spec does not say whether a party may change the case of a CiString it passes "
        "on. This reference recommends that none does, and keeps every value exactly as "
        "received: a receiver that compares exactly (a string compare, a case-sensitive "
        "database key) would take a re-cased echo for another value."
    ),
    sections={"2.1.1": "14.1", "2.2": "16.1", "2.2.1": "16.1", "2.3.0": "17.4"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
    quote="Case Insensitive String. Only printable ASCII allowed.",
)

DATETIME = define(
    id="type.datetime",
    title="DateTime",
    statement=(
        "A DateTime is at most 25 characters of RFC 3339 in UTC, in the forms the spec's "
        "examples show: date, upper-case T, time, optional fraction of a second, then Z or "
        "nothing; other forms are not allowed. So numeric offsets (+00:00 too), a space, a "
        "lower-case t or z, and dates and times that do not exist are errors. RFC 3339 allows "
        "second 60 at a leap second, and the year 0000."
    ),
    choice=(
        "This reference accepts second 60 only as 23:59:60 on 30 June or 31 December, where "
        "UTC puts its leap seconds (it cannot know which years get one), and accepts the year "
        "0000 (a leap year) with a warning, since no real timestamp has it."
    ),
    notes=(
        "The types chapter states the format without a keyword ('are formatted as'); the "
        "example list adds 'other formats/patterns are not allowed'.",
    ),
    sections={"2.1.1": "14.2", "2.2": "16.2", "2.2.1": "16.2", "2.3.0": "17.5"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
    quote="All timestamps are formatted as string(25) following RFC 3339",
    per_version={
        "2.1.1": VersionText(
            statement=(
                "A DateTime is at most 25 characters of the ISO 8601 combined date and time "
                "format, in UTC: no designator or Z, never an offset (+00:00 is not UTC). "
                "2.1.1 does not name RFC 3339 and does not forbid other forms."
            ),
            quote="using the combined date and time format from the ISO 8601 standard",
            choice=(
                "This reference reads it as ISO 8601's extended format with seconds, as every "
                "2.1.1 example is written: YYYY-MM-DDThh:mm:ss, an optional fraction after a "
                "full stop or a comma (ISO 8601 allows both), then Z or nothing. The basic "
                "format (20150629T203909Z) and times without seconds are ISO 8601 too, but "
                "are refused: no 2.1.1 implementation is known to read them. Leap second "
                "and year 0000 as in later versions."
            ),
        )
    },
)

STRING = define(
    id="type.string",
    title="string(n)",
    statement=(
        "A string holds printable UTF-8 text, at most n characters; it is case-sensitive. "
        "Non-printable characters such as carriage returns, tabs and line breaks are not "
        "allowed. In OCPI 2.1.1 a string is printable ASCII only."
    ),
    choice=(
        "The spec does not define printable. This reference allows the Unicode general "
        "categories of visible text (letters, marks, numbers, punctuation, symbols and space "
        "separators) and the two joiners U+200C and U+200D, and refuses the rest: controls "
        "(Cc), format characters (Cf, such as U+200B or bidirectional marks), private use "
        "(Co), unassigned code points (Cn), and the line and paragraph separators U+2028 and "
        "U+2029 (Zl, Zp), which are line breaks. n counts characters (code points), not bytes."
    ),
    sections={"2.1.1": "14.5", "2.2": "16.6", "2.2.1": "16.6", "2.3.0": "17.11"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
    quote="Only printable UTF-8 allowed.",
    per_version={"2.1.1": VersionText(quote="Only printable ASCII allowed.", choice="")},
)

URL = define(
    id="type.url",
    title="URL",
    statement=(
        "A URL is a string(255) following the w3.org URI specification the spec links to, "
        "whose standard today is RFC 3986: a scheme, then only the parts its grammar allows, "
        "with % only before two hex digits, at most one #, and [ ] only around an IP-literal "
        "host."
    ),
    choice=(
        "This reference checks the whole RFC 3986 URI grammar, and takes 'URL' to mean a URI "
        "with an authority and a non-empty host (scheme://host...), since a URL is where a "
        "party sends requests. The text is kept exactly as received, never normalised."
    ),
    sections={"2.1.1": "14.6", "2.2": "16.7", "2.2.1": "16.7", "2.3.0": "17.12"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

LANGUAGE = define(
    id="type.language",
    title="Language codes are ISO 639-1",
    statement=(
        "A language field (Token.language, DisplayText.language) is a string(2) holding an "
        "ISO 639-1 language code. A string is case-sensitive, and ISO 639-1 writes its codes "
        "in lower case."
    ),
    choice=(
        "This reference checks the code against the ISO 639-1 list that the pycountry "
        "library ships, case-sensitively, and reports any other value as an error: it is not "
        "a value of the field (\"EN\" is not a code, \"en\" is)."
    ),
    sections={"2.1.1": "14.3", "2.2": "16.3", "2.2.1": "16.3", "2.3.0": "17.6"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
    quote="Language Code ISO 639-1",
)

COUNTRY_CODE = define(
    id="type.country-code",
    title="Country codes are ISO 3166-1 alpha-2",
    statement=(
        "A Token's and a CdrToken's country_code is a CiString(2) holding the ISO 3166-1 "
        "alpha-2 code of the country of the eMSP that owns the Token; being a CiString it is "
        "compared without regard to case."
    ),
    choice=(
        "This reference checks the code against the ISO 3166-1 list that the pycountry "
        "library ships, ignoring case, and reports any other value (a one-letter code, XX) as "
        "an error: it is not a value of the field."
    ),
    sections={"2.2": "12.3.2", "2.2.1": "12.3.2", "2.3.0": "12.3.2"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
    quote="ISO-3166 alpha-2 country code of the MSP",
)

RANGE = define(
    id="type.range",
    title="Numbers within their range",
    statement=(
        "An int field is within the range its description implies: a timeout is not negative; "
        "a status_code has four digits (1000 to 9999), in OCPI 2.1.1 at least four (1000 or "
        "more)."
    ),
    sections={"2.1.1": "14", "2.2": "16", "2.2.1": "16", "2.3.0": "17"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

OPEN_ENUM = define(
    id="type.open-enum",
    title="OpenEnum fields also take unlisted values",
    statement=(
        "In OCPI 2.3.0 TokenType and CommandType are OpenEnums: a field of such a type holds "
        "one of the listed values or any other JSON string. The same value is an error in a "
        "version where the enum is closed."
    ),
    choice=(
        "An unlisted value is kept as received and reported as information, so a reader sees "
        "it; a listed value in the wrong case is a warning."
    ),
    sections={"2.3.0": "17.3"},
    level=Level.DEFINED,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)
