"""Delivery lanes: one partner's hanging callback slows only that partner; nothing is POSTed late;
the backlog and the records are bounded."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from ocpi_ref import Token
from ocpi_ref.cpo import delivery as delivery_module
from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.delivery import LANE_SLOTS, Deliverer, margin
from ocpi_ref.cpo.demo import HUB_TOKEN, TNM_TOKEN, demo_config
from ocpi_ref.emsp import token_header
from ocpi_ref.flow.window import APP_RETENTION, AuthorizationWindow
from ocpi_ref.party import PartyId
from ocpi_ref.v2_2_1.enums import CommandResultType

ACCEPTED = CommandResultType.ACCEPTED
TNM = {"Authorization": token_header(TNM_TOKEN)}
HUB = {"Authorization": token_header(HUB_TOKEN)}


@pytest.mark.rule("commands.result-before-deadline")
def test_a_hanging_partner_slows_only_itself_and_its_late_results_are_dropped(caplog):
    config = demo_config(command_timeout=1, charge_point_deadline=0.5, callback_timeout=5)
    tnm, hub = config.partners
    arrived: dict[str, list[float]] = {"tnm": [], "hub": []}

    async def callback(request: httpx.Request) -> httpx.Response:
        if "hub" in request.url.path:
            arrived["hub"].append(asyncio.get_running_loop().time())
            await asyncio.sleep(30)  # hangs far past every deadline
            return httpx.Response(200)
        arrived["tnm"].append(asyncio.get_running_loop().time())
        return httpx.Response(200, json={"status_code": 1000})

    async def main() -> tuple[Deliverer, float]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(callback))
        deliverer = Deliverer(config, http)
        began = asyncio.get_running_loop().time()
        deadline = deliverer.deadline()
        for i in range(3 * LANE_SLOTS):
            for who, partner, to in (("hub", hub, PartyId("NL", "ABC")), ("tnm", tnm, PartyId("DE", "TNM"))):
                deliverer.spawn(deliverer.post_result(
                    "START_SESSION", f"http://127.0.0.1/{who}/{i}", ACCEPTED, "ok", partner, to, "c", deadline=deadline
                ), partner)
        await deliverer.drain()
        await http.aclose()
        return deliverer, began

    with caplog.at_level(logging.WARNING, logger="ocpi_ref.cpo"):
        deliverer, began = asyncio.run(main())
    took = max(d for d in arrived["hub"]) - began
    by = {"TNM": [], "HUB": []}
    for d in deliverer.deliveries:
        by[d.partner].append(d)
    assert all(d.delivered for d in by["TNM"]) and len(by["TNM"]) == 3 * LANE_SLOTS
    assert max(arrived["tnm"]) - began < 0.5  # not behind the hanging partner's POSTs
    # The hanging lane: LANE_SLOTS POSTs cut at the deadline, the rest never POSTed.
    assert len(arrived["hub"]) == LANE_SLOTS and took < 0.5
    assert sorted(d.outcome for d in by["HUB"]) == ["dropped"] * (2 * LANE_SLOTS) + ["failed"] * LANE_SLOTS
    assert deliverer.counts == {"delivered": 3 * LANE_SLOTS, "dropped": 2 * LANE_SLOTS, "failed": LANE_SLOTS}
    assert all(d.partner == "HUB" for d in deliverer.deliveries if not d.delivered)
    logged = [r.getMessage() for r in caplog.records]
    assert sum("commands.result-before-deadline" in m and "not delivered" in m for m in logged) == 2 * LANE_SLOTS


@pytest.mark.rule("commands.result-before-deadline")
def test_a_result_whose_deadline_has_passed_is_dropped_not_posted(caplog):
    config = demo_config()
    posted: list[httpx.Request] = []
    now = [100.0]

    def callback(request: httpx.Request) -> httpx.Response:
        posted.append(request)
        return httpx.Response(200)

    async def main() -> Deliverer:
        http = httpx.AsyncClient(transport=httpx.MockTransport(callback))
        deliverer = Deliverer(config, http, monotonic=lambda: now[0])
        deadline = deliverer.deadline()
        assert deadline == 100.0 + config.command_timeout - margin(config.command_timeout) == 129.0
        now[0] = deadline + 0.001  # the Charge Point took the whole timeout
        await deliverer.post_result("START_SESSION", "http://127.0.0.1/x", ACCEPTED, "ok",
                                    config.partners[0], PartyId("DE", "TNM"), "c", deadline=deadline)
        return deliverer

    with caplog.at_level(logging.WARNING, logger="ocpi_ref.cpo"):
        deliverer = asyncio.run(main())
    assert posted == []
    [drop] = deliverer.deliveries
    assert drop.dropped and drop.outcome == "dropped" and drop.http_status is None
    assert any("not delivered" in r.getMessage() and "advertised timeout" in r.getMessage() for r in caplog.records)


@pytest.mark.rule("commands.backlog-limit")
def test_a_full_backlog_answers_rejected_for_that_partner_only(rfid_token):
    config = demo_config(command_timeout=3, charge_point_deadline=2, max_backlog=2)

    def body(i: int, owner: tuple[str, str] = ("DE", "TNM")) -> bytes:
        token = {**rfid_token, "country_code": owner[0], "party_id": owner[1]}
        return json.dumps({"response_url": f"http://127.0.0.1/cb/{i}", "token": token,
                           "location_id": "LOC-0001", "evse_uid": "EVSE-SIL-1"}).encode()

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        app = create_cpo_app(config, http=http)
        path = "/ocpi/cpo/2.2.1/commands/START_SESSION"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpo.test") as c:
            first = [await c.post(path, content=body(i), headers=TNM) for i in range(2)]
            full = await c.post(path, content=body(2), headers=TNM)
            stop = await c.post("/ocpi/cpo/2.2.1/commands/STOP_SESSION", headers=TNM,
                                content=json.dumps({"response_url": "http://127.0.0.1/s", "session_id": "S"}))
            other = await c.post(path, content=body(3, ("NL", "ABC")), headers=HUB)
            await app.state.cpo.aclose()
        await http.aclose()
        return first, full, stop, other

    first, full, stop, other = asyncio.run(main())
    assert [r.json()["data"]["result"] for r in first] == ["ACCEPTED", "ACCEPTED"]
    for refused in (full, stop):
        env = refused.json()
        assert refused.status_code == 200 and env["status_code"] == 2000
        assert env["data"]["result"] == "REJECTED" and "commands.backlog-limit" in env["status_message"]
    assert other.status_code == 200 and other.json()["data"]["result"] == "ACCEPTED"


def test_only_the_recent_delivery_records_are_kept_with_counters_of_all(monkeypatch):
    monkeypatch.setattr(delivery_module, "RECENT", 10)
    config = demo_config()

    async def main() -> Deliverer:
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        deliverer = Deliverer(config, http)
        for i in range(25):
            await deliverer.post_result("START_SESSION", f"http://127.0.0.1/{i}", ACCEPTED, "ok",
                                        config.partners[0], PartyId("DE", "TNM"), "c")
        return deliverer

    deliverer = asyncio.run(main())
    assert len(deliverer.deliveries) == 10 and deliverer.deliveries[-1].response_url.endswith("/24")
    assert deliverer.counts == {"delivered": 25}
    assert all(lane.pending == 0 for lane in deliverer.lanes.values())


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes", "start-session.ocpp-app-token-no-realtime-auth")
def test_the_authorization_window_prunes_by_age(rfid_token, app_token):
    now = [datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)]
    window = AuthorizationWindow(clock=lambda: now[0])
    app = Token.model_validate(app_token)
    window.record_start_session(app, "CP-1")
    for i in range(100):
        window.record_start_session(Token.model_validate({**rfid_token, "uid": f"U{i}"}), "CP-1")
    assert len(window) == 101  # 100 RFID records and one app Token record
    now[0] += timedelta(minutes=15, seconds=1)
    last = Token.model_validate({**rfid_token, "uid": "LAST"})
    window.record_start_session(last, "CP-2")
    assert len(window) == 2  # the RFID records past 15 minutes are gone, the app Token stays
    assert window.decide(app, "CP-1").realtime.value == "not allowed"
    assert window.decide(last, "CP-2").realtime.value == "not allowed"
    now[0] += APP_RETENTION
    window.record_start_session(last, "CP-2")
    assert len(window) == 1


def test_background_work_that_raises_is_logged_and_releases_its_place(caplog):
    config = demo_config()
    partner = config.partners[0]

    async def broken() -> None:
        raise RuntimeError("simulated fault")

    async def main() -> Deliverer:
        deliverer = Deliverer(config)
        deliverer.spawn(broken(), partner)
        assert deliverer.lanes[partner.token].pending == 1
        await deliverer.drain()
        return deliverer

    with caplog.at_level(logging.ERROR, logger="ocpi_ref.cpo"):
        deliverer = asyncio.run(main())
    assert deliverer.lanes[partner.token].pending == 0
    assert any("not delivered" in r.getMessage() and "simulated fault" in r.getMessage() for r in caplog.records)
