"""An eMSP callback that is down or answers 500: the CPO logs, never retries, keeps serving."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import Response

from ocpi_ref.cpo.demo import TNM_TOKEN, demo_config
from ocpi_ref.emsp import token_header
from ocpi_ref.harness import loopback
from ocpi_ref.transport.servers import bind, serve_in_task

CFG = demo_config(command_timeout=2, charge_point_deadline=0.2, callback_timeout=0.5)
AUTH = {"Authorization": token_header(TNM_TOKEN)}


def _failing_app(hits: list[str]) -> FastAPI:
    app = FastAPI()

    @app.post("/cb/{rid}")
    async def cb(rid: str) -> Response:
        hits.append(rid)
        return Response(b"boom", status_code=500)

    return app


@pytest.mark.rule("commands.no-retry")
def test_callback_500_or_down_is_logged_not_retried_and_cpo_keeps_serving(rfid_token, caplog) -> None:
    hits: list[str] = []
    closed = bind()  # a port nobody listens on once closed
    down_port = closed.getsockname()[1]
    closed.close()

    async def main():
        async with loopback(CFG, partners=["TNM"]) as lb, serve_in_task(_failing_app(hits)) as bad:
            async with httpx.AsyncClient() as client:
                async def start(url: str) -> dict:
                    body = {"response_url": url, "token": rfid_token, "location_id": "LOC-0001",
                            "evse_uid": "EVSE-ACC-1"}
                    r = await client.post(lb.cpo_url + "/commands/START_SESSION", headers=AUTH,
                                          content=json.dumps(body))
                    return r.json()

                first = await start(f"{bad.url}/cb/500")
                second = await start(f"http://127.0.0.1:{down_port}/cb/down")
                await lb.cpo.drain()
                await asyncio.sleep(0.3)  # a retry, if any, would land now
                # The CPO still answers, and still delivers to a healthy callback.
                ok = await lb.emsps["TNM"].start_session(
                    __import__("ocpi_ref").Token.model_validate(rfid_token), "LOC-0001", evse_uid="EVSE-ACC-2")
                await lb.cpo.drain()
                return first, second, ok, list(lb.cpo.deliveries)

    with caplog.at_level(logging.WARNING, logger="ocpi_ref.cpo"):
        first, second, ok, deliveries = asyncio.run(main())
    assert first["data"]["result"] == second["data"]["result"] == "ACCEPTED"
    assert hits == ["500"]  # exactly one POST to the failing callback
    by_url = {d.response_url.rsplit("/", 1)[-1]: d for d in deliveries}
    assert len(deliveries) == 3 and len(by_url) == 3
    bad, down = by_url["500"], by_url["down"]
    [good] = [d for d in deliveries if d not in (bad, down)]
    assert bad.http_status == 500 and not bad.delivered
    assert down.http_status is None and down.error and "Connect" in down.error
    assert good.delivered and ok.outcome == "ACCEPTED"
    logged = [r.getMessage() for r in caplog.records]
    assert sum("not delivered" in m and "not retried" in m for m in logged) == 2
    assert any("HTTP 500" in m for m in logged)
