"""Two verdicts, never mixed: ``conforms`` (the spec's) and ``accepted`` (this reference's receiver).

A finding of a ``policy`` rule never makes a document non-conforming; the reference refuses
such a document all the same, and says which of its own limits it hit. Input beyond the limits
costs bounded time and never raises.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from ocpi_ref import RULES, Severity, check_start_session
from ocpi_ref.checker import check_start_session_model
from ocpi_ref.jsondoc import DEFAULT_MAX_DEPTH, MAX_DIGITS
from ocpi_ref.flow.decision import decide_start_session
from ocpi_ref.flow.topology import ChargePoint, Evse, Location

pytestmark = pytest.mark.filterwarnings("error")


def _with_unknown(start_session, value) -> str:
    """The StartSession text with one unknown member holding *value* (as JSON text)."""
    return json.dumps(start_session)[:-1] + f', "x-extension": {value}}}'


def _nested(depth: int) -> str:
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


# ---- the spec's verdict ignores the reference's limits ----------------------------------

@pytest.mark.rule("json.limits", "field.unknown")
def test_a_5000_digit_integer_in_an_unknown_field_conforms_and_is_refused(start_session):
    raw = _with_unknown(start_session, "9" * 5000)
    for version in ("2.2.1", "2.3.0"):
        report = check_start_session(raw, version=version)
        assert report.conforms is True and report.accepted is False
        (refusal,) = report.refusals
        assert (refusal.rule, refusal.pointer) == ("json.limits", "/x-extension")
        assert f"over the limit of {MAX_DIGITS}" in refusal.message
        assert "the spec has no limit" in refusal.message and "4300" not in refusal.message
        assert report.violations == ()


@pytest.mark.rule("json.limits")
def test_a_long_number_in_a_known_field_is_a_type_error_not_a_crash(start_session):
    raw = json.dumps(start_session).replace('"LOC-0001"', "-" + "7" * 5000)
    report = check_start_session(raw)
    assert report.conforms is False
    assert ("type.json", "/location_id") in {(f.rule, f.pointer) for f in report.violations}
    assert any("must be a JSON string" in f.message and "got number" in f.message for f in report.violations)


@pytest.mark.rule("json.limits")
def test_a_50_deep_value_in_an_unknown_field_of_2_3_0_is_conforming_and_accepted(start_session):
    report = check_start_session(_with_unknown(start_session, _nested(50)), version="2.3.0")
    assert report.conforms is True and report.accepted is True
    assert {f.rule for f in report.findings} == {"field.unknown"}


@pytest.mark.rule("json.limits")
def test_nesting_beyond_the_limit_is_refused_and_the_rest_still_checked(start_session):
    start_session["location_id"] = 7  # a real spec error, outside the deep value
    report = check_start_session(_with_unknown(start_session, _nested(DEFAULT_MAX_DEPTH + 10)))
    assert report.conforms is False and report.accepted is False
    assert [(f.rule, f.pointer) for f in report.violations] == [("type.json", "/location_id")]
    (refusal,) = report.refusals
    assert refusal.message.startswith(f"nesting deeper than {DEFAULT_MAX_DEPTH} levels")
    assert "this reference refuses it to protect itself; the spec has no limit" in refusal.message
    del start_session["location_id"]


@pytest.mark.rule("json.limits")
@pytest.mark.parametrize("as_text", [True, False])
def test_a_depth_limit_shallower_than_the_fields_leaves_conformance_unknown(start_session, as_text):
    doc = json.dumps(start_session) if as_text else start_session
    report = check_start_session(doc, max_depth=2)
    assert report.conforms is None and report.accepted is False
    assert [f.pointer for f in report.refusals] == ["/token/energy_contract"] and not report.violations
    start_session["location_id"] = 7
    assert check_start_session(json.dumps(start_session), max_depth=2).conforms is False


@pytest.mark.rule("json.limits")
def test_a_parsed_object_nested_too_deep_is_cut_in_a_copy_never_changed(start_session):
    start_session["x-extension"] = json.loads(_nested(DEFAULT_MAX_DEPTH + 5))
    before = json.dumps(start_session)
    report = check_start_session(start_session)
    assert report.conforms is True and report.accepted is False and report.complete
    assert json.dumps(start_session) == before
    text = check_start_session(before)
    assert [f.pointer for f in text.refusals] == [f.pointer for f in report.refusals]


@pytest.mark.rule("json.limits")
def test_too_deep_to_parse_or_too_large_to_read_leaves_conformance_unknown(start_session):
    deep = check_start_session("[" * 100_000 + "]" * 100_000, max_bytes=10**6)
    assert deep.conforms is None and deep.accepted is False and deep.rules == {"json.limits"}
    start_session["padding"] = "x" * 70_000
    big = check_start_session(json.dumps(start_session).encode())
    assert big.conforms is None and big.accepted is False
    assert str(big).startswith("OCPI 2.2.1 StartSession: conformance unknown; refused by this reference")
    (refusal,) = big.refusals
    assert "over the limit of 65536" in refusal.message
    assert big.to_dict()["conforms"] is None


@pytest.mark.rule("json.limits")
@pytest.mark.parametrize(
    "text",
    [
        "[" * 60_000,
        '{"a":' * 30_000,
        "[" * 500 + "1" * 30_000 + "]" * 500,
        '{"n": ' + "1" * 60_000 + "}",
        "[" + ",".join(["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"] * 400) + "]",
    ],
)
def test_hostile_input_costs_bounded_time_and_never_raises(text):
    started = time.perf_counter()
    report = check_start_session(text)
    assert time.perf_counter() - started < 2.0
    assert "checker.internal-error" not in report.rules


@pytest.mark.rule("json.limits")
def test_a_refused_document_yields_no_model_and_the_cpo_refuses_it(start_session):
    raw = _with_unknown(start_session, "9" * 5000)
    report, model = check_start_session_model(raw)
    assert report.conforms is True and model is None
    locations = [Location("LOC-0001", (ChargePoint("CP-1", (Evse("EVSE-0001-1", ("1",)),)),))]
    decision = decide_start_session(raw.encode(), sender="DE-TNM", locations=locations)
    assert not decision.accepted and decision.rule == "json.limits"
    assert decide_start_session(json.dumps(start_session).encode(), sender="DE-TNM", locations=locations).accepted


# ---- duplicate names and the byte order mark: conforming, with a warning -----------------

@pytest.mark.rule("json.duplicate-key")
def test_duplicate_member_names_conform_with_a_warning(start_session):
    raw = json.dumps(start_session).replace('"uid": "12345678905880"', '"uid": "12345678905880", "uid": "OTHER"')
    report = check_start_session(raw)
    assert report.conforms is True and report.accepted is True
    (finding,) = report.findings
    assert (finding.rule, finding.severity, finding.pointer) == ("json.duplicate-key", Severity.WARNING, "/token/uid")
    assert "SHOULD be unique" in finding.message and "last value" in finding.message


@pytest.mark.rule("json.syntax")
@pytest.mark.parametrize("as_bytes", [True, False])
def test_a_byte_order_mark_is_ignored_with_a_warning(start_session, as_bytes):
    text = "\ufeff" + json.dumps(start_session)
    report = check_start_session(text.encode() if as_bytes else text)
    assert report.conforms is True and report.accepted is True
    (finding,) = report.findings
    assert (finding.rule, finding.severity) == ("json.syntax", Severity.WARNING)
    assert "RFC 8259" in finding.message


# ---- every error is a spec violation or a named refusal ---------------------------------

def test_only_policy_rules_refuse_and_only_spec_rules_violate(start_session):
    start_session["location_id"] = 7
    raw = _with_unknown(start_session, _nested(DEFAULT_MAX_DEPTH + 1))
    report = check_start_session(raw)
    for finding in report.violations:
        assert RULES[finding.rule].basis_in("2.2.1").is_spec
    for finding in report.refusals:
        assert not RULES[finding.rule].basis_in("2.2.1").is_spec
    assert set(report.errors) == set(report.violations) | set(report.refusals)
    assert str(report).splitlines()[0] == (
        "OCPI 2.2.1 StartSession: does not conform; refused by this reference (1 error, 1 refusal, 1 info)"
    )
    lines = str(report).splitlines()
    assert any(line.strip().startswith("/x-extension/a/a") and ": refused: " in line for line in lines)
    dumped = report.to_dict()
    assert dumped["accepted"] is False
    assert {f["rule"]: f["policy"] for f in dumped["findings"]} == {
        "type.json": False,
        "json.limits": True,
        "field.unknown": True,
    }


# ---- the command line: both verdicts shown, the exit code follows conforms ---------------

def _cli(*args: str, stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ocpi_ref", *args], input=stdin, capture_output=True, timeout=60
    )


@pytest.mark.rule("json.limits")
def test_check_exit_code_follows_conforms_and_shows_the_refusal(start_session):
    refused = _cli("check", "-", stdin=_with_unknown(start_session, "9" * 5000).encode())
    assert refused.returncode == 0
    assert refused.stdout.decode().startswith("OCPI 2.2.1 StartSession: conforms; refused by this reference")
    assert b": refused: a number of 5000 digits" in refused.stdout
    start_session["padding"] = "x" * 70_000
    unknown = _cli("check", "-", "--format", "json", stdin=json.dumps(start_session).encode())
    assert unknown.returncode == 3
    out = json.loads(unknown.stdout)
    assert out["conforms"] is None and out["accepted"] is False


def test_numbers_past_a_double_and_lone_surrogates_get_one_verdict_in_every_form():
    """Found by fuzzing: 1e999999 as text conformed and parsed did not; a lone surrogate in an
    unknown member or a 2.3.0 OpenEnum value was an error as text and conformed parsed."""
    import json as _json

    from ocpi_ref import check_start_session

    base = {"response_url": "https://x.example.com/a", "location_id": "L",
            "token": {"country_code": "DE", "party_id": "TNM", "uid": "1", "type": "RFID", "contract_id": "C",
                      "issuer": "I", "valid": True, "whitelist": "ALLOWED", "last_updated": "2026-01-01T00:00:00Z"}}
    huge_text = _json.dumps(base)[:-1] + ', "x": 1e999999}'
    for data in (huge_text, huge_text.encode(), _json.loads(huge_text)):
        report = check_start_session(data)
        assert (report.conforms, report.accepted) == (True, False)  # legal JSON, a limit of ours
        assert "json.limits" in report.rules
    odd = {**base, "x": "\ud800", "token": {**base["token"], "type": "X\udfff"}}
    for data in (_json.dumps(odd).encode(), _json.dumps(odd, ensure_ascii=False), odd):
        report = check_start_session(data, version="2.3.0")
        assert report.conforms is False and "json.syntax" in report.rules
        report.to_json().encode("utf-8")


# ---- conforms follows the basis, not the level -------------------------------------------

def test_an_error_of_a_reading_is_a_refusal_not_a_violation():
    from ocpi_ref.findings import Finding
    from ocpi_ref.report import Report

    reading = "commands.v211-response-either-shape"  # level: defined; basis: our reading
    assert RULES[reading].level_in("2.1.1").is_spec and not RULES[reading].basis_in("2.1.1").is_spec
    report = Report.of("2.1.1", [Finding(reading, Severity.ERROR, "/data", "a bare string")])
    assert report.conforms is True and report.accepted is False and report.refusals
    definition = Report.of("2.1.1", [Finding("type.json", Severity.ERROR, "/data", "not a string")])
    assert definition.conforms is False and definition.violations
    dumped = report.to_dict()["findings"][0]
    assert dumped["basis"] == "our reading" and dumped["policy"] is True and "keyword" not in dumped


def test_the_json_of_a_sentence_finding_names_keyword_and_addressee(start_session):
    start_session["token"]["party_id"] = "XYZ"
    (finding,) = [f for f in check_start_session(start_session, sender="DE-TNM").to_dict()["findings"]
                  if f["rule"] == "start-session.own-tokens-only"]
    assert (finding["basis"], finding["keyword"], finding["addresses"]) == ("spec sentence", "SHALL", "eMSP")


# ---- the reference CPO over its backlog: HTTP 200, REJECTED, the limit named -------------

@pytest.mark.rule("commands.backlog-limit")
@pytest.mark.parametrize("version", ["2.1.1", "2.2.1"])
def test_a_full_backlog_is_answered_at_ocpi_level_naming_the_limit(rfid_token, version):
    import asyncio

    import httpx

    from ocpi_ref.cpo.app import create_cpo_app
    from ocpi_ref.cpo.demo import TNM_TOKEN, demo_config
    from ocpi_ref.cpo.replies import CHOICES
    from ocpi_ref.emsp import token_header

    config = demo_config(command_timeout=3, charge_point_deadline=2, max_backlog=1)
    token = {k: v for k, v in rfid_token.items() if version != "2.1.1" or k in
             ("uid", "type", "visual_number", "issuer", "valid", "whitelist", "language", "last_updated")}
    if version == "2.1.1":
        token["auth_id"] = rfid_token["contract_id"]
    headers = {"Authorization": token_header(TNM_TOKEN, "plain" if version == "2.1.1" else "base64")}

    def body(i: int) -> bytes:
        return json.dumps({"response_url": f"http://127.0.0.1/cb/{i}", "token": token,
                           "location_id": "LOC-0001", "evse_uid": "EVSE-SIL-1"}).encode()

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        app = create_cpo_app(config, http=http)
        path = f"/ocpi/cpo/{version}/commands/START_SESSION"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpo.test") as c:
            first = await c.post(path, content=body(0), headers=headers)
            full = await c.post(path, content=body(1), headers=headers)
            await app.state.cpo.aclose()
        await http.aclose()
        return first, full

    first, full = asyncio.run(main())
    assert first.status_code == 200 and first.json()["data"]["result"] == "ACCEPTED", first.text
    env = full.json()
    assert full.status_code == 200 and env["status_code"] == 2000 and env["data"]["result"] == "REJECTED"
    assert "at most 1 commands under way per partner" in env["status_message"] and "max_backlog" in env["status_message"]
    if version != "2.1.1":
        assert "max_backlog" in env["data"]["message"][0]["text"]
    row = next(c for c in CHOICES if c.rule == "commands.backlog-limit")
    assert row.http_status == 200 and row.result == "REJECTED"
