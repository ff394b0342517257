"""The OCPI types (OCPI 2.2.1 §16): CiString, string, URL, DateTime, strict JSON types."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from ocpi_ref import CiString, DateTime, Token, check_start_session

pytestmark = pytest.mark.filterwarnings("error")


def _with_token(start_session, **changes):
    doc = dict(start_session)
    doc["token"] = dict(doc["token"], **changes)
    return doc


# ---- CiString ---------------------------------------------------------------------------

@pytest.mark.rule("type.cistring")
def test_cistring_keeps_case_on_the_way_in_and_out(rfid_token):
    raw = json.dumps(dict(rfid_token, party_id="tNm", uid="AbC-def"))
    token = Token.model_validate_json(raw)
    assert str(token.party_id) == "tNm" and str(token.uid) == "AbC-def"
    out = json.loads(token.model_dump_json())
    assert out["party_id"] == "tNm" and out["uid"] == "AbC-def"


@pytest.mark.rule("type.cistring")
def test_cistring_compares_and_hashes_without_case():
    a, b = CiString("DE-TNM-1"), CiString("de-tnm-1")
    assert a == b and hash(a) == hash(b)
    assert a == "De-Tnm-1" and "de-TNM-1" == a
    assert a != CiString("DE-TNM-2")
    assert {a, b} == {a} and len({a, b}) == 1
    assert str(b) == "de-tnm-1"


@pytest.mark.rule("type.cistring")
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("ABC\n", "U+000A (line feed) at position 3"),
        ("caf\u00e9", "U+00E9"),
        ("tab\there", "U+0009 (tab)"),
    ],
)
def test_cistring_allows_printable_ascii_only(start_session, value, fragment):
    report = check_start_session(dict(start_session, location_id=value))
    (finding,) = report.at("/location_id")
    assert finding.rule == "type.cistring" and fragment in finding.message


@pytest.mark.rule("type.cistring")
def test_cistring_length_counts_characters(start_session):
    assert check_start_session(dict(start_session, location_id="x" * 36)).conforms
    report = check_start_session(dict(start_session, location_id="x" * 37))
    (finding,) = report.at("/location_id")
    assert finding.rule == "type.cistring"
    assert "at most 36 characters, got 37" in finding.message


@pytest.mark.rule("type.cistring")
def test_cistring_two_and_three(start_session):
    report = check_start_session(_with_token(start_session, country_code="DEU", party_id="TNMX"))
    assert {f.pointer for f in report.errors} == {"/token/country_code", "/token/party_id"}
    assert report.rules == {"type.cistring"}


# ---- string -----------------------------------------------------------------------------

@pytest.mark.rule("type.string")
def test_string_accepts_printable_utf8(start_session):
    assert check_start_session(_with_token(start_session, issuer="Stadtwerke München ⚡")).conforms


@pytest.mark.rule("type.string")
@pytest.mark.parametrize("value", ["line\nbreak", "carriage\rreturn", "nul\x00", "del\x7f", "c1\x85"])
def test_string_refuses_control_characters(start_session, value):
    report = check_start_session(_with_token(start_session, issuer=value))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.string", "/token/issuer")
    assert "no control characters" in finding.message


@pytest.mark.rule("type.string")
def test_string_length(start_session):
    assert check_start_session(_with_token(start_session, issuer="é" * 64)).conforms
    report = check_start_session(_with_token(start_session, issuer="é" * 65))
    assert [(f.rule, f.pointer) for f in report.errors] == [("type.string", "/token/issuer")]


# ---- URL --------------------------------------------------------------------------------

@pytest.mark.rule("type.url")
@pytest.mark.parametrize(
    "url",
    [
        "https://emsp.example.com/ocpi/emsp/2.2.1/commands/START_SESSION/42",
        "http://127.0.0.1:8080/cb?id=1&x=%20#frag",
        "https://[::1]:9000/results",
    ],
)
def test_url_accepts_absolute_urls(start_session, url):
    assert check_start_session(dict(start_session, response_url=url)).conforms


@pytest.mark.rule("type.url")
@pytest.mark.parametrize(
    "url",
    [
        "/relative/path",
        "emsp.example.com/cb",
        "https://",
        "https://host/with space",
        "https://host/\u00e9",
        "",
    ],
)
def test_url_refuses_what_is_not_an_absolute_url(start_session, url):
    report = check_start_session(dict(start_session, response_url=url))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.url", "/response_url")


@pytest.mark.rule("type.url")
def test_url_at_most_255_characters(start_session):
    base = "https://e.example/"
    assert check_start_session(dict(start_session, response_url=base + "a" * (255 - len(base)))).conforms
    report = check_start_session(dict(start_session, response_url=base + "a" * (256 - len(base))))
    (finding,) = report.errors
    assert finding.rule == "type.url" and "255" in finding.message


# ---- DateTime ---------------------------------------------------------------------------

SPEC_ALLOWED = [
    "2015-06-29T20:39:09Z",
    "2015-06-29T20:39:09",
    "2016-12-29T17:45:09.2Z",
    "2016-12-29T17:45:09.2",
    "2018-01-01T01:08:01.123Z",
    "2018-01-01T01:08:01.123",
]


@pytest.mark.rule("type.datetime")
@pytest.mark.parametrize("value", SPEC_ALLOWED + ["2024-02-29T23:59:59Z", "2000-02-29T00:00:00", "0001-01-01T00:00:00Z", "2018-01-01T01:08:01.1234Z", "2018-01-01T01:08:01.12345"])
def test_datetime_accepts_the_spec_forms_and_keeps_the_text(rfid_token, value):
    token = Token.model_validate_json(json.dumps(dict(rfid_token, last_updated=value)))
    assert DateTime(token.last_updated).to_datetime().tzname() == "UTC"
    assert json.loads(token.model_dump_json())["last_updated"] == value


@pytest.mark.rule("type.datetime")
@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2015-06-29T20:39:09+00:00", "numeric offsets"),
        ("2015-06-29T22:39:09+02:00", "numeric offsets"),
        ("2015-06-29T20:39:09-0000", "numeric offsets"),
        ("2015-06-29 20:39:09Z", "space"),
        ("2015-06-29t20:39:09Z", "upper case"),
        ("2015-06-29T20:39:09z", "upper case"),
        ("2023-02-30T10:00:00Z", "no such date"),
        ("2023-02-29T10:00:00Z", "no such date"),
        ("1900-02-29T10:00:00Z", "no such date"),
        ("2023-04-31T10:00:00", "no such date"),
        ("2023-02-28T24:00:00Z", "no such date"),
        ("2016-12-31T23:59:60Z", "no such date"),
        ("2015-06-29", "form OCPI allows"),
        ("2018-01-01T01:08:01.12345Z", "at most 25"),
        ("1435610349", "form OCPI allows"),
    ],
)
def test_datetime_refuses_other_forms(start_session, value, why):
    report = check_start_session(_with_token(start_session, last_updated=value))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.datetime", "/token/last_updated")
    assert why in finding.message


def test_datetime_to_datetime_is_utc():
    assert DateTime("2016-12-29T17:45:09.2").to_datetime().isoformat() == "2016-12-29T17:45:09.200000+00:00"
    assert DateTime("2016-12-29T17:45:09Z").to_datetime().tzname() == "UTC"


# ---- strict JSON types ------------------------------------------------------------------

@pytest.mark.rule("type.json")
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("valid", "yes", "boolean"),
        ("valid", 1, "boolean"),
        ("uid", 12345678905880, "string"),
        ("issuer", True, "string"),
        ("energy_contract", "Greenpeace", "object"),
    ],
)
def test_no_coercion_between_json_types(start_session, field, value, expected):
    report = check_start_session(_with_token(start_session, **{field: value}))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.json", f"/token/{field}")
    assert f"must be a JSON {expected}" in finding.message


@pytest.mark.rule("type.json")
def test_strict_path_refuses_number_for_string(start_session):
    with pytest.raises(ValidationError):
        Token.model_validate_json(json.dumps(dict(start_session["token"], uid=42)))


@pytest.mark.rule("type.enum")
@pytest.mark.parametrize(("field", "value"), [("type", "rfid"), ("whitelist", "SOMETIMES"), ("default_profile_type", "Green")])
def test_enums_are_closed_and_case_sensitive(start_session, field, value):
    report = check_start_session(_with_token(start_session, **{field: value}))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.enum", f"/token/{field}")
    assert repr(value) in finding.message and "allowed:" in finding.message


@pytest.mark.rule("type.range")
def test_command_response_timeout_not_negative():
    from ocpi_ref import CommandResponse

    assert CommandResponse.model_validate_json('{"result": "ACCEPTED", "timeout": 30}').timeout == 30
    with pytest.raises(ValidationError) as exc:
        CommandResponse.model_validate_json('{"result": "ACCEPTED", "timeout": -1}')
    assert exc.value.errors()[0]["loc"] == ("timeout",)
