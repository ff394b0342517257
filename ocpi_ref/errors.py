"""Turn pydantic validation errors into findings a person can act on.

Each error becomes a :class:`~ocpi_ref.findings.Finding` at the JSON pointer of the failing
value, under the rule of the OCPI type or field-table statement it breaks, with a message that
says what the spec expects and what arrived (never pydantic's wording or documentation URL).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from .findings import Finding, Severity, pointer
from .jsondoc import json_type_name
from .rules.json import SYNTAX
from .rules.types import ENUM, JSON_TYPE, RANGE, REQUIRED
from .shape import FieldShape, resolve
from .types import DATETIME_SHAPE, OcpiType, is_printable

__all__ = ["findings_from_error", "findings_from_errors", "describe_char"]

_TYPE_ERRORS = {
    "string_type",
    "bool_type",
    "int_type",
    "int_parsing",
    "model_type",
    "model_attributes_type",
    "dict_type",
    "list_type",
    "is_instance_of",
}


def describe_char(ch: str) -> str:
    """``U+000A (line feed)``-style name for a character in a message."""
    names = {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\x7f": "delete"}
    name = names.get(ch)
    if name is None:
        category = unicodedata.category(ch)
        label = _CATEGORY_NAMES.get(category)
        if label is None:
            name = repr(ch)[1:-1]
        else:
            unicode_name = unicodedata.name(ch, "").lower()
            name = f"{unicode_name}, {label}" if unicode_name and unicode_name != label else label
    return f"U+{ord(ch):04X} ({name})"


_CATEGORY_NAMES = {
    "Cc": "control character",
    "Cf": "format character",
    "Co": "private use",
    "Cs": "surrogate",
    "Cn": "unassigned",
    "Zl": "line separator",
    "Zp": "paragraph separator",
}


def findings_from_error(
    model: type[BaseModel], error: ValidationError, *, skip: set[str] = frozenset()
) -> Iterator[Finding]:
    """Findings for every error in *error*, skipping pointers already reported."""
    return findings_from_errors(model, error.errors(include_url=False), skip=skip)


def findings_from_errors(
    model: type[BaseModel], errors: list[Any], *, skip: set[str] = frozenset()
) -> Iterator[Finding]:
    """:func:`findings_from_error` for the list ``ValidationError.errors()`` returned."""
    for err in errors:
        loc, kind = tuple(err["loc"]), err["type"]
        where, shape = _place(model, loc)
        if where in skip or kind == "ocpi_rule":
            continue
        if kind == "missing" or kind in _TYPE_ERRORS:  # the message names the JSON type only
            json_type = json_type_name(err.get("input"))
            if json_type in _OF_TYPE:
                yield _typed(model, loc, kind, json_type)
                continue
        yield _finding(err, where, shape)


#: A value of each JSON type, standing for the value of a type error in :func:`_typed`.
_OF_TYPE = {"null": None, "boolean": True, "number": 0, "string": "", "object": {}, "array": []}


@lru_cache(maxsize=4096)
def _typed(model: type[BaseModel], loc: tuple[str | int, ...], kind: str, json_type: str) -> Finding:
    """The finding of a missing value or a type error: it depends on the value's JSON type
    alone, so it is built once per place, kind and type (findings are immutable)."""
    where, shape = _place(model, loc)
    return _finding({"type": kind, "input": _OF_TYPE[json_type]}, where, shape)


@lru_cache(maxsize=4096)
def _place(model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[str, FieldShape | None]:
    """The JSON pointer of an error location and the field there (the same for every document)."""
    return pointer(*loc), resolve(model, loc) if loc else None


def _finding(err: dict[str, Any], where: str, shape: FieldShape | None) -> Finding:
    kind, value = err["type"], err.get("input")
    name = where.rsplit("/", 1)[-1] or "document"
    label = shape.label if shape else "value"

    def found(rule: str, message: str) -> Finding:
        return Finding(rule, Severity.ERROR, where, message)

    if kind == "missing":
        return found(REQUIRED.id, f"required field {name} ({label}) is missing")
    if value is None and kind in _TYPE_ERRORS | {"enum"}:
        if shape is not None and shape.required:
            return found(REQUIRED.id, f"required field {name} ({label}) is null")
        return found(JSON_TYPE.id, f"{name} is null where {label} is expected")
    if kind in _TYPE_ERRORS:
        expected = shape.json_type if shape else _expected_from(kind)
        spec_type = "" if label == expected else f" ({label})"
        return found(
            JSON_TYPE.id,
            f"{name} must be a JSON {expected}{spec_type}, got {json_type_name(value)}",
        )
    if kind == "enum":
        if not isinstance(value, str):
            return found(JSON_TYPE.id, f"{name} must be a JSON string ({label}), got {json_type_name(value)}")
        allowed = ", ".join(m.value for m in shape.enum) if shape and shape.enum else "?"
        return found(ENUM.id, f"{value!r} is not a {label} value; allowed: {allowed}")
    if kind == "string_unicode":
        return found(SYNTAX.id, f"{name} is not valid Unicode text (a lone surrogate?)")
    ocpi = shape.ocpi if shape else None
    if ocpi is not None:
        if kind == "string_too_long":
            return found(
                ocpi.rule,
                f"{name} is {ocpi.label}: at most {ocpi.max_length} characters, got {len(value)}",
            )
        if kind == "string_pattern_mismatch":
            if ocpi.list_rule and _well_formed(ocpi, value):
                return found(ocpi.list_rule, _not_listed(ocpi, name, value))
            return found(ocpi.rule, _pattern_message(ocpi, name, value))
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return found(RANGE.id, f"{name} is {value!r}: {err['msg'].lower()}")
    return found(JSON_TYPE.id, f"{name}: {err['msg']}")


def _expected_from(kind: str) -> str:
    return {"bool_type": "boolean", "int_type": "integer", "list_type": "array"}.get(kind, "object")


def _first(value: str, allowed: re.Pattern[str]) -> tuple[int, str]:
    for i, ch in enumerate(value):
        if not allowed.fullmatch(ch):
            return i, ch
    return -1, ""


_ASCII = re.compile(r"[\x20-\x7E]")


def _first_unprintable(value: str) -> tuple[int, str]:
    for i, ch in enumerate(value):
        if not is_printable(ch):
            return i, ch
    return -1, ""


def _well_formed(ocpi: OcpiType, value: str) -> bool:
    """Whether *value* is a good value of the base type, so only the code list refuses it."""
    if ocpi.ascii_only:
        return _first(value, _ASCII)[0] < 0
    return _first_unprintable(value)[0] < 0


def _not_listed(ocpi: OcpiType, name: str, value: str) -> str:
    case = " (case is ignored)" if ocpi.name == "CiString" else ""
    hint = ""
    if ocpi.name == "string" and value.lower() != value:
        hint = f"; {ocpi.code_list} codes are lower case, and a string is case-sensitive"
    return f"{name} {value!r} is not an {ocpi.code_list} code{case}{hint}"


def _pattern_message(ocpi: OcpiType, name: str, value: str) -> str:
    type_name, label = ocpi.name, ocpi.label
    if ocpi.ascii_only:
        i, ch = _first(value, _ASCII)
        return f"{name} is {label}, printable ASCII only: {describe_char(ch)} at position {i}"
    if type_name == "string":
        i, ch = _first_unprintable(value)
        if i < 0:  # the regex engine's Unicode tables are newer or older than Python's
            return f"{name} is {label}, printable text only: it holds a code point unassigned in this reference's Unicode tables"
        return f"{name} is {label}, printable text only: {describe_char(ch)} at position {i}"
    if type_name == "URL":
        return f"{name} {value!r} is not a URL: {_url_problem(value)}"
    if type_name == "DateTime":
        return f"{name} {value!r}: {_datetime_problem(value)}"
    return f"{name} does not match {label}"


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
_BAD_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _url_problem(value: str) -> str:
    """What keeps *value* from the RFC 3986 grammar, in words (the check itself is the pattern)."""
    i, ch = _first(value, _URI_CHARS)
    if i >= 0:
        return f"{describe_char(ch)} at position {i} is not allowed in a URI; percent-encode it"
    if not _SCHEME.match(value):
        return "it does not start with a scheme and a colon (https:)"
    rest = value[_SCHEME.match(value).end():]
    if not rest.startswith("//"):
        return "no authority: this reference reads a URL as scheme://host..."
    if (bad := _BAD_PCT.search(value)) is not None:
        return f"% at position {bad.start()} is not followed by two hex digits"
    if value.count("#") > 1:
        return "a second # : the fragment may not hold one"
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if "[" in value or "]" in value:
        if not (host.startswith("[") and "]" in host):
            return "[ and ] are allowed only around an IP-literal host"
        return "the IP-literal host or what follows it is not RFC 3986 (an IPv6 address or vX.…)"
    if not host or host.startswith(":"):
        return "the host is empty"
    return "it does not follow the RFC 3986 URI grammar (a port of digits only, no [ ] outside the host)"


_SHAPE = re.compile(DATETIME_SHAPE)
_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|[+-]\d{2})$")


def _datetime_problem(value: str) -> str:
    if _OFFSET.search(value) and len(value) > 10:
        return "numeric offsets are not allowed, not even +00:00; write UTC with Z or no designator"
    if len(value) > 10 and value[10] == " ":
        return "a space separates date and time; OCPI requires an upper-case T"
    if len(value) > 10 and value[10] == "t" or value.endswith("z"):
        return "t and z must be upper case"
    if _SHAPE.match(value):
        if value[17:19] == "60":
            return "second 60 exists only as a leap second, 23:59:60 on 30 June or 31 December"
        if "," in value:
            return "a fraction after a comma is ISO 8601 (OCPI 2.1.1), not the RFC 3339 form OCPI 2.2 and later allow"
        return "no such date or time (month, day, leap year, hour 00-23, minute and second 00-59)"
    return "not the form OCPI allows: YYYY-MM-DDTHH:MM:SS, optional .fraction, optional Z"
