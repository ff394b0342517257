"""Judging mode: the reference CPO keeps, per partner, every finding on that partner's traffic."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from ocpi_ref.conformance.probe import new_token
from ocpi_ref.cpo import demo_config
from ocpi_ref.cpo.demo import TNM_CALLBACK, TNM_TOKEN
from ocpi_ref.cpo.judge import REPORT_PATH, Judge
from ocpi_ref.emsp import CommandTracker, create_callback_app
from ocpi_ref.party import PartyId
from ocpi_ref.rules import Party
from ocpi_ref.rules.judging import fails
from ocpi_ref.transport.authorization import header
from ocpi_ref.transport.servers import serve_in_task


async def _run(judge: Judge, callback_status: int = 200) -> dict:
    tracker = CommandTracker()
    callback = create_callback_app(tracker, callback_token=TNM_CALLBACK)
    async with serve_in_task(judge) as cpo, serve_in_task(callback) as emsp, httpx.AsyncClient() as http:
        url = f"{cpo.url}/ocpi/cpo/2.2.1/commands/START_SESSION"
        auth = {"Authorization": header(TNM_TOKEN, "base64"), "X-Request-ID": "r-1"}
        response_url = f"{emsp.url}/ocpi/emsp/2.2.1/commands/START_SESSION/same-id"
        own = new_token("2.2.1", PartyId.parse("DE-TNM"), "OWN-0001")
        foreign = new_token("2.2.1", PartyId.parse("NL-XYZ"), "FOREIGN-0001")
        for token in (own, foreign):  # the second reuses the first one's response_url
            body = {"response_url": response_url, "token": token, "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"}
            await http.post(url, content=json.dumps(body), headers=auth)
        await http.post(url, content=b"{}", headers={"Authorization": header(TNM_TOKEN, "plain")})
        await http.get(f"{cpo.url}/ocpi/versions")
        await judge.app.state.cpo.drain(5)
        report = (await http.get(cpo.url + REPORT_PATH)).json()
    await judge.aclose()
    return report


@pytest.mark.rule("start-session.own-tokens-only", "commands.unique-response-url", "commands.authorization-encoding")
def test_a_foreign_token_and_a_reused_response_url_are_both_in_the_report():
    judge = Judge(demo_config(command_timeout=2, charge_point_deadline=1))
    report = asyncio.run(_run(judge))
    tnm = report["TNM"]
    assert tnm["requests"] == 3
    rules = [f["rule"] for f in tnm["findings"]]
    assert "start-session.own-tokens-only" in rules
    assert "commands.unique-response-url" in rules
    assert "commands.authorization-encoding" in rules  # the plain token in 2.2.1
    reused = next(f for f in tnm["findings"] if f["rule"] == "commands.unique-response-url")
    assert reused["exchange"] == "POST /ocpi/cpo/2.2.1/commands/START_SESSION (X-Request-ID r-1)"
    assert report["(no credentials)"]["findings"][0]["rule"] == "commands.credentials-required"
    text = judge.text()
    import base64

    for form in (TNM_TOKEN, base64.b64encode(TNM_TOKEN.encode()).decode(), TNM_CALLBACK):
        assert form not in text and form not in json.dumps(report)  # no credentials in the report
    assert "judging report" in text and "[start-session.own-tokens-only; spec sentence (SHALL, addressed to the eMSP)]" in text
    foreign = next(f for f in tnm["findings"] if f["rule"] == "start-session.own-tokens-only")
    assert foreign["verdict"] == "fail"  # the eMSP's own SHALL
    encoding = next(f for f in tnm["findings"] if f["rule"] == "commands.authorization-encoding")
    assert encoding["verdict"] == ("fail" if fails("commands.authorization-encoding", "2.2.1", Party.EMSP) else "warn")


@pytest.mark.rule("commands.response-envelope")
def test_a_callback_that_answers_garbage_is_a_finding_on_that_partner():
    judge = Judge(demo_config(command_timeout=2, charge_point_deadline=1))

    async def run():
        async def garbage(scope, receive, send):
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b"oops"})

        async with serve_in_task(judge) as cpo, serve_in_task(garbage) as emsp, httpx.AsyncClient() as http:
            token = new_token("2.2.1", PartyId.parse("DE-TNM"), "OWN-0002")
            body = {"response_url": f"{emsp.url}/cb/1", "token": token, "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"}
            await http.post(f"{cpo.url}/ocpi/cpo/2.2.1/commands/START_SESSION", content=json.dumps(body),
                            headers={"Authorization": header(TNM_TOKEN, "base64")})
            await judge.app.state.cpo.drain(5)
        await judge.aclose()
        return judge.report()

    findings = asyncio.run(run())["TNM"]["findings"]
    messages = [f["message"] for f in findings]
    assert "the CommandResult POST was answered with HTTP 500" in messages
    assert any(f["rule"] == "json.syntax" for f in findings)


def test_cpo_judge_serves_the_report_and_prints_it_at_shutdown():
    import subprocess
    import sys
    from pathlib import Path

    config = Path(__file__).resolve().parent.parent / "examples" / "cpo.toml"
    proc = subprocess.Popen([sys.executable, "-m", "ocpi_ref", "cpo", "--config", str(config), "--port", "0", "--judge",
                             "--log-level", "warning"], stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        root = first.split("serving ")[1].split("/ocpi/")[0]
        line = proc.stdout.readline()
        assert line.strip() == f"judging mode: the report is at {root}{REPORT_PATH}"
        httpx.get(root + "/ocpi/versions", headers={"Authorization": "Token nobody"})
        assert httpx.get(root + REPORT_PATH).json()["(unknown credentials)"]["requests"] == 1
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
    assert "(unknown credentials): 1 requests, 1 findings" in out


@pytest.mark.rule("commands.body-size-limit")
def test_judging_reads_no_more_of_a_body_than_the_cpo_would():
    """Found in review: the judge buffered a whole body before the CPO could refuse it."""
    judge = Judge(demo_config(max_body_bytes=1024))
    received: list[int] = []

    async def run() -> int:
        chunks = [b"{" + b" " * 1023] + [b" " * 1024] * 50 + [b"}"]
        it = iter(chunks)

        async def receive():
            chunk = next(it)
            received.append(len(chunk))
            return {"type": "http.request", "body": chunk, "more_body": chunk != b"}"}

        status = []

        async def send(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])

        scope = {"type": "http", "method": "POST", "path": "/ocpi/cpo/2.2.1/commands/START_SESSION",
                 "raw_path": b"/ocpi/cpo/2.2.1/commands/START_SESSION", "query_string": b"",
                 "headers": [(b"authorization", header(TNM_TOKEN, "base64").encode())],
                 "http_version": "1.1", "scheme": "http", "server": ("t", 80), "client": ("c", 1), "root_path": ""}
        await judge(scope, receive, send)
        await judge.aclose()
        return status[0]

    assert asyncio.run(run()) == 413
    assert sum(received) <= 1024 + 1024  # one chunk past the limit at most, not the 52 KB sent


# ---------------------------------------------------------------------- hardening (a hostile partner)

START = "/ocpi/cpo/2.2.1/commands/START_SESSION"
TNM_AUTH = (b"authorization", header(TNM_TOKEN, "base64").encode())
IDS = [(b"x-request-id", b"r-9"), (b"x-correlation-id", b"c-9")]


async def _asgi(app, method, path, headers, chunks=(), end="complete", client=("127.0.0.1", 5)):
    """One request straight into the ASGI app: *chunks* of body, then the end (``complete``,
    ``disconnect`` after the chunks, or ``hang``); the status and body of the answer."""
    queue = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    if end == "complete":
        queue.append({"type": "http.request", "body": b"", "more_body": False})
    elif end == "disconnect":
        queue.append({"type": "http.disconnect"})

    async def receive():
        if queue:
            return queue.pop(0)
        await asyncio.sleep(3600)

    answer = {"status": None, "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode("latin-1", "replace"), "query_string": b"",
             "headers": headers, "http_version": "1.1", "scheme": "http", "server": ("t", 80), "client": client, "root_path": ""}
    await asyncio.wait_for(app(scope, receive, send), 10)
    return answer["status"], answer["body"]


def test_the_report_goes_whole_to_an_operator_and_to_each_partner_only_its_own_part():
    judge = Judge(demo_config(command_timeout=2, charge_point_deadline=1), operator_token="op-secret")

    async def run():
        await _asgi(judge, "GET", "/ocpi/versions", [(b"authorization", b"Token nobody")])
        await _asgi(judge, "POST", START, [TNM_AUTH], [b"{}"])
        got = {}
        got["loopback"] = await _asgi(judge, "GET", REPORT_PATH, [])
        got["partner"] = await _asgi(judge, "GET", REPORT_PATH, [TNM_AUTH], client=("203.0.113.9", 5))
        got["stranger"] = await _asgi(judge, "GET", REPORT_PATH, [], client=("203.0.113.9", 5))
        got["unknown"] = await _asgi(judge, "GET", REPORT_PATH, [(b"authorization", b"Token nobody")])
        got["operator"] = await _asgi(judge, "GET", REPORT_PATH, [(b"authorization", header("op-secret", "base64").encode())],
                                      client=("203.0.113.9", 5))
        await judge.aclose()
        return got

    got = asyncio.run(run())
    assert got["loopback"][0] == 200 and set(json.loads(got["loopback"][1])) == {"TNM", "(unknown credentials)"}
    assert got["partner"][0] == 200 and set(json.loads(got["partner"][1])) == {"TNM"}
    assert got["stranger"][0] == 401 and got["unknown"][0] == 401
    assert got["operator"][0] == 200 and set(json.loads(got["operator"][1])) == {"TNM", "(unknown credentials)"}


@pytest.mark.rule("commands.body-read-timeout")
def test_a_body_that_never_completes_gets_the_cpos_408():
    judge = Judge(demo_config(body_read_timeout=0.5))

    async def run():
        status, _ = await _asgi(judge, "POST", START, [TNM_AUTH, *IDS], [b'{"token": '], end="hang")
        await judge.aclose()
        return status

    assert asyncio.run(run()) == 408
    assert not any(f.rule.startswith("start-session.") for f in judge.findings.get("TNM", ()))


def test_a_short_body_then_a_disconnect_is_neither_judged_nor_executed(rfid_token):
    judge = Judge(demo_config(command_timeout=2, charge_point_deadline=1))
    body = json.dumps({"response_url": "http://127.0.0.1:9/cb/1", "token": new_token("2.2.1", PartyId.parse("NL-XYZ"), "X-1"),
                       "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"}).encode()

    async def run():
        headers = [TNM_AUTH, *IDS, (b"content-length", str(len(body) + 50).encode())]
        status, _ = await _asgi(judge, "POST", START, headers, [body], end="disconnect")
        await judge.aclose()
        return status

    status = asyncio.run(run())
    assert status != 200  # the CPO did not take the cut body as a command
    assert not any(f.rule == "start-session.own-tokens-only" for f in judge.findings.get("TNM", ()))
    assert judge.app.state.cpo.deliveries == []


def test_two_authorization_headers_are_read_as_the_cpo_reads_them():
    judge = Judge(demo_config(command_timeout=2, charge_point_deadline=1))
    body = json.dumps({"response_url": "http://127.0.0.1:9/cb/2", "token": new_token("2.2.1", PartyId.parse("NL-XYZ"), "X-2"),
                       "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"}).encode()

    async def run():
        await _asgi(judge, "POST", START, [TNM_AUTH, (b"authorization", b"Token garbage"), *IDS], [body])
        await judge.aclose()

    asyncio.run(run())
    assert judge.requests == {"TNM": 1}
    assert any(f.rule == "start-session.own-tokens-only" for f in judge.findings["TNM"])


def test_a_deeply_nested_body_gets_what_the_plain_cpo_answers():
    from ocpi_ref.cpo.app import create_cpo_app

    nested = b"[" * 5000 + b"]" * 5000

    async def run():
        judge = Judge(demo_config())
        judged = await _asgi(judge, "POST", START, [TNM_AUTH, *IDS], [nested])
        plain = await _asgi(create_cpo_app(demo_config()), "POST", START, [TNM_AUTH, *IDS], [nested])
        await judge.aclose()
        return judged, plain

    judged, plain = asyncio.run(run())
    assert judged[0] == plain[0] < 500
    assert json.loads(judged[1])["status_code"] == json.loads(plain[1])["status_code"]


def test_findings_are_bounded_per_partner_with_a_count_of_those_dropped():
    judge = Judge(demo_config(), max_findings=10)

    async def run():
        for _ in range(30):
            await _asgi(judge, "GET", "/ocpi/versions", [(b"authorization", b"Token nobody")])
        await judge.aclose()

    asyncio.run(run())
    part = judge.report()["(unknown credentials)"]
    assert part["requests"] == 30 and len(part["findings"]) == 10 and part["dropped"] == 20


@pytest.mark.rule("conformance.request-ids-on-requests")
def test_a_request_without_ids_is_a_finding_on_the_emsp():
    judge = Judge(demo_config())

    async def run():
        await _asgi(judge, "POST", START, [TNM_AUTH], [b"{}"])
        await judge.aclose()

    asyncio.run(run())
    [missing] = [f for f in judge.findings["TNM"] if f.rule == "conformance.request-ids-on-requests"]
    assert missing.message == "the request has no X-Request-ID and no X-Correlation-ID" and missing.verdict == "fail"


def test_a_path_cannot_add_lines_to_the_report():
    judge = Judge(demo_config())

    async def run():
        await _asgi(judge, "GET", "/ocpi/x\n  fail: a fake finding [start-session.own-tokens-only]", [(b"authorization", b"Token nobody")])
        await judge.aclose()

    asyncio.run(run())
    text = judge.text()
    assert "\n  fail: a fake finding" not in text and "\\u000a  fail: a fake finding" in text
    assert len(text.splitlines()) == 4  # the title, the partner, one finding on two lines
