"""JSON Schema (draft 2020-12) of every object the package models, in each OCPI version.

pydantic writes the field table (types, lengths, patterns, enums, required fields). What is
added or changed here:

* from 2.2.1 on, the StartSession's connector/EVSE dependency
  (``start-session.connector-requires-evse``) as ``if``/``then``: if ``connector_id`` is present
  and not null, ``evse_uid`` must be present and not null. ``dependentRequired`` would not do,
  because a ``null`` evse_uid satisfies it;
* ``additionalProperties`` stays open: unknown fields are allowed (and reported as information
  by the checker, which a schema cannot express);
* descriptions are plain text that cite the version the schema describes: models that one
  version reuses from another carry the other's section in their docstrings, which is replaced
  by this version's (``OCPI 2.3.0 §12.4.2``), and reST markup is dropped.

In 2.3.0 an OpenEnum field is ``anyOf`` the listed values and any string.
:func:`write_schemas` writes every schema of every version into a directory, for downloads.
"""

from __future__ import annotations

import json
import re
from importlib import import_module
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .rules.start_session import CONNECTOR_REQUIRES_EVSE
from .specs import spec
from .versions import DEFAULT_VERSION, VERSIONS

__all__ = ["SCHEMA_OBJECTS", "object_schema", "schema_objects", "start_session_schema", "write_schemas"]

_NOT_NULL = {"not": {"type": "null"}}

#: Object name on the command line → (model name in the spec's tables, what it is).
SCHEMA_OBJECTS: dict[str, tuple[str, str]] = {
    "start-session": ("StartSession", "the body of a START_SESSION command"),
    "token": ("Token", "the Token a StartSession carries"),
    "command-response": ("CommandResponse", "the data of the answer to a command POST"),
    "command-result": ("CommandResult", "the body POSTed to response_url (2.2 and later)"),
    "cdr-token": ("CdrToken", "the Token as a Session and a CDR carry it in cdr_token (2.2 and later)"),
    "envelope": ("response envelope", "around every answer; data is the object answered"),
}

_CITATION = re.compile(r"\(OCPI (\d+(?:\.\d+)+)([^)]*)\)")
_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def _model(kind: str, version: str) -> type[BaseModel] | None:
    models = spec(version)
    if kind == "envelope":
        return import_module(f"ocpi_ref.v{version.replace('.', '_')}").OcpiResponse  # type: ignore[no-any-return]
    return getattr(models, kind.replace("-", "_"))  # type: ignore[no-any-return]


def schema_objects(version: str) -> tuple[str, ...]:
    """The objects *version* has a schema of (2.1.1 has no CommandResult and no CdrToken)."""
    return tuple(kind for kind in SCHEMA_OBJECTS if _model(kind, version) is not None)


def object_schema(kind: str, version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The JSON Schema of object *kind* (a key of :data:`SCHEMA_OBJECTS`) in OCPI *version*.

    Raises ``ValueError`` when *version* has no such object.
    """
    name, what = SCHEMA_OBJECTS[kind]
    model = _model(kind, version)
    if model is None:
        raise ValueError(f"OCPI {version} has no {name}; it has {', '.join(schema_objects(version))}")
    sections = spec(version).sections
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:ocpi-ref:{version}:{kind}",
        **model.model_json_schema(mode="validation"),
    }
    _cite(schema, version, sections, name)
    for def_name, definition in schema.get("$defs", {}).items():
        _cite(definition, version, sections, def_name)
    where = f" (§{sections[name]})" if name in sections else ""
    schema["title"] = f"OCPI {version} {name}{where}: {what}"
    if kind == "start-session" and CONNECTOR_REQUIRES_EVSE.applies_to(version):
        schema["if"] = {"properties": {"connector_id": _NOT_NULL}, "required": ["connector_id"]}
        schema["then"] = {"properties": {"evse_uid": _NOT_NULL}, "required": ["evse_uid"]}
    return schema


def start_session_schema(version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The JSON Schema of a StartSession of OCPI *version*."""
    return object_schema("start-session", version)


def write_schemas(directory: str | Path) -> list[Path]:
    """Write every object's schema of every version as ``DIRECTORY/VERSION/OBJECT.schema.json``;
    the files written, in order. For the book's downloads, built when the book is."""
    written = []
    for version in VERSIONS:
        folder = Path(directory) / version
        folder.mkdir(parents=True, exist_ok=True)
        for kind in schema_objects(version):
            path = folder / f"{kind}.schema.json"
            path.write_text(json.dumps(object_schema(kind, version), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(path)
    return written


def _cite(node: Any, version: str, sections: dict[str, str], name: str | None) -> None:
    """Make every description under *node* plain text citing *version* (in place).

    Nested ``$defs`` are cited under their own names by the caller; a property's description
    cites no section of its own, so another version's citation there becomes ``(OCPI V)``.
    """
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            node["description"] = _plain(node["description"], version, sections.get(name or ""))
        for key, value in node.items():
            if key != "$defs":
                _cite(value, version, sections, None)
    elif isinstance(node, list):
        for item in node:
            _cite(item, version, sections, None)


def _plain(text: str, version: str, section: str | None) -> str:
    text = _LITERAL.sub(r"\1", _ROLE.sub(r"\1", text))

    def citation(match: re.Match[str]) -> str:
        if match.group(1) == version:
            return match.group(0)
        return f"(OCPI {version} §{section})" if section else f"(OCPI {version})"

    return _CITATION.sub(citation, text)
