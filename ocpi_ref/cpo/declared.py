"""A model's declared fields only: what a converted StartSession may carry into a Session."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["declared_only"]


def declared_only(model: BaseModel) -> dict[str, Any]:
    """*model* as JSON without the fields its version does not define, at every level.

    A conversion carries unknown fields along; a 2.1.1 Token's unknown ``country_code`` would
    then become the 2.2.1 owner, and a 2.2 ``connector_id`` a real one. Only declared fields
    go into the Session, so neither can.
    """
    doc = model.model_dump(mode="json")
    _strip_extras(model, doc)
    return doc


def _strip_extras(model: BaseModel, doc: dict[str, Any]) -> None:
    for name in model.__pydantic_extra__ or ():
        doc.pop(name, None)
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        if isinstance(value, BaseModel) and isinstance(doc.get(name), dict):
            _strip_extras(value, doc[name])
