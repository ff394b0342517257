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

from dataclasses import dataclass
from datetime import datetime, timezone
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
    "OpenEnum",
    "ascii_string",
    "cistring",
    "open_enum",
    "string",
    "PRINTABLE_ASCII",
    "NO_CONTROL",
    "URL_PATTERN",
    "DATETIME_PATTERN",
    "DATETIME_SHAPE",
]

#: CiString: printable ASCII only, 0x20-0x7E (OCPI 2.2.1 §16.1).
PRINTABLE_ASCII = r"^[\x20-\x7E]*$"
#: string: printable UTF-8, so no C0/C1 control characters and no DEL (OCPI 2.2.1 §16.6).
NO_CONTROL = r"^[^\x00-\x1F\x7F-\x9F]*$"
#: An absolute URL in RFC 3986 terms: scheme, "://", an authority, then path/query/fragment
#: made only of the characters RFC 3986 allows unencoded (OCPI 2.2.1 §16.7).
URL_PATTERN = (
    r"^[A-Za-z][A-Za-z0-9+.\-]*://[!$&-.0-9:;=@A-Z\[\]_a-z~%]+"
    r"(?:[/?#][!#$%&-;=?-Z\[\]_a-z~]*)?$"
)
#: The RFC 3339 subset OCPI 2.2.1 §16.2 allows: UTC with ``Z`` or no designator, optional
#: fraction, upper-case ``T`` and ``Z`` only, never a numeric offset.
#: The shape alone: digits and separators where RFC 3339 puts them (for messages).
DATETIME_SHAPE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?$"
_YEAR = r"(?:[1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])"
_LEAP_YEAR = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DATE = (
    rf"(?:{_YEAR}-(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    rf"|{_YEAR}-(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    rf"|{_YEAR}-02-(?:0[1-9]|1\d|2[0-8])"
    rf"|{_LEAP_YEAR}-02-29)"
)
#: A DateTime whose date and time exist (leap years included, no leap second, no hour 24);
#: a pattern, so the check runs in Rust with no Python call per value.
DATETIME_PATTERN = rf"^{_DATE}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z?$"


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
        """The instant as an aware UTC :class:`datetime` (no designator means UTC)."""
        text = self[:-1] if self.endswith("Z") else self
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

    def __init__(self, marker: OcpiType, pattern: str) -> None:
        self.marker = marker
        self.pattern = pattern

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
        return out


def cistring(n: int) -> Any:
    """``CiString(n)``: printable ASCII, at most *n* characters, case kept (OCPI 2.2.1 §16.1)."""
    marker = OcpiType("CiString", n, "type.cistring", ascii_only=True)
    return Annotated[str, _Text(marker, PRINTABLE_ASCII), marker]


def string(n: int | None = None) -> Any:
    """``string(n)``: printable UTF-8 text, at most *n* characters (OCPI 2.2.1 §16.6)."""
    marker = OcpiType("string", n, "type.string")
    return Annotated[str, _Text(marker, NO_CONTROL), marker]


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
#: ``URL``: an absolute URL of at most 255 characters (OCPI 2.2.1 §16.7).
URL = Annotated[str, _Text(_URL_MARKER, URL_PATTERN), _URL_MARKER]

_DATETIME_MARKER = OcpiType("DateTime", 25, "type.datetime")
#: ``DateTime``: string(25), UTC, RFC 3339 subset, kept as text (OCPI 2.2.1 §16.2).
DateTimeField = Annotated[str, _Text(_DATETIME_MARKER, DATETIME_PATTERN), _DATETIME_MARKER]
