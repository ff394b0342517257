"""``ocpi-ref schema`` for every object the package models, in each version: the schemas accept
the shipped examples, their descriptions cite the version they describe in plain text, and
:func:`~ocpi_ref.schema.write_schemas` writes them all for the site's downloads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from ocpi_ref.cli import main
from ocpi_ref.schema import SCHEMA_OBJECTS, object_schema, schema_objects, write_schemas
from ocpi_ref.versions import VERSIONS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _descriptions(node):
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            yield node["description"]
        for value in node.values():
            yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_object_has_a_schema_that_cites_its_own_version_in_plain_text(version) -> None:
    kinds = schema_objects(version)
    assert set(kinds) == set(SCHEMA_OBJECTS) - ({"command-result", "cdr-token"} if version == "2.1.1" else set())
    for kind in kinds:
        schema = object_schema(kind, version)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["title"].startswith(f"OCPI {version} ")
        for text in _descriptions(schema):
            cited = set(re.findall(r"OCPI (\d+(?:\.\d+)+)", text))
            assert cited <= {version}, (kind, text)
            assert "``" not in text and ":class:" not in text and ":func:" not in text, (kind, text)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_schemas_accept_the_examples(version) -> None:
    start = json.loads((EXAMPLES / version / "start-session.json").read_text())
    answer = json.loads((EXAMPLES / version / "command-response.json").read_text())
    for kind, doc in [("start-session", start), ("token", start["token"]), ("envelope", answer),
                      ("command-response", answer["data"])]:
        assert not list(jsonschema.Draft202012Validator(object_schema(kind, version)).iter_errors(doc)), kind
    bad = json.loads((EXAMPLES / version / "command-response-not-conforming.json").read_text())
    assert list(jsonschema.Draft202012Validator(object_schema("command-response", version)).iter_errors(bad["data"]))


def test_a_2_3_0_schema_cites_2_3_0_where_its_model_is_reused_from_2_2_1() -> None:
    schema = object_schema("start-session", "2.3.0")
    assert "(OCPI 2.3.0 §12.4.2)" in schema["$defs"]["EnergyContract"]["description"]
    assert "Token; type is an OpenEnum" in schema["$defs"]["Token"]["description"]


def test_the_command_line_prints_each_and_refuses_what_a_version_lacks(capsys) -> None:
    assert main(["schema", "cdr-token", "--version", "2.2"]) == 0
    assert json.loads(capsys.readouterr().out)["$id"] == "urn:ocpi-ref:2.2:cdr-token"
    assert main(["schema", "command-result", "--version", "2.1.1"]) == 2
    assert capsys.readouterr().err == "ocpi-ref schema: OCPI 2.1.1 has no CommandResult; it has start-session, token, command-response, envelope\n"


def test_write_schemas_writes_every_schema_of_every_version(tmp_path) -> None:
    written = write_schemas(tmp_path)
    assert len(written) == sum(len(schema_objects(v)) for v in VERSIONS) == 22
    one = tmp_path / "2.3.0" / "cdr-token.schema.json"
    assert one in written and json.loads(one.read_text()) == object_schema("cdr-token", "2.3.0")
