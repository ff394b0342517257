"""``ocpi-ref audit`` on files: HAR and JSON Lines read the same, exit codes, JUnit, timeline, and
no credentials token in any output."""

from __future__ import annotations

import base64
import copy
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpi_ref.audit import read_records, to_har
from ocpi_ref.audit.records import to_har_entry
from ocpi_ref.cli import main
from ocpi_ref.cpo.demo import TNM_CALLBACK, TNM_TOKEN
from ocpi_ref.recordings import record_exchange
from test_audit import START, authorize, mutant, set_body

CONFIG = f'[[partners]]\nname = "TNM"\ntoken = "{TNM_TOKEN}"\nroles = ["DE-TNM"]\ncallback_token = "{TNM_CALLBACK}"\n'


@pytest.fixture(scope="module")
def recording():
    return record_exchange("2.2.1")


def write_har(path: Path, records) -> Path:
    path.write_text(json.dumps(to_har(records)), encoding="utf-8")
    return path


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(to_har_entry(r)) + "\n" for r in records), encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["audit", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_har_and_json_lines_give_the_same_report(tmp_path, capsys, recording):
    har = write_har(tmp_path / "r.har", recording)
    lines = write_jsonl(tmp_path / "r.jsonl", recording)
    assert [r.index for r in read_records(lines)] == list(range(len(recording)))
    code_har, out_har, _ = run(capsys, har, "--format", "json")
    code_lines, out_lines, _ = run(capsys, lines, "--format", "json")
    assert code_har == code_lines == 0 and out_har == out_lines
    assert json.loads(out_har)["exchanges"][0]["entries"] == [2, 3, 4, 5, 6, 7]


def test_a_records_fields_survive_the_har_round_trip(tmp_path, recording):
    back = list(read_records(write_har(tmp_path / "r.har", recording)))
    assert back == recording


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_exit_1_for_an_error_of_a_binding_sentence_with_junit_and_timeline(tmp_path, capsys, recording):
    bad = mutant(recording, lambda r: authorize(r, timedelta(minutes=5)))
    junit, timeline = tmp_path / "junit.xml", tmp_path / "timeline"
    code, out, _ = run(capsys, write_har(tmp_path / "bad.har", bad), "--junit", junit, "--timeline", timeline)
    assert code == 1
    assert "entry 4 (record): error [spec sentence] a real-time authorization" in out
    assert "start-session.ocpp-rfid-15-minutes" in junit.read_text() and "<failure" in junit.read_text()
    page = (timeline / "x1.html").read_text()
    assert "entry 4: real-time authorization — start-session.ocpp-rfid-15-minutes" in page
    assert "127.0.0.1" not in page


@pytest.mark.rule("audit.result-within-timeout")
def test_exit_0_for_an_error_of_our_reading_only(tmp_path, capsys, recording):
    def late(r):
        r[3].started = r[START].started + timedelta(seconds=31)
    code, out, _ = run(capsys, write_har(tmp_path / "late.har", mutant(recording, late)), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["conforms"] is True
    assert [f["rule"] for f in doc["exchanges"][0]["findings"]] == ["audit.result-within-timeout"]


@pytest.mark.parametrize("content, says", [
    (None, "cannot read"),
    (b"{not json", "not a HAR file"),
    (b'{"log": {}}', "no log.entries"),
    (b"", "the file is empty"),
    (b"garbage\x00\x01", "not a mitmproxy flow file"),
    (b'{"request": {"method": "GET"}, "startedDateTime": "yesterday"}\n', "line 1"),
])
def test_exit_2_when_it_cannot_run(tmp_path, capsys, content, says):
    path = tmp_path / "input"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, path)
    assert code == 2 and out == "" and says in err and "Traceback" not in err


def test_exit_2_for_a_configuration_without_roles(tmp_path, capsys, recording):
    config = tmp_path / "audit.toml"
    config.write_text('[[partners]]\ntoken = "abc"\n')
    code, _, err = run(capsys, write_har(tmp_path / "r.har", recording), "--config", config)
    assert code == 2 and "partners[0].roles" in err


@pytest.mark.rule("start-session.own-tokens-only")
def test_no_credentials_token_in_any_output_in_any_encoding(tmp_path, capsys, recording):
    """The token is planted where a finding quotes it (an invalid Token type): it must be masked."""
    secrets = [TNM_TOKEN, base64.b64encode(TNM_TOKEN.encode()).decode(), TNM_CALLBACK,
               base64.b64encode(TNM_CALLBACK.encode()).decode()]

    def planted(r):
        start = json.loads(r[START].request_body)
        start["token"]["type"] = secrets[1]
        start["token"]["party_id"] = "XYZ"
        set_body(r[START], start)
    bad = mutant(recording, planted)
    config = tmp_path / "audit.toml"
    config.write_text(CONFIG)
    har = write_har(tmp_path / "bad.har", bad)
    junit, timeline = tmp_path / "j.xml", tmp_path / "t"
    outputs = []
    for fmt in ("text", "json"):
        code, out, err = run(capsys, har, "--format", fmt, "--config", config, "--junit", junit, "--timeline", timeline)
        outputs += [out, err, junit.read_text()] + [p.read_text() for p in timeline.iterdir()]
        assert code == 1 and "start-session.own-tokens-only" in out
    assert "[credentials token]" in outputs[0]  # the planted value was quoted, and masked
    for text in outputs:
        for secret in secrets:
            assert secret not in text
    unmasked = copy.deepcopy(bad)
    assert secrets[1] in unmasked[START].request_body.decode()  # the input did carry it


def test_a_har_in_response_order_is_read_in_start_order(tmp_path, capsys, recording):
    """mitmproxy writes entries as answers complete: the result may come before its StartSession."""
    swapped = list(recording)
    swapped[2], swapped[3] = swapped[3], swapped[2]
    swapped[2] = copy.deepcopy(swapped[2])
    swapped[2].started += timedelta(milliseconds=5)  # the result started after the StartSession
    code, out, _ = run(capsys, write_har(tmp_path / "r.har", swapped), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["unmatched"] == [] and doc["exchanges"][0]["findings"] == []
    assert doc["exchanges"][0]["entries"] == [2, 3, 4, 5, 6, 7]


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_the_parallel_audit_gives_the_single_process_report(tmp_path, recording):
    """Two partners' exchanges, interleaved; partitioned by credentials over two processes."""
    from ocpi_ref.audit import Partners, audit
    from ocpi_ref.audit.parallel import audit_parallel

    other = mutant(recording, lambda r: authorize(r, timedelta(minutes=5)))
    b64 = base64.b64encode
    for rec in other:  # the second partner: its own credentials both ways, its own ids
        auth = rec.request_headers.get("authorization", "")
        rec.request_headers["authorization"] = auth.replace(b64(TNM_TOKEN.encode()).decode(), b64(b"second").decode()).replace(
            b64(TNM_CALLBACK.encode()).decode(), b64(b"second-cpo").decode())
        rec.url = rec.url.replace("/START_SESSION/", "/START_SESSION/2").replace("/STOP_SESSION/", "/STOP_SESSION/2")
        for part in ("request_body", "response_body"):
            text = getattr(rec, part)
            if text:
                setattr(rec, part, text.replace(b"/START_SESSION/", b"/START_SESSION/2").replace(b"/STOP_SESSION/", b"/STOP_SESSION/2")
                        .replace(b"SES-00001", b"SES-2").replace(b"CDR-00001", b"CDR-2").replace(b"Ref-567890", b"Ref-2"))
    both = sorted(recording + other, key=lambda r: r.started)
    for i, rec in enumerate(both):
        rec.index = i
    path = write_jsonl(tmp_path / "both.jsonl", both)
    partners = Partners()
    partners.add(TNM_TOKEN, ("DE-TNM",), TNM_CALLBACK)
    partners.add("second", ("DE-TNM",), "second-cpo")
    single = json.loads(audit(read_records(path), partners=partners).to_json())
    split = audit_parallel(path, partners=partners, workers=2)
    assert split.pop("exit_code") == 1
    assert split == single
    assert sorted(f["rule"] for ex in single["exchanges"] for f in ex["findings"]) == ["start-session.ocpp-rfid-15-minutes"]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
                        ["token", "uid", "type", "location_id", "response_url", "data", "result", "timeout",
                         "cdr_token", "authorization_reference", "id", "session_id", "evse_uids"]), inner, max_size=4),
                    max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=st.lists(st.tuples(st.integers(0, 7), st.sampled_from(["request", "response"]), JSON), max_size=6))
def test_any_bodies_give_a_report_never_a_traceback(recording, bodies):
    """Whatever the recorded bodies hold, the audit reports; it never raises."""
    from ocpi_ref.audit import audit

    broken = copy.deepcopy(recording)
    for i, part, doc in bodies:
        set_body(broken[i], doc, part)
    report = audit(broken)
    assert json.loads(report.to_json())["conforms"] in (True, False)
    assert report.text()


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_url_prefixes_say_which_party_is_which(tmp_path, capsys, recording):
    bad = write_har(tmp_path / "bad.har", mutant(recording, lambda r: authorize(r, timedelta(minutes=5))))
    cpo = recording[START].url.split("/ocpi/")[0]
    emsp = recording[START + 1].url.split("/ocpi/")[0]
    assert run(capsys, bad, "--cpo-url", cpo, "--emsp-url", emsp)[0] == 1
    code, out, _ = run(capsys, bad, "--cpo-url", "https://elsewhere.example.com")
    assert code == 0 and "0 exchange(s)" in out  # no command addressed to that CPO
    code, out, _ = run(capsys, bad, "--emsp-url", "https://elsewhere.example.com")
    assert code == 0 and "1 exchange(s), 0 finding(s)" in out  # the authorization went to another eMSP
