"""Conversion between versions: round trips without loss, every loss listed, refusals named."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given

from ocpi_ref.checker import check_start_session
from ocpi_ref.convert import convert_start_session
from ocpi_ref.findings import Severity
from ocpi_ref.party import PartyId
from ocpi_ref.v2_1_1.examples import spec_example as spec_example_2_1_1
from ocpi_ref.versions import VERSIONS

from strategies import SETTINGS, start_sessions

URL = "https://emsp.example.com/ocpi/commands/START_SESSION/42"


@pytest.fixture
def start_2_1_1() -> dict[str, Any]:
    return {"response_url": URL, "token": spec_example_2_1_1("token_object_example"), "location_id": "LOC1", "evse_uid": "E1"}


def losses(conversion) -> set[tuple[str, str]]:
    return {(f.rule, f.pointer) for f in conversion.losses}


@pytest.mark.rule("convert.field-dropped")
@pytest.mark.parametrize(("source", "target"), [("2.2", "2.2.1"), ("2.2.1", "2.3.0"), ("2.2", "2.3.0")])
def test_upgrades_without_new_fields_are_lossless_and_round_trip(start_session, source, target):
    doc = {k: v for k, v in start_session.items() if k != "connector_id"}
    up = convert_start_session(doc, source, target)
    assert up.lossless and up.document == doc
    down = convert_start_session(up.document, target, source)
    assert down.lossless and down.document == doc


@pytest.mark.rule("convert.owner-from-context", "convert.field-dropped")
def test_2_1_1_up_and_back_restores_the_document(start_2_1_1):
    up = convert_start_session(start_2_1_1, "2.1.1", "2.3.0", owner="NL-TNM")
    assert up.lossless, str(up)
    token = up.document["token"]
    assert (token["country_code"], token["party_id"], token["contract_id"]) == ("NL", "TNM", "DE8ACC12E46L89")
    assert list(token)[:5] == ["country_code", "party_id", "uid", "type", "contract_id"]
    down = convert_start_session(up.document, "2.3.0", "2.1.1")
    assert down.document == start_2_1_1
    # the owner goes back into the credentials, so its loss from the payload is listed
    assert losses(down) == {("convert.field-dropped", "/token/country_code"), ("convert.field-dropped", "/token/party_id")}


@pytest.mark.rule("convert.owner-from-context")
def test_upgrading_2_1_1_without_owner_is_refused(start_2_1_1):
    done = convert_start_session(start_2_1_1, "2.1.1", "2.2")
    assert not done.ok and done.document is None
    assert [(f.rule, f.severity, f.pointer) for f in done.findings] == [
        ("convert.owner-from-context", Severity.ERROR, "/token")
    ]
    assert convert_start_session(start_2_1_1, "2.1.1", "2.2", owner=PartyId("nl", "tnm")).document["token"]["party_id"] == "tnm"


@pytest.mark.rule("convert.owner-from-context", "convert.field-dropped")
def test_the_owner_given_wins_over_unknown_owner_fields_of_a_2_1_1_token(start_2_1_1):
    doc = {**start_2_1_1, "token": {**start_2_1_1["token"], "country_code": "NL", "party_id": "XYZ"}}
    done = convert_start_session(doc, "2.1.1", "2.2.1", owner="DE-TNM")
    assert (done.document["token"]["country_code"], done.document["token"]["party_id"]) == ("DE", "TNM")
    assert losses(done) == {("convert.field-dropped", "/token/country_code"), ("convert.field-dropped", "/token/party_id")}


@pytest.mark.rule("convert.field-dropped", "convert.value-replaced")
def test_downgrading_2_2_1_to_2_1_1_lists_exactly_what_is_lost(start_session, app_token):
    doc = {**start_session, "token": app_token, "authorization_reference": "AUTH-1"}
    done = convert_start_session(doc, "2.2.1", "2.1.1")
    assert done.ok and not done.lossless
    assert losses(done) == {
        ("convert.field-dropped", "/connector_id"),
        ("convert.field-dropped", "/authorization_reference"),
        ("convert.field-dropped", "/token/country_code"),
        ("convert.field-dropped", "/token/party_id"),
        ("convert.value-replaced", "/token/type"),
    }
    assert done.document["token"]["type"] == "OTHER"
    assert done.document["token"]["auth_id"] == app_token["contract_id"]
    assert "APP_USER" in next(f.message for f in done.losses if f.rule == "convert.value-replaced")
    assert check_start_session(done.document, version="2.1.1").conforms


@pytest.mark.rule("convert.field-dropped", "convert.value-replaced")
@pytest.mark.parametrize(
    ("source", "target", "token_type"),
    [("2.2.1", "2.1.1", "RFID"), ("2.3.0", "2.1.1", "EMAID"), ("2.3.0", "2.2", "EMAID")],
)
def test_every_loss_names_the_target_version_not_a_step_on_the_way(
    start_session, rfid_token, source, target, token_type
):
    doc = {**start_session, "token": {**rfid_token, "type": token_type}}
    done = convert_start_session(doc, source, target)
    assert done.ok and done.losses
    assert ("convert.field-dropped", "/connector_id") in losses(done)
    for loss in done.losses:
        named = set(re.findall(r"OCPI (\d+\.\d+(?:\.\d+)?)", loss.message))
        assert named == {target}, f"{loss.pointer}: {loss.message}"


@pytest.mark.rule("convert.field-dropped")
def test_every_token_field_2_1_1_lacks_is_listed(start_session, rfid_token):
    done = convert_start_session({**start_session, "token": rfid_token}, "2.2", "2.1.1")
    dropped = {p for rule, p in losses(done) if rule == "convert.field-dropped"}
    assert {"/token/group_id", "/token/default_profile_type", "/token/energy_contract"} <= dropped
    assert "/connector_id" not in dropped  # a 2.2 document has none (it would be unknown there)


@pytest.mark.rule("convert.field-dropped")
def test_a_null_optional_field_is_dropped_as_information_not_loss(start_session):
    doc = {**start_session, "authorization_reference": None}
    done = convert_start_session({k: v for k, v in doc.items() if k != "connector_id"}, "2.2", "2.1.1")
    info = [f for f in done.findings if f.pointer == "/authorization_reference"]
    assert [f.severity for f in info] == [Severity.INFO]
    assert "authorization_reference" not in done.document


@pytest.mark.rule("convert.not-representable", "convert.field-dropped", "type.string")
def test_non_ascii_text_going_to_2_1_1(start_session, rfid_token):
    optional = {**start_session, "token": {**rfid_token, "visual_number": "Karte Nr. 7 – grün"}}
    done = convert_start_session(optional, "2.2.1", "2.1.1")
    assert ("convert.field-dropped", "/token/visual_number") in losses(done)
    assert "visual_number" not in done.document["token"]
    required = {**start_session, "token": {**rfid_token, "issuer": "Énergie"}}
    refused = convert_start_session(required, "2.2.1", "2.1.1")
    assert refused.document is None
    assert ("convert.not-representable", "/token/issuer") in {(f.rule, f.pointer) for f in refused.findings}


@pytest.mark.rule("convert.not-representable")
def test_2_1_1_ids_longer_than_36_cannot_go_up(start_2_1_1):
    doc = {**start_2_1_1, "location_id": "L" * 39}
    done = convert_start_session(doc, "2.1.1", "2.2.1", owner="NL-TNM")
    assert done.document is None
    assert [(f.rule, f.pointer) for f in done.findings] == [("convert.not-representable", "/location_id")]


@pytest.mark.rule("convert.value-replaced", "type.open-enum")
@pytest.mark.parametrize("value", ["EMAID", "SOMETHING_NEW"])
def test_2_3_0_token_types_unknown_to_2_2_1_become_other(start_session, rfid_token, value):
    doc = {**start_session, "token": {**rfid_token, "type": value}}
    done = convert_start_session(doc, "2.3.0", "2.2.1")
    assert losses(done) == {("convert.value-replaced", "/token/type")}
    assert done.document["token"]["type"] == "OTHER"
    assert check_start_session(done.document, version="2.2.1").conforms


@pytest.mark.rule("field.required")
def test_a_nonconforming_source_is_not_converted(start_session):
    broken = {k: v for k, v in start_session.items() if k != "location_id"}
    done = convert_start_session(broken, "2.2.1", "2.2")
    assert done.document is None
    assert [(f.rule, f.pointer) for f in done.findings] == [("field.required", "/location_id")]


@pytest.mark.rule("field.unknown", "convert.field-dropped")
def test_unknown_fields_travel_unchanged_and_case_is_kept(start_session):
    doc = {**start_session, "location_id": "Loc-MiXeD", "x_vendor": {"a": 1}}
    done = convert_start_session(json.dumps(doc), "2.2.1", "2.3.0")
    assert done.document == doc


@pytest.mark.rule("convert.field-dropped")
@given(start_sessions())
@SETTINGS
def test_generated_start_sessions_survive_2_2_1_to_2_3_0_and_back(doc):
    up = convert_start_session(doc, "2.2.1", "2.3.0")
    assert up.lossless and up.document == doc
    down = convert_start_session(doc, "2.2.1", "2.2")
    dropped = {f.pointer for f in down.findings if f.rule == "convert.field-dropped"}
    assert dropped == ({"/connector_id"} if "connector_id" in doc else set())
    assert check_start_session(down.document, version="2.2").conforms


@pytest.mark.parametrize("source", VERSIONS)
def test_converting_to_the_same_version_changes_nothing(start_session, start_2_1_1, source):
    doc = start_2_1_1 if source == "2.1.1" else start_session
    if source == "2.2":
        doc = {k: v for k, v in doc.items() if k != "connector_id"}
    done = convert_start_session(doc, source, source)
    assert done.lossless and done.document == doc


@pytest.mark.rule("convert.field-dropped")
def test_an_unknown_member_named_like_the_renamed_field_is_dropped_and_listed():
    """A 2.1.1 Token's unknown contract_id must not overwrite the one built from auth_id (and a
    2.2.1 Token's unknown auth_id not the one built from contract_id), nor vanish unlisted."""
    token = {"uid": "1", "type": "RFID", "auth_id": "A1", "issuer": "I", "valid": True,
             "whitelist": "ALLOWED", "last_updated": "2026-01-01T00:00:00Z", "contract_id": "EVIL"}
    up = convert_start_session({"response_url": "https://x.example.com/a", "token": token, "location_id": "L"},
                               "2.1.1", "2.2.1", owner="NL-TNM")
    assert up.document["token"]["contract_id"] == "A1"
    assert [(f.rule, f.pointer) for f in up.losses] == [("convert.field-dropped", "/token/contract_id")]
    down_token = {**up.document["token"], "auth_id": "EVIL"}
    down = convert_start_session({**up.document, "token": down_token}, "2.2.1", "2.1.1")
    assert down.document["token"]["auth_id"] == "A1"
    assert ("convert.field-dropped", "/token/auth_id") in [(f.rule, f.pointer) for f in down.losses]
