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
