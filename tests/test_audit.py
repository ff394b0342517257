"""``ocpi_ref.audit``: recordings of the reference eMSP and CPO audit clean in every version, and
each mutant of a recording (one violation each) gives exactly its own finding and no other."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from ocpi_ref.audit import Partners, Record, audit
from ocpi_ref.cpo.demo import TNM_TOKEN
from ocpi_ref.recordings import DEMO_TOKEN, record_exchange
from ocpi_ref.versions import VERSIONS

# Entries of the 2.2.1 recording: 0 versions, 1 version details, 2 StartSession, 3 its result,
# 4 Sessions GET, 5 StopSession, 6 its result, 7 CDRs GET.
START, RESULT, SESSIONS, CDRS = 2, 3, 4, 7


@pytest.fixture(scope="module")
def recordings() -> dict[str, list[Record]]:
    return {v: record_exchange(v) for v in VERSIONS}


@pytest.fixture(scope="module")
def app_recording() -> list[Record]:
    return record_exchange("2.2.1", token={**DEMO_TOKEN, "uid": "APP-0042", "type": "APP_USER"})


def tnm() -> Partners:
    """The demo eMSP's credentials token and its role, as an audit configuration gives them."""
    partners = Partners()
    partners.add(TNM_TOKEN, ("DE-TNM",))
    return partners


def rules_of(records: list[Record]) -> list[str]:
    return [f.rule for f in audit(records, partners=tnm()).findings]


def mutant(records: list[Record], change: Callable[[list[Record]], None]) -> list[Record]:
    out = copy.deepcopy(records)
    change(out)
    for i, rec in enumerate(out):
        rec.index = i
    return out


def body(rec: Record, part: str = "request") -> Any:
    return json.loads(getattr(rec, f"{part}_body"))


def set_body(rec: Record, doc: Any, part: str = "request") -> None:
    setattr(rec, f"{part}_body", json.dumps(doc).encode())


def authorize(records: list[Record], after: timedelta, kind: str = "RFID", uid: str = "012345678") -> None:
    """Insert the CPO's real-time authorization of the Token at the StartSession's Location."""
    start, result = records[START], records[RESULT]
    emsp = result.url.split("/ocpi/")[0]
    rec = Record(0, "POST", f"{emsp}/ocpi/emsp/2.2.1/tokens/{uid}/authorize?type={kind}",
                 dict(result.request_headers), json.dumps({"location_id": "LOC-0001", "evse_uids": ["EVSE-ACC-1"]}).encode(),
                 200, {}, json.dumps({"status_code": 1000, "timestamp": "2025-03-01T09:00:00Z",
                                      "data": {"allowed": "ALLOWED", "token": body(start)["token"]}}).encode(),
                 start.started + after)
    records.insert(RESULT + 1, rec)


@pytest.mark.parametrize("version", VERSIONS)
def test_recordings_of_the_reference_pair_audit_clean(recordings, version):
    report = audit(recordings[version])
    assert [ex.command for ex in report.exchanges] == ["START_SESSION"]
    assert report.findings == [] and report.unmatched == []
    assert report.conforms and report.exit_code == 0
    assert report.exchanges[0].entries[:2] == [START, RESULT]


def test_the_full_recording_spans_session_stop_and_cdr(recordings):
    [ex] = audit(recordings["2.2.1"]).exchanges
    assert ex.entries == [2, 3, 4, 5, 6, 7]
    assert [kind for kind, *_ in ex.objects] == ["session", "cdr"]


def _late(r: list[Record]) -> None:
    r[RESULT].started = r[START].started + timedelta(seconds=31)  # the CPO advertised 30 s


def _twice(r: list[Record]) -> None:
    r.insert(RESULT + 1, copy.deepcopy(r[RESULT]))


def _rejected(r: list[Record]) -> None:
    answer = body(r[START], "response")
    answer["data"]["result"] = "REJECTED"
    set_body(r[START], answer, "response")


def _wrapped(r: list[Record]) -> None:
    set_body(r[RESULT], {"data": body(r[RESULT]), "status_code": 1000, "timestamp": "2025-03-01T09:00:00Z"})


def _session(change: Callable[[dict[str, Any]], None]) -> Callable[[list[Record]], None]:
    def run(r: list[Record]) -> None:
        answer = body(r[SESSIONS], "response")
        change(answer["data"][0])
        set_body(r[SESSIONS], answer, "response")
    return run


def _foreign(r: list[Record]) -> None:
    start = body(r[START])
    start["token"]["party_id"] = "XYZ"
    set_body(r[START], start)
    for i in (SESSIONS + 0, CDRS + 0):  # the CPO copies the Token faithfully: only the owner is wrong
        answer = body(r[i], "response")
        answer["data"][0]["cdr_token"]["party_id"] = "XYZ"
        set_body(r[i], answer, "response")


def _no_ids(r: list[Record]) -> None:
    for name in ("x-request-id", "x-correlation-id"):
        del r[RESULT].request_headers[name]


MUTANTS = {
    "late result": (_late, "audit.result-within-timeout"),
    "two results": (_twice, "audit.one-result"),
    "result after REJECTED": (_rejected, "commands.result-after-accepted"),
    "wrapped CommandResult": (_wrapped, "commands.result-bare-body"),
    "RFID authorized after 5 minutes": (lambda r: authorize(r, timedelta(minutes=5)), "start-session.ocpp-rfid-15-minutes"),
    "Session without cdr_token": (_session(lambda s: s.pop("cdr_token")), "start-session.token-in-session-and-cdr"),
    "Session with another cdr_token": (_session(lambda s: s["cdr_token"].update(uid="999")), "start-session.token-in-session-and-cdr"),
    "Session without authorization_reference": (_session(lambda s: s.pop("authorization_reference")), "start-session.authorization-reference-echo"),
    "foreign Token": (_foreign, "start-session.own-tokens-only"),
    "CommandResult without request ids": (_no_ids, "conformance.request-ids-on-requests"),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_each_mutant_gives_exactly_its_finding(recordings, name, request):
    change, rule = MUTANTS[name]
    request.node.add_marker(pytest.mark.rule(rule))
    assert rules_of(mutant(recordings["2.2.1"], change)) == [rule]


@pytest.mark.rule("audit.result-within-timeout")
def test_late_result_names_the_timeout_and_both_records(recordings):
    [f] = audit(mutant(recordings["2.2.1"], _late)).findings
    assert f.entry == RESULT and "30 s" in f.message and f"entry {START}" in f.message
    assert f.basis == "our reading" and f.party == "CPO" and not f.fails


@pytest.mark.rule("audit.one-result")
def test_second_result_is_reported_on_the_second_post(recordings):
    [f] = audit(mutant(recordings["2.2.1"], _twice)).findings
    assert f.entry == RESULT + 1 and f"entry {RESULT}" in f.message


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_rfid_authorization_after_16_minutes_is_fine(recordings):
    assert rules_of(mutant(recordings["2.2.1"], lambda r: authorize(r, timedelta(minutes=16)))) == []


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_rfid_authorization_within_15_minutes_fails_the_cpo(recordings):
    report = audit(mutant(recordings["2.2.1"], lambda r: authorize(r, timedelta(minutes=5))))
    [f] = report.findings
    assert f.entry == RESULT + 1 and "5 min 00 s" in f.message
    assert f.basis == "spec sentence" and f.fails and report.exit_code == 1 and not report.conforms


@pytest.mark.rule("start-session.ocpp-app-token-no-realtime-auth")
def test_app_user_token_authorization_is_reported_as_our_reading(app_recording):
    assert rules_of(app_recording) == []
    later = mutant(app_recording, lambda r: authorize(r, timedelta(minutes=20), "APP_USER", "APP-0042"))
    [f] = audit(later).findings
    assert f.rule == "start-session.ocpp-app-token-no-realtime-auth"
    assert "this reference's reading of the truncated sentence" in f.message


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_authorization_at_another_location_is_not_this_exchanges(recordings):
    def elsewhere(r: list[Record]) -> None:
        authorize(r, timedelta(minutes=5))
        set_body(r[RESULT + 1], {"location_id": "LOC-0002"})
    assert rules_of(mutant(recordings["2.2.1"], elsewhere)) == []


@pytest.mark.rule("start-session.authorization-reference-echo")
def test_a_reference_replaced_by_a_later_authorization_is_allowed(recordings):
    def replaced(r: list[Record]) -> None:
        _session(lambda s: s.update(authorization_reference="Later-1"))(r)
        authorize(r, timedelta(minutes=20))
        answer = body(r[RESULT + 1], "response")
        answer["data"]["authorization_reference"] = "Later-1"
        set_body(r[RESULT + 1], answer, "response")
    assert rules_of(mutant(recordings["2.2.1"], replaced)) == []
    assert rules_of(mutant(recordings["2.2.1"], _session(lambda s: s.update(authorization_reference="Other")))) == [
        "start-session.authorization-reference-echo"]


@pytest.mark.rule("audit.ambiguous", "commands.unique-response-url")
def test_a_result_two_commands_could_own_is_unmatched_not_guessed(recordings):
    def reused(r: list[Record]) -> None:
        r.insert(RESULT, copy.deepcopy(r[START]))  # a second StartSession naming the same response_url
    report = audit(mutant(recordings["2.2.1"], reused))
    # the result, and the Session and CDR (both StartSessions gave the same reference)
    assert [u.entry for u in report.unmatched] == [RESULT + 1, SESSIONS + 1, CDRS + 1]
    assert {f.rule for u in report.unmatched for f in u.findings} == {"audit.ambiguous"}
    starts = [ex for ex in report.exchanges if ex.command == "START_SESSION"]
    assert len(starts) == 2 and all(not ex.start.results and not ex.objects for ex in starts)
    assert [(f.rule, f.entry, f.severity.value) for f in starts[1].findings] == [
        ("commands.unique-response-url", RESULT, "warning")]


@pytest.mark.rule("start-session.own-tokens-only")
def test_the_sender_comes_from_the_configured_credentials(recordings):
    foreign = mutant(recordings["2.2.1"], _foreign)
    assert [f.rule for f in audit(foreign).findings] == []  # neither OCPI-from headers nor a configuration
    [f] = audit(foreign, partners=tnm()).findings
    assert f.entry == START and f.party == "eMSP" and f.fails


@pytest.mark.rule("audit.unmatched-result")
def test_a_result_at_an_unknown_response_url_is_unmatched(recordings):
    def elsewhere(r: list[Record]) -> None:
        r[RESULT].url += "-other"
    report = audit(mutant(recordings["2.2.1"], elsewhere))
    assert [(u.entry, u.findings[0].rule) for u in report.unmatched] == [(RESULT, "audit.unmatched-result")]


def test_json_report_has_the_documented_shape(recordings):
    doc = json.loads(audit(mutant(recordings["2.2.1"], _late)).to_json())
    assert set(doc) == {"conforms", "exchanges", "unmatched"}
    [ex] = doc["exchanges"]
    assert set(ex) == {"id", "version", "command", "entries", "findings"}
    assert set(ex["findings"][0]) == {"rule", "severity", "basis", "pointer", "message", "entry"}
    assert ex["findings"][0]["entry"] == RESULT and doc["conforms"] is True


@pytest.mark.rule("commands.authorization-encoding")
@pytest.mark.parametrize("version", VERSIONS)
def test_the_credentials_encoding_per_version(recordings, version):
    """The reference pair encodes as each version says; a plain token in 2.2.1+ (or a Base64 one
    in 2.1.1) is reported on the record, as this reference's choice (a warning)."""
    def flipped(r: list[Record]) -> None:
        header = r[START].request_headers["authorization"]
        token = header.removeprefix("Token ")
        other = TNM_TOKEN if token != TNM_TOKEN else base64.b64encode(TNM_TOKEN.encode()).decode()
        r[START].request_headers["authorization"] = f"Token {other}"
    assert rules_of(recordings[version]) == []
    found = audit(mutant(recordings[version], flipped), partners=tnm()).findings
    if version == "2.2":
        assert found == []  # the 2.2 text says nothing about the encoding
    else:
        assert [(f.rule, f.entry, f.severity.value) for f in found] == [("commands.authorization-encoding", START, "warning")]
