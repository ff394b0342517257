"""The base class every OCPI object model derives from.

It fixes three behaviours the whole package relies on:

* unknown fields are kept and dumped again (2.3.0 forbids rejecting them, and a reference
  must not lose what a caller sent); the checker reports them as information;
* dumping omits fields that were never set, so an object goes out as it came in: an
  omitted optional field stays omitted, an explicit ``null`` stays ``null``;
* field names are the spec's own, so no aliases are needed;
* a JSON text may start with a byte order mark, which is ignored: RFC 8259 §8.1 lets a
  parser ignore it rather than fail, and the checker does the same (with a warning), so a
  model and the checker give one answer for the same text.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["OcpiModel"]


class OcpiModel(BaseModel):
    """Base for OCPI objects: extras kept, unset fields omitted on dump."""

    model_config = ConfigDict(extra="allow", validate_default=False, use_enum_values=False)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Any:  # noqa: D102
        if isinstance(json_data, str):
            json_data = json_data.removeprefix("\ufeff")
        elif json_data[:3] == b"\xef\xbb\xbf":
            json_data = json_data[3:]
        return super().model_validate_json(json_data, **kwargs)

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
