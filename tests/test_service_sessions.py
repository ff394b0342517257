"""Sessions, CDRs and Tokens over real HTTP: the Token in both, only the caller's, never stored."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from ocpi_ref import Token
from ocpi_ref.cpo.demo import TNM_TOKEN, demo_config
from ocpi_ref.emsp import token_header
from ocpi_ref.harness import loopback

CFG = demo_config(command_timeout=2, charge_point_deadline=0.2)
FROM = {"date_from": "2020-01-01T00:00:00Z"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.rule(
    "start-session.token-in-session-and-cdr", "start-session.authorization-reference-echo"
)
def test_session_and_cdr_carry_the_token_auth_method_and_reference(rfid_token) -> None:
    clock = Clock()

    async def main():
        async with loopback(CFG, clock=clock) as lb:
            tnm = lb.emsps["TNM"]
            token = Token.model_validate({**rfid_token, "uid": "never-pushed-77"})
            ex = await tnm.start_session(token, "LOC-0001", evse_uid="EVSE-ACC-1",
                                         authorization_reference="Ref-567890")
            await lb.cpo.drain()
            sessions = (await tnm.get("sessions", FROM)).json()["data"]
            clock.now += timedelta(minutes=40)
            stop = await tnm.stop_session(sessions[0]["id"])
            cdrs = (await tnm.get("cdrs")).json()["data"]
            after = (await tnm.get("sessions", FROM)).json()["data"]
            return ex, sessions, stop, cdrs, after

    ex, sessions, stop, cdrs, after = asyncio.run(main())
    assert ex.outcome == "ACCEPTED" and stop.outcome == "ACCEPTED"
    want_token = {"country_code": "DE", "party_id": "TNM", "uid": "never-pushed-77",
                  "type": "RFID", "contract_id": "DE8ACC12E46L89"}
    [session] = sessions
    assert session["cdr_token"] == want_token
    assert session["auth_method"] == "COMMAND"
    assert session["authorization_reference"] == "Ref-567890"  # unchanged, case kept
    assert session["start_date_time"] == "2025-03-01T09:00:00Z" and session["status"] == "ACTIVE"
    [cdr] = cdrs
    assert cdr["cdr_token"] == want_token and cdr["auth_method"] == "COMMAND"
    assert cdr["authorization_reference"] == "Ref-567890" and cdr["session_id"] == session["id"]
    assert cdr["end_date_time"] == "2025-03-01T09:40:00Z"
    assert after[0]["status"] == "COMPLETED"


@pytest.mark.rule("start-session.token-in-session-and-cdr")
def test_sessions_get_shows_only_the_callers_sessions_with_pagination(rfid_token) -> None:
    async def main():
        async with loopback(CFG) as lb:
            tnm, hub = lb.emsps["TNM"], lb.emsps["HUB"]
            mine = Token.model_validate(rfid_token)
            theirs = Token.model_validate({**rfid_token, "country_code": "NL", "party_id": "XYZ"})
            for location, evse in (("LOC-0001", "EVSE-ACC-1"), ("LOC-0003", "EVSE-FIX-1"),
                                   ("LOC-0002", "EVSE-PICK-1")):  # one car per EVSE
                await tnm.start_session(mine, location, evse_uid=evse)
            await hub.start_session(theirs, "LOC-0001", evse_uid="EVSE-ACC-2")
            await lb.cpo.drain()
            page1 = await tnm.get("sessions", {**FROM, "limit": "2"})
            page2 = await tnm.get("sessions", {**FROM, "offset": "2", "limit": "2"})
            hub_all = await hub.get("sessions", FROM)
            missing = await tnm.get("sessions")
            bad = await tnm.get("sessions", {"date_from": "yesterday"})
            return page1, page2, hub_all, missing, bad

    page1, page2, hub_all, missing, bad = asyncio.run(main())
    assert [s["cdr_token"]["party_id"] for s in page1.json()["data"]] == ["TNM", "TNM"]
    assert page1.headers["x-total-count"] == "3" and page1.headers["x-limit"] == "2"
    link = page1.headers["link"]
    assert link.endswith('>; rel="next"') and "offset=2" in link and "date_from=" in link
    assert len(page2.json()["data"]) == 1 and "link" not in page2.headers
    assert [s["cdr_token"]["party_id"] for s in hub_all.json()["data"]] == ["XYZ"]
    assert missing.json()["status_code"] == 2001 and "date_from" in missing.json()["status_message"]
    assert bad.json()["status_code"] == 2001 and "'yesterday'" in bad.json()["status_message"]


@pytest.mark.rule("start-session.unknown-token-not-stored")
def test_token_only_seen_in_start_session_is_unknown_to_tokens_get(rfid_token) -> None:
    async def main():
        async with loopback(CFG, partners=["TNM"]) as lb:
            tnm = lb.emsps["TNM"]
            token = Token.model_validate({**rfid_token, "uid": "only-in-command"})
            ex = await tnm.start_session(token, "LOC-0001", evse_uid="EVSE-ACC-1")
            got = await tnm.get("tokens/DE/TNM/only-in-command", {"type": "RFID"})
            return ex, got, len(lb.cpo.tokens)

    ex, got, stored = asyncio.run(main())
    assert ex.outcome == "ACCEPTED"
    assert got.status_code == 404
    body = got.json()
    assert body["status_code"] == 2004 and "data" not in body
    assert "start-session.unknown-token-not-stored" in body["status_message"]
    assert stored == 0


def test_tokens_put_get_patch_round_trip_and_owner_checks(rfid_token) -> None:
    auth = {"Authorization": token_header(TNM_TOKEN), "Content-Type": "application/json"}

    async def main() -> list[httpx.Response]:
        async with loopback(CFG, partners=["TNM"]) as lb:
            base = lb.cpo_url + "/tokens"
            uid = rfid_token["uid"]
            async with httpx.AsyncClient(headers=auth) as c:
                return [
                    await c.put(f"{base}/DE/TNM/{uid}", params={"type": "RFID"}, content=json.dumps(rfid_token)),
                    await c.put(f"{base}/DE/TNM/{uid}", content=json.dumps(rfid_token)),  # type defaults to RFID
                    await c.get(f"{base}/de/tnm/{uid}"),
                    await c.get(f"{base}/DE/TNM/{uid}", params={"type": "APP_USER"}),
                    await c.put(f"{base}/DE/TNM/other-uid", content=json.dumps(rfid_token)),
                    await c.put(f"{base}/NL/XYZ/{uid}", content=json.dumps({**rfid_token, "country_code": "NL", "party_id": "XYZ"})),
                    await c.patch(f"{base}/DE/TNM/{uid}", content=json.dumps({"valid": False})),
                    await c.patch(f"{base}/DE/TNM/{uid}", content=json.dumps({"valid": False, "last_updated": "2025-01-01T00:00:00Z"})),
                    await c.get(f"{base}/DE/TNM/{uid}"),
                    await c.get(f"{base}/DE/TNM/{uid}", params={"type": "BADGE"}),
                ]

    created, replaced, got, wrong_type, uid_mismatch, not_mine, no_stamp, patched, after, bad_type = asyncio.run(main())
    assert created.status_code == 201 and created.json()["status_code"] == 1000
    assert replaced.status_code == 200
    assert got.status_code == 200 and got.json()["data"] == rfid_token  # exactly as pushed
    assert wrong_type.status_code == 404 and wrong_type.json()["status_code"] == 2004
    assert uid_mismatch.json()["status_code"] == 2001 and "/uid:" in uid_mismatch.json()["status_message"]
    assert not_mine.status_code == 404
    assert no_stamp.json()["status_code"] == 2001 and "/last_updated" in no_stamp.json()["status_message"]
    assert patched.json()["status_code"] == 1000
    assert after.json()["data"]["valid"] is False
    assert bad_type.json()["status_code"] == 2001 and "type" in bad_type.json()["status_message"]


def test_stop_session_refusals(rfid_token) -> None:
    async def main():
        async with loopback(CFG) as lb:
            tnm, hub = lb.emsps["TNM"], lb.emsps["HUB"]
            await tnm.start_session(Token.model_validate(rfid_token), "LOC-0001", evse_uid="EVSE-ACC-1")
            await lb.cpo.drain()
            sid = lb.cpo.sessions.sessions[0].id
            unknown = await tnm.stop_session("SES-NOPE")
            foreign = await hub.stop_session(sid)
            first = await tnm.stop_session(sid)
            again = await tnm.stop_session(sid)
            return unknown, foreign, first, again, len(lb.cpo.sessions.cdrs)

    unknown, foreign, first, again, cdrs = asyncio.run(main())
    assert unknown.response is not None and unknown.response.result.value == "UNKNOWN_SESSION"
    assert foreign.response is not None and foreign.response.result.value == "REJECTED"
    assert first.outcome == "ACCEPTED"
    assert again.response is not None and again.response.result.value == "REJECTED"
    assert cdrs == 1


@pytest.mark.rule("start-session.emsp-authorizes-token", "start-session.token-in-session-and-cdr")
def test_the_charge_point_starts_with_the_token_the_emsp_gave(rfid_token) -> None:
    """The remote start carries the Token's uid as the OCPP idTag; the Session keeps the idTag
    the Charge Point started with, and its cdr_token is that same Token."""

    async def main():
        async with loopback(CFG) as lb:
            token = Token.model_validate({**rfid_token, "uid": "Tag-0042"})
            ex = await lb.emsps["TNM"].start_session(token, "LOC-0001", evse_uid="EVSE-ACC-1")
            await lb.cpo.drain()
            return ex, lb.cpo.charge_point("CP-ACCEPTS").id_tags, lb.cpo.sessions.sessions

    ex, id_tags, sessions = asyncio.run(main())
    assert ex.outcome == "ACCEPTED"
    assert id_tags == ["Tag-0042"]  # as given, case kept
    [session] = sessions
    assert session.id_tag == "Tag-0042"
    assert session.to_json()["cdr_token"]["uid"] == session.id_tag
    assert "id_tag" not in session.to_json()  # not an OCPI field


@pytest.mark.rule("commands.result-from-charge-point")
@pytest.mark.parametrize(("version", "occupied"), [("2.2.1", "EVSE_OCCUPIED"), ("2.1.1", "REJECTED")])
def test_a_second_start_on_an_evse_with_an_active_session_is_answered_occupied(rfid_token, version, occupied):
    from ocpi_ref.cpo.app import create_cpo_app
    from ocpi_ref.v2_1_1.examples import spec_example as spec_example_211

    posted: list[httpx.Request] = []
    auth = {"Authorization": f"Token {TNM_TOKEN}" if version == "2.1.1" else token_header(TNM_TOKEN)}
    token = spec_example_211("token_object_example") if version == "2.1.1" else rfid_token

    def start(i: int) -> bytes:
        return json.dumps({"response_url": f"http://127.0.0.1/cb/{i}", "token": {**token, "uid": f"U{i}"},
                           "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"}).encode()

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: posted.append(r) or httpx.Response(200)))
        app = create_cpo_app(CFG, http=http)
        path = f"/ocpi/cpo/{version}/commands/START_SESSION"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpo.test") as c:
            answers = []
            for i in (1, 2):
                answers.append((await c.post(path, content=start(i), headers=auth)).json()["data"]["result"])
                await app.state.cpo.drain()
            [active] = app.state.cpo.sessions.sessions
            stop = json.dumps({"response_url": "http://127.0.0.1/cb/stop", "session_id": active.id})
            await c.post("/ocpi/cpo/2.2.1/commands/STOP_SESSION", content=stop, headers={"Authorization": token_header(TNM_TOKEN)})
            await app.state.cpo.drain()
            answers.append((await c.post(path, content=start(3), headers=auth)).json()["data"]["result"])
            await app.state.cpo.drain()
        await http.aclose()
        return answers, app.state.cpo.sessions.sessions

    answers, sessions = asyncio.run(main())
    assert answers == ["ACCEPTED"] * 3  # the command was valid each time; the Charge Point answers after
    results = {r.url.path.rsplit("/", 1)[-1]: json.loads(r.content) for r in posted}
    assert results["1"]["result"] == "ACCEPTED" and results["3"]["result"] == "ACCEPTED"
    assert results["2"]["result"] == occupied
    if version != "2.1.1":
        assert "commands.result-from-charge-point" in results["2"]["message"][0]["text"]
    assert [s.status for s in sessions] == ["COMPLETED", "ACTIVE"]  # never two ACTIVE on one EVSE
