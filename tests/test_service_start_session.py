"""The CPO's synchronous answer to START_SESSION over real HTTP: each refusal, each acceptance."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import httpx
import pytest

from ocpi_ref.cpo.demo import HUB_TOKEN, TNM_TOKEN, demo_config
from ocpi_ref.emsp import token_header
from ocpi_ref.harness import loopback

CFG = demo_config(command_timeout=2, charge_point_deadline=0.2)
TNM = {"Authorization": token_header(TNM_TOKEN)}
HUB = {"Authorization": token_header(HUB_TOKEN)}


def _post(bodies: list[tuple[dict[str, str], dict[str, Any]]]) -> tuple[list[dict[str, Any]], Any]:
    """POST each (headers, StartSession) with a response_url on the TNM callback; drain results."""

    async def main() -> tuple[list[dict[str, Any]], Any]:
        async with loopback(CFG, partners=["TNM"]) as lb:
            cb = lb.emsps["TNM"].callback_url + "/ocpi/emsp/2.2.1/commands/START_SESSION/"
            out = []
            async with httpx.AsyncClient() as client:
                for i, (headers, body) in enumerate(bodies):
                    body = copy.deepcopy(body)
                    body.setdefault("response_url", f"{cb}r{i}")
                    resp = await client.post(
                        lb.cpo_url + "/commands/START_SESSION", headers=headers, content=json.dumps(body)
                    )
                    assert resp.status_code == 200, resp.text
                    out.append(resp.json())
            await lb.cpo.drain()
            return out, lb

    return asyncio.run(main())


def _ss(token: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"token": token, "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.rule("start-session.own-tokens-only")
def test_foreign_token_is_rejected_naming_the_rule(rfid_token) -> None:
    foreign = {**rfid_token, "country_code": "NL", "party_id": "XYZ"}
    [env], lb = _post([(TNM, _ss(foreign))])
    assert env["status_code"] == 2001 and env["data"]["result"] == "REJECTED"
    assert "start-session.own-tokens-only" in env["status_message"]
    assert lb.cpo.charge_point("CP-ACCEPTS").remote_starts == 0
    assert lb.cpo.deliveries == []  # commands.result-after-accepted: nothing for a refusal


@pytest.mark.rule("start-session.own-tokens-only")
def test_ownership_compares_without_case_and_keeps_it(rfid_token) -> None:
    lower = {**rfid_token, "country_code": "de", "party_id": "tnm"}
    [env], lb = _post([(TNM, _ss(lower))])
    assert env["status_code"] == 1000 and env["data"]["result"] == "ACCEPTED"
    [session] = lb.cpo.sessions.sessions
    assert session.to_json()["cdr_token"]["country_code"] == "de"  # case kept, never changed


@pytest.mark.rule("start-session.own-tokens-only", "commands.from-headers-match-credentials")
def test_hub_from_headers_pick_the_role_and_spoofing_is_refused(rfid_token) -> None:
    abc = {**rfid_token, "country_code": "NL", "party_id": "ABC"}
    xyz = {**rfid_token, "country_code": "NL", "party_id": "XYZ"}
    as_abc = {**HUB, "OCPI-from-country-code": "NL", "OCPI-from-party-id": "abc"}
    as_tnm = {**HUB, "OCPI-from-country-code": "DE", "OCPI-from-party-id": "TNM"}
    tnm_as_abc = {**TNM, "OCPI-from-country-code": "NL", "OCPI-from-party-id": "ABC"}

    async def main() -> list[httpx.Response]:
        async with loopback(CFG, partners=["HUB"]) as lb:
            cb = lb.emsps["HUB"].callback_url + "/ocpi/emsp/2.2.1/commands/START_SESSION/h"
            async with httpx.AsyncClient() as client:
                out = []
                for headers, token in [(HUB, abc), (HUB, xyz), (as_abc, abc), (as_abc, xyz),
                                       (as_tnm, rfid_token), (tnm_as_abc, abc)]:
                    body = _ss(token, response_url=cb)
                    out.append(await client.post(lb.cpo_url + "/commands/START_SESSION",
                                                 headers=headers, content=json.dumps(body)))
                return out

    hub_abc, hub_xyz, from_abc_abc, from_abc_xyz, spoof_tnm, spoof_other_creds = asyncio.run(main())
    assert hub_abc.json()["data"]["result"] == "ACCEPTED"  # no from headers: any hub role
    assert hub_xyz.json()["data"]["result"] == "ACCEPTED"
    assert from_abc_abc.json()["data"]["result"] == "ACCEPTED"
    assert from_abc_abc.headers["ocpi-to-party-id"] == "abc"  # the response swaps the routing headers
    # Speaking as NL-ABC, a NL-XYZ Token is someone else's.
    assert from_abc_xyz.json()["data"]["result"] == "REJECTED"
    assert "start-session.own-tokens-only" in from_abc_xyz.json()["status_message"]
    for spoof in (spoof_tnm, spoof_other_creds):
        assert spoof.status_code == 403
        assert "commands.from-headers-match-credentials" in spoof.json()["status_message"]


@pytest.mark.rule("start-session.cpo-no-validity-check", "start-session.unpushed-tokens-allowed")
def test_invalid_or_never_whitelisted_token_is_forwarded_like_any_other(rfid_token) -> None:
    bodies = [
        (TNM, _ss({**rfid_token, "valid": False})),
        (TNM, _ss({**rfid_token, "whitelist": "NEVER", "uid": "never-pushed-1"}, evse_uid="EVSE-ACC-2")),
    ]
    envs, lb = _post(bodies)
    assert [e["data"]["result"] for e in envs] == ["ACCEPTED", "ACCEPTED"]
    assert lb.cpo.charge_point("CP-ACCEPTS").remote_starts == 2
    assert [d.result.value for d in lb.cpo.deliveries] == ["ACCEPTED", "ACCEPTED"]


@pytest.mark.rule("start-session.location-of-receiver")
def test_unknown_location_evse_or_connector_is_2003_rejected(rfid_token) -> None:
    envs, lb = _post([
        (TNM, _ss(rfid_token, location_id="LOC-9999")),
        (TNM, _ss(rfid_token, evse_uid="EVSE-NONE")),
        (TNM, _ss(rfid_token, connector_id="7")),
    ])
    for env, what in zip(envs, ("unknown location LOC-9999", "unknown EVSE EVSE-NONE", "unknown connector 7")):
        assert env["status_code"] == 2003 and env["data"]["result"] == "REJECTED"
        assert what in env["status_message"]
    assert lb.cpo.deliveries == []


@pytest.mark.rule("start-session.location-of-receiver")
def test_location_and_evse_match_without_case(rfid_token) -> None:
    [env], _ = _post([(TNM, _ss(rfid_token, location_id="loc-0001", evse_uid="evse-acc-1"))])
    assert env["data"]["result"] == "ACCEPTED"


@pytest.mark.rule("start-session.connector-required-by-evse")
def test_evse_that_requires_a_connector_refuses_without_one(rfid_token) -> None:
    envs, _ = _post([
        (TNM, _ss(rfid_token, evse_uid="EVSE-CR-1")),
        (TNM, _ss(rfid_token, evse_uid="EVSE-CR-1", connector_id="2")),
    ])
    assert envs[0]["status_code"] == 2001 and envs[0]["data"]["result"] == "REJECTED"
    assert "START_SESSION_CONNECTOR_REQUIRED" in envs[0]["status_message"]
    assert envs[1]["status_code"] == 1000 and envs[1]["data"]["result"] == "ACCEPTED"


@pytest.mark.rule("start-session.connector-requires-evse")
def test_connector_without_evse_is_2001_with_the_pointer(rfid_token) -> None:
    [env], _ = _post([(TNM, _ss(rfid_token, evse_uid=None, connector_id="1"))])
    assert env["status_code"] == 2001 and env["data"]["result"] == "REJECTED"
    assert "/evse_uid:" in env["status_message"]
    assert "[start-session.connector-requires-evse]" in env["status_message"]


@pytest.mark.rule("start-session.evse-optional")
def test_without_evse_the_charge_point_picks_or_it_is_not_supported(rfid_token) -> None:
    envs, lb = _post([
        (TNM, _ss(rfid_token, location_id="LOC-0002", evse_uid=None)),
        (TNM, _ss(rfid_token, location_id="LOC-0003", evse_uid=None)),
    ])
    assert envs[0]["status_code"] == 1000 and envs[0]["data"]["result"] == "ACCEPTED"
    assert envs[1]["status_code"] == 1000 and envs[1]["data"]["result"] == "NOT_SUPPORTED"
    [session] = lb.cpo.sessions.sessions
    assert session.evse_uid == "EVSE-PICK-1"  # chosen by the Charge Point
    assert len(lb.cpo.deliveries) == 1


@pytest.mark.rule("commands.response-url-allowed")
def test_response_url_host_not_allowed_is_refused_up_front(rfid_token) -> None:
    envs, lb = _post([
        (TNM, _ss(rfid_token, response_url="http://169.254.169.254/latest/meta-data")),
        (TNM, _ss(rfid_token, response_url="ftp://127.0.0.1/x")),
    ])
    for env in envs:
        assert env["status_code"] == 2001 and env["data"]["result"] == "REJECTED"
    assert "'169.254.169.254' is not one this CPO may call" in envs[0]["status_message"]
    assert lb.cpo.charge_point("CP-ACCEPTS").remote_starts == 0
    assert lb.cpo.deliveries == []


@pytest.mark.rule("start-session.own-tokens-only", "commands.response-envelope")
def test_invalid_body_is_http_200_status_2001_with_every_finding(rfid_token) -> None:
    token = {**rfid_token, "whitelist": "SOMETIMES"}
    token.pop("contract_id")
    [env], lb = _post([(TNM, _ss(token, location_id="L" * 40))])
    assert env["status_code"] == 2001 and env["data"]["result"] == "REJECTED"
    msg = env["status_message"]
    for pointer in ("/location_id:", "/token/contract_id:", "/token/whitelist:"):
        assert pointer in msg
    assert lb.cpo.deliveries == []
