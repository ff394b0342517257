"""What each field of a model is, read once from the model: OCPI type, JSON type, nesting.

The checker uses this to name the OCPI type and rule behind a pydantic error, and to find
fields the spec does not define. It is derived from the models, so it cannot drift from them.
"""

from __future__ import annotations

import types as pytypes
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Union

from pydantic import BaseModel

from .types import OcpiType, OpenEnum

__all__ = ["FieldShape", "fields_of", "resolve"]


@dataclass(frozen=True)
class FieldShape:
    """One field: its name, whether it is required, and what values it takes."""

    name: str
    required: bool
    json_type: str
    ocpi: OcpiType | None = None
    model: type[BaseModel] | None = None
    enum: type[Enum] | None = None
    is_list: bool = False
    open_enum: bool = False
    """An OpenEnum (OCPI 2.3.0 §17.3): values outside :attr:`enum` are allowed."""

    @property
    def label(self) -> str:
        """How the field's type reads in the spec's table (``CiString(36)``, ``Token``, ...)."""
        base = (
            self.ocpi.label
            if self.ocpi
            else self.model.__name__
            if self.model
            else self.enum.__name__
            if self.enum
            else self.json_type
        )
        return f"list of {base}" if self.is_list else base


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Strip Optional/Annotated/list; return the inner type, the metadata and list-ness."""
    metadata: list[Any] = []
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *meta = typing.get_args(annotation)
            metadata.extend(meta)
        elif origin in (Union, pytypes.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        elif origin is list:
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, metadata, is_list


def _json_type(inner: Any) -> str:
    if isinstance(inner, type):
        if issubclass(inner, BaseModel):
            return "object"
        if issubclass(inner, bool):
            return "boolean"
        if issubclass(inner, int):
            return "integer"
        if issubclass(inner, (str, Enum)):
            return "string"
    return "any"


@cache
def fields_of(model: type[BaseModel]) -> dict[str, FieldShape]:
    """The shape of every field of *model*, by name, in the spec's order."""
    out = {}
    for name, info in model.model_fields.items():
        inner, metadata, is_list = _unwrap(info.annotation)
        metadata = [*metadata, *info.metadata]
        ocpi = next((m for m in metadata if isinstance(m, OcpiType)), None)
        out[name] = FieldShape(
            name=name,
            required=info.is_required(),
            json_type="array" if is_list else _json_type(inner),
            ocpi=ocpi,
            model=inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None,
            enum=inner if isinstance(inner, type) and issubclass(inner, Enum) else None,
            is_list=is_list,
            open_enum=any(isinstance(m, OpenEnum) for m in metadata),
        )
    return out


def resolve(model: type[BaseModel], loc: tuple[str | int, ...]) -> FieldShape | None:
    """The field a pydantic error location points at (list indexes are skipped)."""
    shape: FieldShape | None = None
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None:
            return None
        shape = fields_of(current).get(part)
        if shape is None:
            return None
        current = shape.model
    return shape
