"""Read a JSON document from untrusted input without ever raising.

:func:`load` turns bytes, text or an already parsed object into a Python value plus the
findings the JSON layer alone can show: invalid UTF-8, lone surrogates, NaN and Infinity
(``json.syntax`` errors), duplicate member names and a byte order mark (warnings: RFC 8259
allows both to be read), values that JSON cannot hold. Everything a later stage needs to
point at a problem (the JSON pointer) is kept.

This reference's own limits (``json.limits``, a policy: the spec sets none) give refusals,
never spec errors, and still let the rest of the document be checked wherever that is sound:

* a document over the size limit is not read at all (its conformance stays unknown);
* a value nested deeper than the depth limit is cut off there and replaced by a stand-in,
  so bounded work checks the rest exactly (known fields all lie less than three levels deep);
  nesting so deep that the parser itself cannot read it leaves conformance unknown;
* an integer with more digits than the digit limit is kept as its digits, never converted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .findings import Finding, Severity, pointer
from .rules.json import DUPLICATE_KEY, LIMITS, SYNTAX
from .rules.types import JSON_TYPE

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "MAX_DIGITS",
    "Elided",
    "Loaded",
    "LongNumber",
    "load",
    "json_type_name",
]

#: Documents larger than this are refused (``json.limits``); a StartSession is ~1 KiB.
DEFAULT_MAX_BYTES = 64 * 1024
#: Deeper nesting is refused (``json.limits``); a StartSession is 3 levels deep.
DEFAULT_MAX_DEPTH = 64
#: Integers with more digits are kept as text and refused (``json.limits``): converting
#: one costs time quadratic in its length (Python itself stops at 4300 digits).
MAX_DIGITS = 1000
_DIGIT_LIMIT = 10**MAX_DIGITS  # the smallest integer with more digits
#: No field of any model lies this deep, so cutting off deeper values changes no spec verdict.
_SOUND_DEPTH = 3
_NO_LIMIT = "this reference refuses it to protect itself; the spec has no limit"

_MISSING = object()


class NonFinite(float):
    """Stands in for a NaN or Infinity literal so the walk can report where it was."""

    literal: str

    def __new__(cls, literal: str) -> NonFinite:
        obj = super().__new__(cls, literal.replace("Infinity", "inf"))
        obj.literal = literal
        return obj


class LongNumber:
    """An integer literal longer than :data:`MAX_DIGITS`, kept as its digits, never converted."""

    __slots__ = ("digits",)

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"LongNumber({len(self.digits)} digits)"


class Elided:
    """Stands in for a value nested deeper than the depth limit, which is not looked at."""

    __slots__ = ("json_type",)

    def __init__(self, json_type: str) -> None:
        self.json_type = json_type

    def __repr__(self) -> str:
        return f"Elided({self.json_type})"


class _DupDict(dict):
    """A JSON object that named some members more than once (the last value is kept)."""

    duplicates: tuple[str, ...] = ()


@dataclass
class Loaded:
    """The parsed value (``None`` when unusable) and the JSON-level findings."""

    value: Any = None
    usable: bool = False
    findings: list[Finding] = field(default_factory=list)
    flagged: set[str] = field(default_factory=set)
    """Pointers already reported here, so later stages do not report them again."""
    complete: bool = True
    """False when some of the document could not be examined (see the module's notes)."""

    def add(self, rule: str, where: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(Finding(rule, severity, where, message))
        if severity is Severity.ERROR:
            self.flagged.add(where)

    def refuse(self, where: str, message: str, *, complete: bool = True) -> None:
        """A ``json.limits`` refusal; *complete* False when the rest cannot be checked.

        Its pointer is not flagged: a refusal never hides a spec error at the same place.
        """
        self.findings.append(Finding(LIMITS.id, Severity.ERROR, where, f"{message}: {_NO_LIMIT}"))
        self.complete = self.complete and complete


class _Scan:
    """Per-parse state for the json.loads hooks (no global state, thread-safe)."""

    __slots__ = ("dups", "non_finite", "long", "overflow")

    def __init__(self) -> None:
        self.dups = False
        self.non_finite = False
        self.long = False
        self.overflow = False

    def number(self, literal: str) -> float:
        value = float(literal)
        if math.isinf(value):  # a JSON number beyond the range of a double (1e999999)
            self.overflow = True
        return value

    def integer(self, digits: str) -> int | LongNumber:
        if len(digits) - digits.startswith("-") > MAX_DIGITS:
            self.long = True
            return LongNumber(digits)
        return int(digits)

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            self.dups = True
            seen: set[str] = set()
            dup = _DupDict(obj)
            dup.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
            return dup
        return obj

    def constant(self, literal: str) -> NonFinite:
        self.non_finite = True
        return NonFinite(literal)


def load(
    data: Any,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Loaded:
    """Parse *data* (bytes, str, or a parsed JSON value); never raises."""
    out = Loaded()
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if len(raw) > max_bytes:
            out.refuse("", f"the document is {len(raw)} bytes, over the limit of {max_bytes}", complete=False)
            return out
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.add(SYNTAX.id, "", f"not UTF-8: byte 0x{raw[exc.start]:02X} at offset {exc.start}")
            return out
        return _parse(text, out, max_depth)
    if isinstance(data, str):
        if len(data) > max_bytes:
            out.refuse(
                "", f"the document is {len(data)} characters, over the limit of {max_bytes}", complete=False
            )
            return out
        return _parse(data, out, max_depth)
    # An already parsed value: check that it is something JSON could have produced. It is
    # the caller's, so nothing in it is replaced: a value nested too deep is cut off in a copy.
    out.value, out.usable = data, True
    try:
        _walk(data, "", 0, max_depth, out, check_types=True)
        if _has_surrogate(data):
            _walk_surrogates(data, "", out)
        if any(f.rule == LIMITS.id for f in out.findings):
            out.value = _cut(data, 0, max_depth)
    except RecursionError:
        out.usable = False
        out.refuse("", f"nested deeper than {max_depth} levels", complete=False)
    return out


def _cut(value: Any, depth: int, max_depth: int) -> Any:
    """A copy of *value* with every container deeper than *max_depth* replaced by :class:`Elided`."""
    if isinstance(value, (dict, list)) and depth >= max_depth:
        return Elided(json_type_name(value))
    if isinstance(value, dict):
        return {k: _cut(v, depth + 1, max_depth) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v, depth + 1, max_depth) for v in value]
    return value


def _parse(text: str, out: Loaded, max_depth: int) -> Loaded:
    if text.startswith("\ufeff"):
        text = text[1:]
        out.add(
            SYNTAX.id,
            "",
            "the text starts with a byte order mark (U+FEFF): RFC 8259 §8.1 says a sender MUST NOT "
            "add one and lets a receiver ignore it, as this reference does",
            Severity.WARNING,
        )
    scan = _Scan()
    try:
        value = json.loads(
            text,
            object_pairs_hook=scan.pairs,
            parse_constant=scan.constant,
            parse_int=scan.integer,
            parse_float=scan.number,
        )
    except json.JSONDecodeError as exc:
        where = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        out.add(SYNTAX.id, "", f"not JSON: {where}" if text.strip() else "not JSON: the document is empty")
        return out
    except RecursionError:
        out.refuse("", "nested too deep for this reference's parser to read", complete=False)
        return out
    out.value, out.usable = value, True
    if scan.dups or scan.non_finite or scan.long or scan.overflow or _may_be_deep(text, max_depth):
        _walk(value, "", 0, max_depth, out, check_types=False)
    # Escaped (\ud800) or, in a str, raw: the same lone surrogate, the same finding.
    if (any(c in text for c in _SURROGATE_ESCAPES) or not _encodable(text)) and _has_surrogate(value):
        _walk_surrogates(value, "", out)
    return out


# "\ud800" etc. as escapes in the JSON text; cheap pre-test before a full walk.
_SURROGATE_ESCAPES = ("\\ud", "\\uD")


def _may_be_deep(text: str, max_depth: int) -> bool:
    """Cheap upper bound: fewer brackets than the limit means the limit cannot be reached."""
    return text.count("[") + text.count("{") > max_depth


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _has_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (TypeError, ValueError):  # not JSON at all (reported by the walk): look closer
        return True
    return False


def _walk_surrogates(value: Any, where: str, out: Loaded) -> None:
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and not _encodable(key):
                out.add(SYNTAX.id, where, "a member name with a lone surrogate (\\uD800-\\uDFFF) is not Unicode")
    for path, item in _items(value, where):
        if isinstance(item, str):
            if not _encodable(item):
                out.add(SYNTAX.id, path, "text with a lone surrogate (\\uD800-\\uDFFF) is not Unicode")
        elif isinstance(item, (dict, list)):
            _walk_surrogates(item, path, out)


def _items(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield where + pointer(k), v
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield f"{where}/{i}", v


def _walk(value: Any, where: str, depth: int, max_depth: int, out: Loaded, *, check_types: bool) -> None:
    if isinstance(value, (dict, list)):
        if isinstance(value, _DupDict):
            for key in dict.fromkeys(value.duplicates):
                out.add(
                    DUPLICATE_KEY.id,
                    where + pointer(key),
                    f"member {key!r} appears more than once: RFC 8259 only says names SHOULD be "
                    "unique; this reference reads the last value, as most parsers do, but some "
                    "read the first",
                    Severity.WARNING,
                )
        if check_types and isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    out.add(JSON_TYPE.id, where, f"member name {key!r} is not a string")
        deeper = depth + 1 >= max_depth
        for path, item in list(_items(value, where)):
            if deeper and isinstance(item, (dict, list)):
                out.refuse(path, f"nesting deeper than {max_depth} levels, not read")
                if max_depth < _SOUND_DEPTH:  # cutting this shallow could hit a known field:
                    out.complete = False  # the verdict is unknown, and no error is made up
                    out.flagged.add(path)  # from the stand-in's type
                if not check_types:  # our own parse: cut here (the caller's object is copied)
                    key = int(path.rsplit("/", 1)[1]) if isinstance(value, list) else _last_key(path)
                    value[key] = Elided(json_type_name(item))
                continue
            _walk(item, path, depth + 1, max_depth, out, check_types=check_types)
    elif isinstance(value, LongNumber):
        out.refuse(where, f"a number of {len(value.digits.lstrip('-'))} digits, over the limit of {MAX_DIGITS}")
    elif isinstance(value, NonFinite):
        out.add(SYNTAX.id, where, f"{value.literal} is not a JSON number")
    elif check_types and not _is_json_scalar(value):
        out.add(JSON_TYPE.id, where, f"a {type(value).__name__} is not a JSON value")
    elif check_types and type(value) is int and abs(value) >= _DIGIT_LIMIT:  # as its text would be
        out.refuse(where, f"a number of more than {MAX_DIGITS} digits, over the limit of {MAX_DIGITS}")
    elif isinstance(value, float) and math.isinf(value):
        # 1e999999 is JSON, but no double holds it: Python reads it as infinity and would write
        # it back as null. RFC 8259 §6 lets an implementation limit the range of numbers.
        out.refuse(where, "a number beyond the range of a double (read as infinity, it would be written back as null)")
    elif check_types and isinstance(value, float) and not math.isfinite(value):
        out.add(SYNTAX.id, where, f"{value!r} is not a JSON number")


def _last_key(path: str) -> str:
    return path.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")


def _is_json_scalar(value: Any) -> bool:
    return value is None or type(value) in (str, int, float, bool) or isinstance(value, str)


def json_type_name(value: Any) -> str:
    """The JSON name of a Python value's type, for messages ("number", "object", ...)."""
    if value is None:
        return "null"
    if isinstance(value, LongNumber):
        return "number"
    if isinstance(value, Elided):
        return value.json_type
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__
