"""Findings about a document's members that no model reports: unknown fields, OpenEnum values,
and values that conform but are surely a mistake (empty strings, year 0000).

The checker runs these on the parsed document after the model; they walk every object nested
in it with its model and JSON pointer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel

from .findings import Finding, Severity, pointer
from .rules.types import DATETIME, EMPTY_STRING, OPEN_ENUM, UNKNOWN
from .shape import fields_of
from .versions import DEFAULT_VERSION

__all__ = ["open_enum_values", "suspect_values", "unknown_fields", "unknown_members"]


def _walk(
    doc: Mapping[str, Any], model: type[BaseModel], where: str = ""
) -> Iterator[tuple[Mapping[str, Any], type[BaseModel], str]]:
    """*doc* and every object nested in it, each with its model and pointer."""
    yield doc, model, where
    for name, shape in fields_of(model).items():
        if shape.model is None:
            continue
        value = doc.get(name)
        if isinstance(value, Mapping) and not shape.is_list:
            yield from _walk(value, shape.model, where + pointer(name))
        elif isinstance(value, list) and shape.is_list:
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from _walk(item, shape.model, f"{where}{pointer(name)}/{i}")


def unknown_fields(
    doc: Mapping[str, Any], model: type[BaseModel], where: str = "", *, version: str = DEFAULT_VERSION
) -> Iterator[Finding]:
    """``field.unknown`` information for every member the spec does not define, in document
    order; a member that looks like a misspelt missing field names it (``locaton_id``)."""
    fields = fields_of(model)
    for key in doc.keys():
        value, shape = doc[key], fields.get(key)
        if shape is None:
            yield Finding(
                UNKNOWN.id,
                Severity.INFO,
                where + pointer(key),
                f"{key} is not a field of {model.__name__} in OCPI {version}; kept as received{_meant(key, doc, fields)}",
            )
        elif shape.model is not None and isinstance(value, Mapping) and not shape.is_list:
            yield from unknown_fields(value, shape.model, where + pointer(key), version=version)
        elif shape.model is not None and isinstance(value, list) and shape.is_list:
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from unknown_fields(item, shape.model, f"{where}{pointer(key)}/{i}", version=version)


def _meant(key: str, doc: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """``; did you mean `location_id`?`` when *key* is close to a field *doc* lacks, else nothing."""
    if not isinstance(key, str):  # a parsed object may hold any key (reported elsewhere)
        return ""
    missing = sorted(name for name in fields if name not in doc)
    close = difflib.get_close_matches(key, missing, n=1, cutoff=0.8)
    return f"; did you mean `{close[0]}`?" if close else ""


def unknown_members(
    doc: dict[str, Any],
    models: Iterable[tuple[tuple[str, ...], str, type[BaseModel]]],
    version: str = DEFAULT_VERSION,
) -> list[Finding]:
    """:func:`unknown_fields` for a model tree without lists, told where its models are.

    *models* holds each model's path of field names, its JSON pointer and its class, the root
    (path ``()``) first. Most documents have no unknown member, and that is all this looks at,
    without generators, for the checker's fast pass; when one has, the findings are exactly
    :func:`unknown_fields`'s (document order, "did you mean"), so both paths say the same.
    """
    models = tuple(models)
    for path, _at, obj_model in models:
        obj: Any = doc
        for name in path:
            obj = obj.get(name)
            if type(obj) is not dict:
                break
        else:
            if not obj.keys() <= fields_of(obj_model).keys():
                root = next(m for p, _, m in models if not p)
                return list(unknown_fields(doc, root, version=version))
    return []


def suspect_values(doc: Mapping[str, Any], model: type[BaseModel]) -> Iterator[Finding]:
    """Warnings for values the spec allows but that are surely a mistake.

    An empty string in a text field (``field.empty-string``: the spec sets no minimum length,
    and an empty required field counts as set) and a DateTime in the year 0000
    (``type.datetime``: RFC 3339 allows it, no real timestamp has it).
    """
    for obj, obj_model, at in _walk(doc, model):
        for name, shape in fields_of(obj_model).items():
            value = obj.get(name)
            if not isinstance(value, str) or shape.ocpi is None:
                continue
            if value == "":
                need = "a required" if shape.required else "an optional"
                yield Finding(
                    EMPTY_STRING.id,
                    Severity.WARNING,
                    at + pointer(name),
                    f"{name} is an empty string: legal ({need} {shape.label} has no minimum "
                    "length, and an empty one counts as set), but surely a mistake",
                )
            elif shape.ocpi.name == "DateTime" and value.startswith("0000-"):
                yield Finding(
                    DATETIME.id,
                    Severity.WARNING,
                    at + pointer(name),
                    f"{name} {value!r} is in the year 0000: RFC 3339 allows it, but no real "
                    "timestamp has it (a placeholder?)",
                )


def open_enum_values(doc: Mapping[str, Any], model: type[BaseModel]) -> Iterator[Finding]:
    """``type.open-enum`` information for each OpenEnum field holding an unlisted string."""
    for obj, obj_model, at in _walk(doc, model):
        for name, shape in fields_of(obj_model).items():
            value = obj.get(name)
            if not (shape.open_enum and shape.enum and isinstance(value, str)):
                continue
            if isinstance(value, Enum) or value in _values(shape.enum):
                continue
            kind = shape.enum.__name__
            if value.upper() in _values(shape.enum):  # a listed value in the wrong case
                yield Finding(
                    OPEN_ENUM.id,
                    Severity.WARNING,
                    at + pointer(name),
                    f"{value!r} is not a listed {kind} value but differs from "
                    f"{value.upper()!r} only in case; kept as received, yet a receiver comparing "
                    "enum values exactly will not read it as that value",
                )
                continue
            yield Finding(
                OPEN_ENUM.id,
                Severity.INFO,
                at + pointer(name),
                f"{value!r} is not a listed {kind} value ({', '.join(_values(shape.enum))}); "
                f"kept as received: {kind} is an OpenEnum in OCPI 2.3.0",
            )


@cache
def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)
