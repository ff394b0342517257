"""Every version: conforming and violating StartSessions, version-specific rules, OpenEnums."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from ocpi_ref.checker import check_start_session
from ocpi_ref.findings import Severity
from ocpi_ref.v2_1_1 import read_command_response
from ocpi_ref.v2_1_1.examples import SPEC_EXAMPLES as SPEC_EXAMPLES_2_1_1
from ocpi_ref.v2_1_1.examples import spec_example as spec_example_2_1_1
from ocpi_ref.v2_1_1.examples import spec_example_bytes as spec_example_bytes_2_1_1
from ocpi_ref.specs import spec
from ocpi_ref.versions import VERSIONS, from_version, version_key
from spec_sources import need

URL = "https://emsp.example.com/ocpi/commands/START_SESSION/42"


def start_2_1_1() -> dict[str, Any]:
    """A 2.1.1 StartSession around the spec's own 2.1.1 Token example."""
    return {"response_url": URL, "token": spec_example_2_1_1("token_object_example"), "location_id": "LOC1"}


def start_2_2(rfid_token: dict[str, Any]) -> dict[str, Any]:
    return {"response_url": URL, "token": rfid_token, "location_id": "LOC1", "evse_uid": "EVSE1"}


def conforming(version: str, rfid_token: dict[str, Any]) -> dict[str, Any]:
    if version == "2.1.1":
        return start_2_1_1()
    doc = start_2_2(rfid_token)
    if version in ("2.2.1", "2.3.0"):
        doc["connector_id"] = "1"
    return doc


def errors(report) -> set[tuple[str, str]]:
    return {(f.rule, f.pointer) for f in report.errors}


@pytest.mark.rule("field.required", "start-session.evse-optional")
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("as_text", [False, True], ids=["parsed", "text"])
def test_each_version_has_a_conforming_example(version, rfid_token, as_text):
    doc = conforming(version, rfid_token)
    report = check_start_session(json.dumps(doc) if as_text else doc, version=version)
    assert report.conforms and report.version == version, str(report)
    assert not report.findings, str(report)


@pytest.mark.rule("field.required")
@pytest.mark.parametrize("version", VERSIONS)
def test_each_version_reports_a_missing_location(version, rfid_token):
    doc = conforming(version, rfid_token)
    del doc["location_id"]
    assert errors(check_start_session(doc, version=version)) == {("field.required", "/location_id")}


@pytest.mark.rule("field.required", "field.unknown")
def test_a_2_2_1_payload_is_not_a_2_1_1_one(rfid_token):
    report = check_start_session(conforming("2.2.1", rfid_token), version="2.1.1")
    assert errors(report) == {("field.required", "/token/auth_id")}
    unknown = {f.pointer for f in report.findings if f.rule == "field.unknown"}
    assert {"/connector_id", "/token/country_code", "/token/party_id", "/token/contract_id"} <= unknown


@pytest.mark.rule("field.required", "field.unknown")
def test_a_2_1_1_payload_is_not_a_2_2_one():
    report = check_start_session(start_2_1_1(), version="2.2")
    assert errors(report) == {
        ("field.required", "/token/country_code"),
        ("field.required", "/token/party_id"),
        ("field.required", "/token/contract_id"),
    }


@pytest.mark.rule("type.cistring", "type.string")
def test_identifier_lengths_differ_between_2_1_1_and_2_2(rfid_token):
    long_id = "L" * 39
    assert check_start_session({**start_2_1_1(), "location_id": long_id}, version="2.1.1").conforms
    too_long = check_start_session({**start_2_1_1(), "location_id": long_id + "X"}, version="2.1.1")
    assert errors(too_long) == {("type.string", "/location_id")}
    report = check_start_session({**start_2_2(rfid_token), "location_id": "L" * 37}, version="2.2")
    assert errors(report) == {("type.cistring", "/location_id")}


@pytest.mark.rule("type.string")
def test_2_1_1_strings_are_ascii_only_where_2_2_allows_utf8(rfid_token):
    doc = start_2_1_1()
    doc["token"] = {**doc["token"], "issuer": "Stadtwerke Mün"}
    report = check_start_session(doc, version="2.1.1")
    assert errors(report) == {("type.string", "/token/issuer")}
    assert "printable ASCII only" in report.errors[0].message
    utf8 = {**start_2_2(rfid_token), "token": {**rfid_token, "issuer": "Stadtwerke Mün"}}
    assert check_start_session(utf8, version="2.2").conforms


@pytest.mark.rule("type.enum")
@pytest.mark.parametrize("token_type", ["AD_HOC_USER", "APP_USER"])
def test_app_token_types_do_not_exist_in_2_1_1(token_type):
    doc = start_2_1_1()
    doc["token"] = {**doc["token"], "type": token_type}
    report = check_start_session(doc, version="2.1.1")
    assert errors(report) == {("type.enum", "/token/type")}
    assert "OTHER, RFID" in report.errors[0].message


@pytest.mark.rule("start-session.connector-requires-evse")
@pytest.mark.parametrize("version", VERSIONS)
def test_connector_rule_fires_only_from_2_2_1(version, rfid_token):
    doc = conforming(version, rfid_token)
    doc.pop("evse_uid", None)
    doc["connector_id"] = "1"
    report = check_start_session(doc, version=version)
    fired = "start-session.connector-requires-evse" in report.rules
    assert fired is (version in ("2.2.1", "2.3.0")), str(report)
    if not fired:  # older versions do not know connector_id: it is kept and reported
        assert report.conforms
        assert ("field.unknown", "/connector_id") in {(f.rule, f.pointer) for f in report.findings}


@pytest.mark.rule("start-session.own-tokens-only")
@pytest.mark.parametrize("version", VERSIONS)
def test_ownership_rule_fires_only_from_2_2(version, rfid_token):
    report = check_start_session(conforming(version, rfid_token), version=version, sender="NL-XXX")
    assert ("start-session.own-tokens-only" in report.rules) is (version != "2.1.1")


@pytest.mark.rule("start-session.emsp-authorizes-token")
@pytest.mark.parametrize("version", VERSIONS)
def test_validity_hint_only_from_2_2(version, rfid_token):
    doc = conforming(version, rfid_token)
    doc["token"] = {**doc["token"], "valid": False}
    report = check_start_session(doc, version=version)
    assert report.conforms
    assert ("start-session.emsp-authorizes-token" in report.rules) is (version != "2.1.1")


@pytest.mark.rule("type.open-enum", "type.enum")
@pytest.mark.parametrize("value", ["EMAID", "ISO15118_PNC"])
@pytest.mark.parametrize("as_text", [False, True], ids=["parsed", "text"])
def test_2_3_0_keeps_an_open_enum_value_that_2_2_1_rejects(rfid_token, value, as_text):
    doc = {**conforming("2.3.0", rfid_token), "token": {**rfid_token, "type": value}}
    data = json.dumps(doc) if as_text else doc
    newer = check_start_session(data, version="2.3.0")
    assert newer.conforms
    info = [f for f in newer.findings if f.rule == "type.open-enum"]
    if value == "EMAID":  # listed in 2.3.0: nothing to say
        assert not newer.findings
    else:
        assert [(f.severity, f.pointer) for f in info] == [(Severity.INFO, "/token/type")]
        assert value in info[0].message
    older = check_start_session(data, version="2.2.1")
    assert errors(older) == {("type.enum", "/token/type")}


@pytest.mark.rule("type.open-enum")
def test_a_listed_open_enum_value_in_the_wrong_case_is_a_warning(rfid_token):
    doc = {**conforming("2.3.0", rfid_token), "token": {**rfid_token, "type": "rfid"}}
    report = check_start_session(doc, version="2.3.0")
    assert report.conforms
    assert [(f.rule, f.severity, f.pointer) for f in report.findings] == [
        ("type.open-enum", Severity.WARNING, "/token/type")
    ]
    assert "'RFID' only in case" in report.findings[0].message


@pytest.mark.rule("type.open-enum")
def test_open_enum_value_survives_the_model_unchanged(rfid_token):
    model = spec("2.3.0").start_session
    start = model.model_validate_json(json.dumps({**conforming("2.3.0", rfid_token), "token": {**rfid_token, "type": "Fancy"}}))
    assert start.token.type == "Fancy"
    assert json.loads(start.model_dump_json())["token"]["type"] == "Fancy"


@pytest.mark.rule("type.json", "type.open-enum")
def test_an_open_enum_still_needs_a_string(rfid_token):
    doc = {**conforming("2.3.0", rfid_token), "token": {**rfid_token, "type": 7}}
    assert errors(check_start_session(doc, version="2.3.0")) == {("type.json", "/token/type")}


@pytest.mark.rule("field.required", "type.string")
@pytest.mark.parametrize("name", ["token_object_example", "token_put_example"])
def test_2_1_1_spec_token_examples_round_trip_verbatim(name):
    raw = spec_example_bytes_2_1_1(name)
    token = spec("2.1.1").token.model_validate_json(raw)
    assert json.dumps(json.loads(token.model_dump_json()), indent=2) == raw.decode().rstrip("\n")


def test_2_1_1_bundled_examples_are_the_published_text():
    """The 2.1.1 examples are excerpts of Markdown code blocks of the spec sources."""
    sources = need("2.1.1")
    text = (sources / "mod_tokens.md").read_text() + (sources / "transport_and_format.md").read_text()
    for name in SPEC_EXAMPLES_2_1_1:
        assert spec_example_bytes_2_1_1(name).decode() in text, name


@pytest.mark.rule("field.required", "field.unknown")
def test_2_1_1_transport_example_does_not_conform_to_its_own_token_table():
    """Spec erratum: the 2.1.1 Tokens GET example uses allow_whitelist, a field 2.1.1 does not have."""
    token = spec_example_2_1_1("transport_and_format_get_token_example")["data"]
    report = check_start_session({"response_url": URL, "token": token, "location_id": "L"}, version="2.1.1")
    assert errors(report) == {("field.required", "/token/whitelist"), ("field.required", "/token/last_updated")}
    assert ("field.unknown", "/token/allow_whitelist") in {(f.rule, f.pointer) for f in report.findings}


@pytest.mark.rule("commands.v211-response-either-shape")
@pytest.mark.parametrize("data", ["ACCEPTED", {"result": "ACCEPTED"}])
def test_2_1_1_command_response_is_read_in_either_shape(data):
    assert read_command_response(data).result.value == "ACCEPTED"


@pytest.mark.rule("commands.v211-response-either-shape", "type.enum")
@pytest.mark.parametrize("data", ["SUCCESSFUL", {"result": "UNKOWN_LOCATION"}, {"result": None}, 42])
def test_2_1_1_command_response_still_needs_a_listed_value(data):
    """The 2.1.1 diagrams' labels (SUCCESSFUL, UNKOWN_LOCATION) are not CommandResponseType values."""
    with pytest.raises(ValidationError):
        read_command_response(data)


def test_2_1_1_timeout_is_a_command_response_value_and_2_2_moved_it():
    assert "TIMEOUT" in {m.value for m in spec("2.1.1").enums["CommandResponseType"]}
    assert "TIMEOUT" not in {m.value for m in spec("2.2").enums["CommandResponseType"]}
    assert "TIMEOUT" in {m.value for m in spec("2.2").enums["CommandResultType"]}
    assert "timeout" not in spec("2.1.1").command_response.model_fields
    assert spec("2.1.1").command_result is None


def test_version_helpers():
    assert from_version("2.2") == ("2.2", "2.2.1", "2.3.0")
    assert from_version("2.1.1", "2.2") == ("2.1.1", "2.2")
    with pytest.raises(ValueError, match="unknown OCPI version '2.4'"):
        version_key("2.4")
    with pytest.raises(ValueError, match="2.1.1, 2.2, 2.2.1, 2.3.0"):
        check_start_session({}, version="3.0")
