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
    assert "judging report" in judge.text() and "[start-session.own-tokens-only]" in judge.text()


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
