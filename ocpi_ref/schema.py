"""JSON Schema (draft 2020-12) of the StartSession object of each OCPI version, from the models.

pydantic writes the field table (types, lengths, patterns, enums, required fields). Two things
are added by hand because pydantic cannot infer them:

* from 2.2.1 on, the connector/EVSE dependency (``start-session.connector-requires-evse``) as
  ``if``/``then``: if ``connector_id`` is present and not null, ``evse_uid`` must be present
  and not null. ``dependentRequired`` would not do, because a ``null`` evse_uid satisfies it;
* ``additionalProperties`` stays open: unknown fields are allowed (and reported as information
  by the checker, which a schema cannot express).

In 2.3.0 an OpenEnum field is ``anyOf`` the listed values and any string.
"""

from __future__ import annotations

from typing import Any

from .rules.start_session import CONNECTOR_REQUIRES_EVSE
from .specs import spec
from .versions import DEFAULT_VERSION

__all__ = ["start_session_schema"]

_NOT_NULL = {"not": {"type": "null"}}


def start_session_schema(version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The JSON Schema of a StartSession of OCPI *version*."""
    vspec = spec(version)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:ocpi-ref:{version}:start-session",
        **vspec.start_session.model_json_schema(mode="validation"),
    }
    schema["title"] = f"OCPI {version} StartSession (§{vspec.sections['StartSession']})"
    if CONNECTOR_REQUIRES_EVSE.applies_to(version):
        schema["if"] = {"properties": {"connector_id": _NOT_NULL}, "required": ["connector_id"]}
        schema["then"] = {"properties": {"evse_uid": _NOT_NULL}, "required": ["evse_uid"]}
    return schema
