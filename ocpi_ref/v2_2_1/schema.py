"""JSON Schema (draft 2020-12) of the StartSession object, derived from the model.

pydantic writes the field table (types, lengths, patterns, enums, required fields). Two things
are added by hand because pydantic cannot infer them:

* the connector/EVSE dependency (``start-session.connector-requires-evse``) as ``if``/``then``:
  if ``connector_id`` is present and not null, ``evse_uid`` must be present and not null.
  ``dependentRequired`` would not do, because a ``null`` evse_uid satisfies it;
* ``additionalProperties`` stays open: unknown fields are allowed (and reported as information
  by the checker, which a schema cannot express).
"""

from __future__ import annotations

from typing import Any

from .models import VERSION, StartSession

__all__ = ["start_session_schema"]

_NOT_NULL = {"not": {"type": "null"}}


def start_session_schema() -> dict[str, Any]:
    """The JSON Schema of an OCPI 2.2.1 StartSession."""
    schema = StartSession.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:ocpi-ref:{VERSION}:start-session",
        **schema,
    }
    schema["title"] = f"OCPI {VERSION} StartSession (§13.3.5)"
    schema["if"] = {
        "properties": {"connector_id": _NOT_NULL},
        "required": ["connector_id"],
    }
    schema["then"] = {
        "properties": {"evse_uid": _NOT_NULL},
        "required": ["evse_uid"],
    }
    return schema
