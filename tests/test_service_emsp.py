"""The reference eMSP: own Tokens only, one response_url each, 'no result' after the timeout."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from ocpi_ref import Token
from ocpi_ref.findings import RuleViolation
from ocpi_ref.emsp import CommandTracker, EmspClient, create_callback_app
from ocpi_ref.transport.servers import serve_in_task


def _silent_cpo(seen: list[bytes]) -> FastAPI:
    """A CPO that answers ACCEPTED with a 1 s timeout and never sends a CommandResult."""
    app = FastAPI()

    @app.post("/ocpi/cpo/2.2.1/commands/{command}")
    async def command(command: str, request: Request) -> Response:
        seen.append(await request.body())
        body = {"data": {"result": "ACCEPTED", "timeout": 1}, "status_code": 1000,
                "timestamp": "2025-03-01T09:00:00Z"}
        return Response(json.dumps(body), media_type="application/json")

    return app


def _client(cpo_url: str, cb_url: str, tracker: CommandTracker) -> EmspClient:
    return EmspClient(cpo_url + "/ocpi/cpo/2.2.1", "t", "DE-TNM", cb_url, tracker)


@pytest.mark.rule("start-session.own-tokens-only")
def test_emsp_refuses_to_send_a_token_it_does_not_own(rfid_token) -> None:
    seen: list[bytes] = []

    async def main() -> None:
        tracker = CommandTracker()
        async with serve_in_task(_silent_cpo(seen)) as cpo:
            client = _client(cpo.url, "http://127.0.0.1:1", tracker)
            foreign = Token.model_validate({**rfid_token, "party_id": "ABC"})
            with pytest.raises(RuleViolation) as info:
                await client.start_session(foreign, "LOC-0001")
            await client.aclose()
            assert info.value.rule == "start-session.own-tokens-only"

    asyncio.run(main())
    assert seen == []  # nothing went out


@pytest.mark.rule("commands.no-result-after-timeout", "commands.unique-response-url")
def test_no_result_is_reported_after_the_advertised_timeout(rfid_token) -> None:
    seen: list[bytes] = []

    async def main():
        tracker = CommandTracker()
        async with serve_in_task(_silent_cpo(seen)) as cpo, serve_in_task(create_callback_app(tracker)) as cb:
            client = _client(cpo.url, cb.url, tracker)
            t0 = time.monotonic()
            exs = await asyncio.gather(*[
                client.start_session(Token.model_validate(rfid_token), "LOC-0001") for _ in range(3)
            ])
            await client.aclose()
            return exs, time.monotonic() - t0

    exs, elapsed = asyncio.run(main())
    assert [ex.outcome for ex in exs] == ["no result"] * 3
    assert "no result within the advertised 1 s" in exs[0].steps[-1]
    assert 1 <= elapsed < 3
    urls = [json.loads(b)["response_url"] for b in seen]
    assert len(set(urls)) == 3 and all(ex.request_id in ex.response_url for ex in exs)


@pytest.mark.rule("commands.result-bare-body")
def test_callback_refuses_wrong_credentials_and_enveloped_results() -> None:
    import httpx

    async def main():
        tracker = CommandTracker()
        async with serve_in_task(create_callback_app(tracker, callback_token="cb")) as cb:
            url = cb.url + "/ocpi/emsp/2.2.1/commands/START_SESSION/r1"
            fut = tracker.expect("r1")
            async with httpx.AsyncClient() as c:
                wrong = await c.post(url, headers={"Authorization": "Token eA=="}, content=b'{"result":"ACCEPTED"}')
                auth = {"Authorization": "Token Y2I="}  # Base64 of "cb"
                wrapped = await c.post(url, headers=auth, content=json.dumps(
                    {"data": {"result": "ACCEPTED"}, "status_code": 1000, "timestamp": "2025-03-01T09:00:00Z"}))
                bare = await c.post(url, headers=auth, content=b'{"result":"ACCEPTED"}')
            return wrong, wrapped, bare, fut.done(), tracker.arrivals

    wrong, wrapped, bare, done, arrivals = asyncio.run(main())
    assert wrong.status_code == 401
    assert wrapped.json()["status_code"] == 2001  # an envelope is not a CommandResult
    assert bare.json()["status_code"] == 1000 and done
    assert [a.matched for a in arrivals] == [False, True]


def _posts(app, requests):
    import httpx

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emsp.test") as client:
            return [await client.post(path, content=body, headers=headers) for path, body, headers in requests]

    return asyncio.run(main())


def test_the_callback_keeps_only_answers_to_commands_it_sent_and_counts_the_rest() -> None:
    from ocpi_ref.emsp.callback import MAX_PER_COMMAND, STRAY_SAMPLES

    tracker = CommandTracker()
    asyncio.run(_expect(tracker, "mine"))
    base = "/ocpi/emsp/2.2.1/commands/START_SESSION/"
    flood = [(f"{base}unknown-{i}", b'{"result": "ACCEPTED"}', {}) for i in range(300)]
    again = [(f"{base}mine", b'{"result": "ACCEPTED"}', {}) for _ in range(MAX_PER_COMMAND + 5)]
    answers = _posts(create_callback_app(tracker), flood + again)
    assert all(r.status_code == 200 for r in answers)
    assert tracker.stray_count == 300 and len(tracker.strays) == STRAY_SAMPLES  # counted, a few kept as evidence
    assert [a.request_id for a in tracker.arrivals] == ["mine"] * MAX_PER_COMMAND and tracker.dropped == 5
    reasons = {r.reason for r in tracker.refusals()}
    assert "no command with this request id was sent: counted, not kept" in reasons
    assert tracker.refused_count == 305 and len(tracker.refusals()) <= 100


async def _expect(tracker: CommandTracker, request_id: str) -> None:
    tracker.expect(request_id)


def test_the_callback_refuses_an_oversized_body_unread() -> None:
    tracker = CommandTracker()
    asyncio.run(_expect(tracker, "r1"))
    path = "/ocpi/emsp/2.2.1/commands/START_SESSION/r1"
    big = b'{"result": "ACCEPTED", "pad": "' + b"x" * 70_000 + b'"}'
    [resp] = _posts(create_callback_app(tracker, max_body_bytes=65536), [(path, big, {})])
    assert resp.status_code == 413 and json.loads(resp.content)["status_code"] == 2000
    assert tracker.arrivals == [] and [r.reason for r in tracker.refusals()] == ["body over 65536 bytes"]


@pytest.mark.rule("commands.request-ids-echoed")
def test_the_callback_never_answers_with_empty_request_ids() -> None:
    path = "/ocpi/emsp/2.2.1/commands/START_SESSION/r1"
    none, given = _posts(create_callback_app(CommandTracker()), [
        (path, b'{"result": "ACCEPTED"}', {}),
        (path, b'{"result": "ACCEPTED"}', {"X-Request-ID": "req-1", "X-Correlation-ID": "corr-1"}),
    ])
    assert none.headers["x-request-id"] and none.headers["x-correlation-id"]  # fresh ones, never empty
    assert given.headers["x-request-id"] == "req-1" and given.headers["x-correlation-id"] == "corr-1"


def test_the_emsp_caps_its_wait_whatever_timeout_the_cpo_advertises(rfid_token) -> None:
    app = FastAPI()

    @app.post("/ocpi/cpo/2.2.1/commands/{command}")
    async def command(command: str) -> Response:
        body = {"data": {"result": "ACCEPTED", "timeout": 2147483647}, "status_code": 1000, "timestamp": "2025-03-01T09:00:00Z"}
        return Response(json.dumps(body), media_type="application/json")

    async def main():
        tracker = CommandTracker()
        async with serve_in_task(app) as cpo:
            client = EmspClient(cpo.url + "/ocpi/cpo/2.2.1", "t", "DE-TNM", "http://127.0.0.1:1", tracker, max_wait=0.5)
            started = time.monotonic()
            ex = await client.start_session(Token.model_validate(rfid_token), "LOC-0001")
            await client.aclose()
            return ex, time.monotonic() - started

    ex, took = asyncio.run(main())
    assert ex.outcome == "no result" and took < 3
    assert "waiting at most 0.5 s of the 2147483647 s advertised (this eMSP's cap)" in ex.steps
