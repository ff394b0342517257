"""The base class every OCPI object model derives from.

It fixes three behaviours the whole package relies on:

* unknown fields are kept and dumped again (2.3.0 forbids rejecting them, and a reference
  must not lose what a caller sent); the checker reports them as information;
* dumping omits fields that were never set, so an object goes out as it came in: an
  omitted optional field stays omitted, an explicit ``null`` stays ``null``;
* field names are the spec's own, so no aliases are needed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["OcpiModel"]


class OcpiModel(BaseModel):
    """Base for OCPI objects: extras kept, unset fields omitted on dump."""

    model_config = ConfigDict(extra="allow", validate_default=False, use_enum_values=False)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:  # noqa: D102 - pydantic's docs apply
        kwargs.setdefault("exclude_unset", True)
        return super().model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:  # noqa: D102 - pydantic's docs apply
        kwargs.setdefault("exclude_unset", True)
        return super().model_dump_json(**kwargs)

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Fields the spec does not define for this object, exactly as received."""
        return dict(self.__pydantic_extra__ or {})
