"""OCPI primitive types (OCPI 2.2.1 §16) as pydantic annotated types.

Each factory (:func:`cistring`, :func:`string`, :data:`URL`, :data:`DateTimeField`) returns an
``Annotated[str, ...]`` that pydantic checks entirely in Rust (JSON type, length, character
class, date validity by pattern), so validation costs little more than parsing. Each carries
an :class:`OcpiType` marker, so the checker can name the OCPI type and the rule a failing value
breaks. Nothing here changes a value: model fields hold the text exactly as received.

Comparison is where case matters: identifiers are compared as :class:`CiString` (ownership,
Location/EVSE lookups, Token stores), which ignores case and keeps it. :class:`DateTime`
turns a DateTime text into an aware :class:`datetime` when a caller needs one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

__all__ = [
    "CiString",
    "DateTime",
    "OcpiType",
    "URL",
    "DateTimeField",
    "DateTimeField211",
    "OpenEnum",
    "ascii_string",
    "cistring",
    "country_code",
    "language_code",
    "open_enum",
    "string",
    "COUNTRY_CODES",
    "LANGUAGE_CODES",
    "PRINTABLE_ASCII",
    "PRINTABLE_CATEGORIES",
    "PRINTABLE_TEXT",
    "URL_PATTERN",
    "DATETIME_PATTERN",
    "DATETIME_211_PATTERN",
    "DATETIME_SHAPE",
    "FAST_PATH_PATTERNS",
    "is_printable",
]

#: CiString: printable ASCII only, 0x20-0x7E (OCPI 2.2.1 §16.1).
PRINTABLE_ASCII = r"^[\x20-\x7E]*$"

#: What "printable" means for a 2.2+ ``string`` (OCPI 2.2.1 §16.6 does not define it), per
#: Unicode general category: True for the categories of visible text, False for the rest.
PRINTABLE_CATEGORIES: dict[str, tuple[bool, str]] = {
    "L": (True, "letters (Lu, Ll, Lt, Lm, Lo)"),
    "M": (True, "combining marks (Mn, Mc, Me), such as accents and variation selectors"),
    "N": (True, "numbers (Nd, Nl, No)"),
    "P": (True, "punctuation (Pc, Pd, Ps, Pe, Pi, Pf, Po)"),
    "S": (True, "symbols (Sm, Sc, Sk, So), emoji included"),
    "Zs": (True, "space separators: U+0020 and the other spaces, such as U+00A0"),
    "Zl": (False, "U+2028 LINE SEPARATOR: a line break"),
    "Zp": (False, "U+2029 PARAGRAPH SEPARATOR: a line break"),
    "Cc": (False, "controls: C0, DEL and C1, so tab, CR, LF and U+0085 NEXT LINE"),
    "Cf": (False, "format characters (U+200B, U+FEFF, bidirectional marks and isolates), "
                  "except U+200C and U+200D, the joiners that some scripts and emoji need"),
    "Co": (False, "private use: no glyph outside a private agreement"),
    "Cs": (False, "surrogates: not characters at all (JSON reports them as not Unicode)"),
    "Cn": (False, "unassigned code points and noncharacters, by the Unicode tables of the "
                  "checker's regex engine"),
}
#: The joiners (Cf) a string may hold: ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER.
_JOINERS = "\u200c\u200d"
#: A 2.2+ ``string``: only the printable categories above, as one pattern run in Rust.
PRINTABLE_TEXT = r"^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}\x{200C}\x{200D}]*$"
#: What the JSON Schema can say portably (ECMA-262 and Python ``re`` alike): no control and no
#: line or paragraph separator. The schema's description names the full table.
_PRINTABLE_SCHEMA = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"


def is_printable(ch: str) -> bool:
    """Whether *ch* is printable in a 2.2+ string (:data:`PRINTABLE_CATEGORIES`), by Python's
    Unicode tables (used to word messages; the model's check is the pattern ``PRINTABLE_TEXT``)."""
    category = unicodedata.category(ch)
    return ch in _JOINERS or category == "Zs" or category[0] in "LMNPS"


# RFC 3986 Appendix A, transcribed rule by rule (each name is the ABNF rule's). Matching is
# ASCII only: a URI has no other characters, and case does not matter where ABNF says so.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SCHEME = r"[A-Za-z][A-Za-z0-9+\-.]*"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_DEC_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
_IPV4 = rf"{_DEC_OCTET}\.{_DEC_OCTET}\.{_DEC_OCTET}\.{_DEC_OCTET}"
_H16 = r"[0-9A-Fa-f]{1,4}"
_LS32 = rf"(?:{_H16}:{_H16}|{_IPV4})"
_IPV6 = (
    "(?:"
    rf"(?:{_H16}:){{6}}{_LS32}"
    rf"|::(?:{_H16}:){{5}}{_LS32}"
    rf"|(?:{_H16})?::(?:{_H16}:){{4}}{_LS32}"
    rf"|(?:(?:{_H16}:){{0,1}}{_H16})?::(?:{_H16}:){{3}}{_LS32}"
    rf"|(?:(?:{_H16}:){{0,2}}{_H16})?::(?:{_H16}:){{2}}{_LS32}"
    rf"|(?:(?:{_H16}:){{0,3}}{_H16})?::{_H16}:{_LS32}"
    rf"|(?:(?:{_H16}:){{0,4}}{_H16})?::{_LS32}"
    rf"|(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}"
    rf"|(?:(?:{_H16}:){{0,6}}{_H16})?::"
    ")"
)
_IPVFUTURE = rf"[vV][0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+"
_IP_LITERAL = rf"\[(?:{_IPV6}|{_IPVFUTURE})\]"
#: reg-name, but not empty: a URL names the host to send to (IPv4address is a reg-name too).
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})+"
_AUTHORITY = rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
_PATH_ABEMPTY = rf"(?:/{_PCHAR}*)*"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
#: ``URL``: an RFC 3986 URI (§3) whose hier-part is ``//`` authority path-abempty, with a
#: non-empty host; then optional query and fragment. Python ``re`` and Rust regex alike.
URL_PATTERN = rf"^{_SCHEME}://{_AUTHORITY}{_PATH_ABEMPTY}(?:\?{_QUERY})?(?:#{_QUERY})?$"

#: The RFC 3339 subset OCPI 2.2.1 §16.2 allows: UTC with ``Z`` or no designator, optional
#: fraction, upper-case ``T`` and ``Z`` only, never a numeric offset.
#: The shape alone: digits and separators where RFC 3339 puts them (for messages).
DATETIME_SHAPE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?$"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d"


def _datetime_pattern(fraction: str, *, year_0000: bool = True) -> str:
    year = r"\d{4}" if year_0000 else r"(?:[1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])"
    # Leap years of the proleptic Gregorian calendar (RFC 3339 Appendix C): 0000 is one.
    leap = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[048]|[2468][048]|[13579][26])00)"
    if not year_0000:  # the same, without 0000
        leap = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
    date = (
        rf"(?:{year}-(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
        rf"|{year}-(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
        rf"|{year}-02-(?:0[1-9]|1\d|2[0-8])"
        rf"|{leap}-02-29)"
    )
    # A leap second: RFC 3339 allows second 60 there; UTC puts them at the end of June or December.
    leap_second = rf"{year}-(?:06-30|12-31)T23:59:60"
    return rf"^(?:{date}T{_TIME}|{leap_second})(?:{fraction}\d+)?Z?$"


#: A DateTime whose date and time exist (leap years, and leap seconds at 23:59:60 on 30 June
#: or 31 December; no hour 24); a pattern, so the check runs in Rust with no Python call.
DATETIME_PATTERN = _datetime_pattern(r"\.")
#: OCPI 2.1.1: the same, ISO 8601 extended format, whose fraction may follow a comma too.
DATETIME_211_PATTERN = _datetime_pattern(r"[.,]")
#: The checker's fast path runs stricter twins of the patterns: one that also refuses what the
#: full path only warns about (the year 0000), so a payload it accepts needs no warning.
FAST_PATH_PATTERNS = {
    DATETIME_PATTERN: _datetime_pattern(r"\.", year_0000=False),
    DATETIME_211_PATTERN: _datetime_pattern(r"[.,]", year_0000=False),
}


def _code_lists() -> tuple[tuple[str, ...], tuple[str, ...]]:
    import pycountry  # the ISO tables ship inside its wheel; nothing is fetched

    countries = tuple(sorted(c.alpha_2 for c in pycountry.countries))
    languages = tuple(sorted(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")))
    return countries, languages


#: ISO 3166-1 alpha-2 country codes and ISO 639-1 language codes (from ``pycountry``).
COUNTRY_CODES, LANGUAGE_CODES = _code_lists()


@dataclass(frozen=True)
class OcpiType:
    """What OCPI type a field has, and which rule id a bad value of it breaks.

    Attached to every annotated type below; :mod:`ocpi_ref.checker` reads it to turn a
    pydantic error into a finding such as ``type.cistring`` at ``/token/uid``.
    """

    name: str
    max_length: int | None
    rule: str
    ascii_only: bool = False
    """Whether only printable ASCII is allowed (every CiString, and a 2.1.1 ``string``)."""
    code_list: str | None = None
    """The standard list the value must be on (``ISO 3166-1 alpha-2``), if any."""
    list_rule: str | None = None
    """The rule a well-formed value that is not on :attr:`code_list` breaks."""

    @property
    def label(self) -> str:
        """The type as the spec writes it, e.g. ``CiString(36)``."""
        return f"{self.name}({self.max_length})" if self.name in ("CiString", "string") and self.max_length else self.name


class CiString(str):
    """A case-insensitive string value that keeps its case.

    OCPI compares CiStrings without regard to case (OCPI 2.2.1 §16.1) but nothing in the spec
    allows a party to change one: lower-casing identifiers on the way in is a known
    interoperability bug. So the text stays exactly as received; only ``==`` and ``hash``
    ignore case (they agree, so CiStrings work as dict keys and in sets). Wrap a model's
    field to compare it: ``CiString(token.party_id) == "tnm"``.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.lower() == other.lower()
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.lower() != other.lower()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.lower())

    def __repr__(self) -> str:
        return f"CiString({str.__repr__(self)})"


class DateTime(str):
    """An OCPI DateTime text, with :meth:`to_datetime` to read it.

    Models keep DateTime fields as the exact text received: pydantic's datetime would re-emit
    six fraction digits and an offset, which breaks string(25) and the round-trip.
    ``DateTime(token.last_updated).to_datetime()`` gives the instant.
    """

    __slots__ = ()

    def to_datetime(self) -> datetime:
        """The instant as an aware UTC :class:`datetime` (no designator means UTC).

        A 2.1.1 fraction after a comma reads as after a full stop. A leap second (23:59:60)
        reads as the next day's 00:00:00, as POSIX time counts it: :class:`datetime` has no
        second 60. The year 0000 raises ``ValueError``: :class:`datetime` starts at year 1.
        """
        text = (self[:-1] if self.endswith("Z") else self).replace(",", ".")
        if text[17:19] == "60":
            start = datetime.fromisoformat(text[:17] + "59" + text[19:])
            return (start + timedelta(seconds=1)).replace(tzinfo=timezone.utc)
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)

    def __repr__(self) -> str:
        return f"DateTime({str.__repr__(self)})"

    @classmethod
    def from_datetime(cls, value: datetime) -> DateTime:
        """Format an aware or naive-UTC datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds)."""
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return cls(value.strftime("%Y-%m-%dT%H:%M:%SZ"))


class _Text:
    """Core-schema builder shared by the string-like OCPI types."""

    def __init__(self, marker: OcpiType, pattern: str, schema_pattern: str | None = None) -> None:
        self.marker = marker
        self.pattern = pattern
        self.schema_pattern = schema_pattern

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.str_schema(
            max_length=self.marker.max_length, pattern=self.pattern, strict=True
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        out = handler(schema)
        out["description"] = f"OCPI {self.marker.label}"
        if self.marker.code_list:
            out["description"] += f", an {self.marker.code_list} code"
        if self.schema_pattern is not None:
            out["pattern"] = self.schema_pattern
            out["description"] += (
                ", printable: Unicode categories L, M, N, P, S and Zs, and U+200C and U+200D"
            )
        return out


def cistring(n: int) -> Any:
    """``CiString(n)``: printable ASCII, at most *n* characters, case kept (OCPI 2.2.1 §16.1)."""
    marker = OcpiType("CiString", n, "type.cistring", ascii_only=True)
    return Annotated[str, _Text(marker, PRINTABLE_ASCII), marker]


def string(n: int | None = None) -> Any:
    """``string(n)``: printable UTF-8 text, at most *n* characters (OCPI 2.2.1 §16.6).

    Printable is decided per Unicode general category (:data:`~ocpi_ref.types.PRINTABLE_CATEGORIES`); *n*
    counts characters (code points), not bytes.
    """
    marker = OcpiType("string", n, "type.string")
    return Annotated[str, _Text(marker, PRINTABLE_TEXT, _PRINTABLE_SCHEMA), marker]


def _alternatives(codes: tuple[str, ...], *, any_case: bool = False) -> str:
    """``AD|AE|...``, or ``[Aa][Dd]|...`` for any case: portable to every regex dialect."""
    if any_case:
        codes = tuple("".join(f"[{c.upper()}{c.lower()}]" for c in code) for code in codes)
    return "|".join(codes)


def language_code(*, ascii_only: bool = False) -> Any:
    """A language field, ``string(2)`` holding an ISO 639-1 code (OCPI 2.2.1 §16.3, §12.3.2).

    Checked against ``LANGUAGE_CODES`` case-sensitively (a string is case-sensitive and
    ISO 639-1 codes are lower case), in the same Rust pattern as the string type itself.
    *ascii_only* for OCPI 2.1.1, whose ``string`` is ASCII (every code is).
    """
    marker = OcpiType(
        "string", 2, "type.string", ascii_only=ascii_only, code_list="ISO 639-1", list_rule="type.language"
    )
    return Annotated[str, _Text(marker, rf"^(?:{_alternatives(LANGUAGE_CODES)})$"), marker]


def country_code() -> Any:
    """A Token's ``country_code``: ``CiString(2)`` holding an ISO 3166-1 alpha-2 code, any case."""
    marker = OcpiType(
        "CiString", 2, "type.cistring", ascii_only=True, code_list="ISO 3166-1 alpha-2",
        list_rule="type.country-code",
    )
    return Annotated[str, _Text(marker, rf"^(?:{_alternatives(COUNTRY_CODES, any_case=True)})$"), marker]


def ascii_string(n: int | None = None) -> Any:
    """OCPI 2.1.1 ``string(n)``: printable ASCII only, at most *n* characters (OCPI 2.1.1 §14.5).

    2.2 widened ``string`` to printable UTF-8; a 2.1.1 receiver may not understand anything
    beyond ASCII, so the 2.1.1 models use this type.
    """
    marker = OcpiType("string", n, "type.string", ascii_only=True)
    return Annotated[str, _Text(marker, PRINTABLE_ASCII), marker]


class OpenEnum:
    """Marks an OpenEnum field (OCPI 2.3.0 §17.3): listed values, and any other text kept.

    A listed value validates to the enum member; any other JSON string is kept as the text
    received (the checker reports it as information, rule ``type.open-enum``). Anything
    that is not a string is still an error.
    """

    def __init__(self, enum: type[Enum]) -> None:
        self.enum = enum

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [handler.generate_schema(self.enum), core_schema.str_schema(strict=True)],
            mode="left_to_right",
            custom_error_type="string_type",
        )


def open_enum(enum: type[Enum]) -> Any:
    """The annotated type of an OpenEnum field whose listed values are *enum*'s."""
    return Annotated[enum | str, OpenEnum(enum)]


_URL_MARKER = OcpiType("URL", 255, "type.url")
#: ``URL``: an RFC 3986 URI with an authority, at most 255 characters (OCPI 2.2.1 §16.7).
URL = Annotated[str, _Text(_URL_MARKER, URL_PATTERN), _URL_MARKER]

_DATETIME_MARKER = OcpiType("DateTime", 25, "type.datetime")
#: ``DateTime``: string(25), UTC, RFC 3339 subset, kept as text (OCPI 2.2.1 §16.2).
DateTimeField = Annotated[str, _Text(_DATETIME_MARKER, DATETIME_PATTERN), _DATETIME_MARKER]

_DATETIME_211_MARKER = OcpiType("DateTime", 25, "type.datetime")
#: OCPI 2.1.1 ``DateTime``: string(25), UTC, ISO 8601 combined date and time, extended format,
#: a fraction after a full stop or a comma (OCPI 2.1.1 §14.2).
DateTimeField211 = Annotated[str, _Text(_DATETIME_211_MARKER, DATETIME_211_PATTERN), _DATETIME_211_MARKER]
