"""The simulator endpoint tells whether, and how long ago, a StartSession with a Token reached a
Charge Point: it needs credentials and answers each partner about its own Tokens only; without
credentials only loopback, and only where ``open_simulator`` is on (the demo)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.config import parse_config
from ocpi_ref.cpo.demo import HUB_TOKEN, TNM_TOKEN, demo_config_dict
from ocpi_ref.emsp import token_header

TNM = {"Authorization": token_header(TNM_TOKEN)}
HUB = {"Authorization": token_header(HUB_TOKEN)}
SIM = "/simulator/charge-points/CP-ACCEPTS/authorize"
LOOPBACK, REMOTE = ("127.0.0.1", 50000), ("203.0.113.5", 50000)


def _asks(token: dict[str, Any], asks: list[tuple[tuple[str, int], dict[str, str]]], *, started: bool = True,
          **cpo: Any) -> list[httpx.Response]:
    """After a StartSession of *token* by TNM (when *started*), each (client address, headers)
    presents *token* at CP-ACCEPTS."""
    config = parse_config(demo_config_dict(command_timeout=2, charge_point_deadline=0.2, **cpo))

    async def main() -> list[httpx.Response]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        app = create_cpo_app(config, http=http)
        out = []
        if started:
            body = json.dumps({"response_url": "http://127.0.0.1/cb/1", "token": token,
                               "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"})
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpo.test") as c:
                assert (await c.post("/ocpi/cpo/2.2.1/commands/START_SESSION", content=body, headers=TNM)
                        ).json()["data"]["result"] == "ACCEPTED"
        for client, headers in asks:
            transport = httpx.ASGITransport(app=app, client=client)
            async with httpx.AsyncClient(transport=transport, base_url="http://cpo.test") as c:
                out.append(await c.post(SIM, content=json.dumps(token), headers=headers))
        await app.state.cpo.drain()
        await http.aclose()
        return out

    return asyncio.run(main())


def test_without_credentials_only_loopback_and_only_with_open_simulator(rfid_token):
    remote, local = _asks(rfid_token, [(REMOTE, {}), (LOOPBACK, {})])
    assert remote.status_code == 401 and remote.json()["status_code"] == 2000
    assert local.status_code == 200 and local.json()["data"]["realtime"] == "not allowed"
    [closed] = _asks(rfid_token, [(LOOPBACK, {})], open_simulator=False)
    assert closed.status_code == 401 and "data" not in closed.json()


def test_a_partner_learns_nothing_of_another_partner_s_tokens(rfid_token):
    own, other = _asks(rfid_token, [(REMOTE, TNM), (REMOTE, HUB)])
    assert own.status_code == 200 and own.json()["data"]["realtime"] == "not allowed"
    assert other.status_code == 403 and "data" not in other.json()
    assert "own Tokens only" in other.json()["status_message"]
    [never_started] = _asks(rfid_token, [(REMOTE, HUB)], started=False)
    # The same answer whether or not the Token was used: nothing to tell them apart.
    assert never_started.status_code == 403
    assert never_started.json()["status_message"] == other.json()["status_message"]


def test_an_operator_token_on_loopback_is_still_a_partner(rfid_token):
    [hub] = _asks(rfid_token, [(LOOPBACK, HUB)])  # credentials sent: answered as that partner
    assert hub.status_code == 403
