"""Models: the spec's field tables, JSON in and out, round-trips of the spec's examples."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from ocpi_ref import (
    CdrToken,
    CommandResponse,
    CommandResult,
    DisplayText,
    OcpiResponse,
    StartSession,
    Token,
    check_start_session,
)
from ocpi_ref.shape import fields_of
from ocpi_ref.v2_2_1.examples import SPEC_EXAMPLES, spec_example, spec_example_bytes
from spec_sources import need

TOKEN_EXAMPLES = ["token_example_1_app_user", "token_example_2_full_rfid", "token_put_example"]


def _compact(raw: bytes) -> str:
    return json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)


@pytest.mark.rule("field.required", "type.cistring", "type.string", "type.datetime")
@pytest.mark.parametrize("name", TOKEN_EXAMPLES)
def test_spec_token_examples_round_trip_unchanged(name):
    raw = spec_example_bytes(name)
    token = Token.model_validate_json(raw)
    assert token.model_dump_json() == _compact(raw)  # same members, same order, same text


def test_spec_envelope_example_round_trips():
    raw = spec_example_bytes("transport_and_format_get_token_example")
    envelope = OcpiResponse[Token].model_validate_json(raw)
    assert envelope.status_code == 1000 and envelope.data.uid == "012345678"
    assert envelope.model_dump_json() == _compact(raw)


def test_error_envelope_without_data():
    raw = '{"status_code": 2001, "status_message": "Missing required field: type", "timestamp": "2015-06-30T21:59:59Z"}'
    envelope = OcpiResponse[CommandResponse].model_validate_json(raw)
    assert envelope.data is None
    assert "data" not in json.loads(envelope.model_dump_json())


def test_displaytext_example():
    text = DisplayText.model_validate_json(spec_example_bytes("type_displaytext_example"))
    assert (text.language, text.text) == ("en", "Standard Tariff")


# SHA-256 prefixes of the files as published at tag 2.2.1: an edit to a bundled copy fails here.
PUBLISHED_SHA256 = {
    "token_example_1_app_user": "11c29b7d86353e2a",
    "token_example_2_full_rfid": "cfd4f702154cebd6",
    "token_patch_example": "0c1b173ed11d72d9",
    "token_put_example": "8649d2de14d2310c",
    "transport_and_format_get_token_example": "d3b13c1d3d2f03d0",
    "type_displaytext_example": "c98e18e4c1b215ad",
}


def test_bundled_examples_are_the_published_bytes():
    digests = {n: hashlib.sha256(spec_example_bytes(n)).hexdigest()[:16] for n in SPEC_EXAMPLES}
    assert digests == PUBLISHED_SHA256
    assert spec_example("token_patch_example") == {"valid": False, "last_updated": "2019-06-19T02:11:11Z"}


def test_bundled_examples_match_the_spec_sources_when_present():
    """Compare with the verbatim spec sources (spec/ocpi-src, or OCPI_SPEC_SRC)."""
    sources = need("2.2.1", "examples")
    for name in SPEC_EXAMPLES:
        assert spec_example_bytes(name) == (sources / f"{name}.json").read_bytes(), name


@pytest.mark.rule("field.required")
def test_field_tables_match_the_spec():
    def table(model):
        return {name: (shape.label, "1" if shape.required else "?") for name, shape in fields_of(model).items()}

    assert table(StartSession) == {
        "response_url": ("URL", "1"),
        "token": ("Token", "1"),
        "location_id": ("CiString(36)", "1"),
        "evse_uid": ("CiString(36)", "?"),
        "connector_id": ("CiString(36)", "?"),
        "authorization_reference": ("CiString(36)", "?"),
    }
    assert table(Token) == {
        "country_code": ("CiString(2)", "1"),
        "party_id": ("CiString(3)", "1"),
        "uid": ("CiString(36)", "1"),
        "type": ("TokenType", "1"),
        "contract_id": ("CiString(36)", "1"),
        "visual_number": ("string(64)", "?"),
        "issuer": ("string(64)", "1"),
        "group_id": ("CiString(36)", "?"),
        "valid": ("boolean", "1"),
        "whitelist": ("WhitelistType", "1"),
        "language": ("string(2)", "?"),
        "default_profile_type": ("ProfileType", "?"),
        "energy_contract": ("EnergyContract", "?"),
        "last_updated": ("DateTime", "1"),
    }
    assert list(fields_of(CdrToken)) == ["country_code", "party_id", "uid", "type", "contract_id"]
    assert table(CommandResponse) == {
        "result": ("CommandResponseType", "1"),
        "timeout": ("integer", "1"),
        "message": ("list of DisplayText", "?"),
    }
    assert table(CommandResult) == {"result": ("CommandResultType", "1"), "message": ("list of DisplayText", "?")}


@pytest.mark.rule("field.required")
def test_optional_fields_may_be_omitted_or_null_and_dump_as_received(start_session):
    for name in ("evse_uid", "connector_id", "authorization_reference"):
        start_session.pop(name)
    omitted = StartSession.model_validate_json(json.dumps(start_session))
    assert "evse_uid" not in json.loads(omitted.model_dump_json())
    nulled = StartSession.model_validate_json(json.dumps(dict(start_session, authorization_reference=None)))
    assert json.loads(nulled.model_dump_json())["authorization_reference"] is None


@pytest.mark.rule("field.required")
def test_required_fields_missing_or_null_are_reported_at_their_pointer(start_session):
    del start_session["response_url"]
    start_session["token"]["last_updated"] = None
    report = check_start_session(start_session)
    assert [(f.rule, f.pointer) for f in report.errors] == [
        ("field.required", "/response_url"),
        ("field.required", "/token/last_updated"),
    ]
    assert "missing" in report.errors[0].message and "null" in report.errors[1].message


def test_python_constructed_models_dump_only_what_was_set(rfid_token):
    token = Token.model_validate(rfid_token)
    start = StartSession(response_url="https://e.example/cb/1", token=token, location_id="L1")
    assert set(json.loads(start.model_dump_json())) == {"response_url", "token", "location_id"}


@pytest.mark.rule("field.unknown")
def test_unknown_fields_are_kept_and_reported_as_information(start_session):
    start_session["vendor_hint"] = {"priority": 2}
    start_session["token"]["x-tenant"] = "A/B~C"
    raw = json.dumps(start_session)
    model = StartSession.model_validate_json(raw)
    assert model.extra_fields == {"vendor_hint": {"priority": 2}}
    out = json.loads(model.model_dump_json())
    assert out["vendor_hint"] == {"priority": 2} and out["token"]["x-tenant"] == "A/B~C"
    report = check_start_session(raw)
    assert report.conforms
    assert sorted((f.severity.value, f.pointer) for f in report.findings) == [
        ("info", "/token/x-tenant"),
        ("info", "/vendor_hint"),
    ]


@pytest.mark.rule("start-session.connector-requires-evse")
def test_empty_evse_uid_counts_as_set(start_session):
    start_session["evse_uid"] = ""
    assert StartSession.model_validate_json(json.dumps(start_session)).evse_uid == ""
    assert "start-session.connector-requires-evse" not in check_start_session(start_session).rules


def test_command_result_and_response_json():
    result = CommandResult.model_validate_json('{"result": "EVSE_OCCUPIED", "message": [{"language": "en", "text": "busy"}]}')
    assert result.result.value == "EVSE_OCCUPIED" and result.message[0].text == "busy"
    with pytest.raises(ValidationError):
        CommandResponse.model_validate_json('{"result": "TIMEOUT", "timeout": 30}')  # TIMEOUT is a result, not a response in 2.2.1


@pytest.mark.rule("start-session.connector-requires-evse")
@pytest.mark.parametrize(("evse", "word"), [(None, "null"), ("omit", "missing")])
def test_strict_path_refuses_connector_without_evse(start_session, evse, word):
    if evse == "omit":
        del start_session["evse_uid"]
    else:
        start_session["evse_uid"] = evse
    with pytest.raises(ValidationError) as exc:
        StartSession.model_validate_json(json.dumps(start_session))
    assert "start-session.connector-requires-evse" in str(exc.value)
    assert f"evse_uid is {word}" in str(exc.value)


@pytest.mark.rule("json.syntax")
def test_a_byte_order_mark_gets_one_answer_from_the_model_and_the_checker(start_session):
    """RFC 8259 §8.1 lets a parser ignore a BOM: the checker does (with a warning), so must the model."""
    from ocpi_ref import check_start_session

    text = json.dumps(start_session)
    for data in (b"\xef\xbb\xbf" + text.encode(), "\ufeff" + text):
        assert StartSession.model_validate_json(data) == StartSession.model_validate_json(text)
        assert check_start_session(data).conforms is True
