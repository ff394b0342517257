"""The reference CPO and eMSP in every OCPI version, over loopback HTTP.

The Versions module and discovery through it; START_SESSION in 2.1.1, 2.2, 2.2.1 and 2.3.0,
each with its own model, rules and answer shapes; the Session a StartSession of any version
leads to; and the Authorization header's encoding by version and by partner.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
from typing import Any

import httpx
import pytest

from ocpi_ref.cli import main
from ocpi_ref.findings import RuleViolation
from ocpi_ref.flow.decision import decide_start_session
from ocpi_ref.flow.starter import EmspStarter
from ocpi_ref.v2_1_1.examples import spec_example as spec_example_211
from ocpi_ref.cpo.config import ConfigError, parse_config
from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.demo import (
    HUB_CALLBACK,
    HUB_TOKEN,
    TNM_CALLBACK,
    TNM_TOKEN,
    demo_config,
    demo_config_dict,
)
from ocpi_ref.emsp import (
    CommandTracker,
    EmspClient,
    create_callback_app,
    token_header,
)
from ocpi_ref.harness import loopback
from ocpi_ref.transport.servers import serve_in_thread
from ocpi_ref.specs import spec
from ocpi_ref.versions import VERSIONS

CFG = demo_config(command_timeout=2, charge_point_deadline=0.2)
PLAIN = {"Authorization": f"Token {TNM_TOKEN}"}
B64 = {"Authorization": token_header(TNM_TOKEN)}
#: Each version's default way of sending the TNM credentials.
AUTH = {"2.1.1": PLAIN, "2.2": PLAIN, "2.2.1": B64, "2.3.0": B64}
FROM = {"date_from": "2020-01-01T00:00:00Z"}


def _token(version: str, rfid_token: dict[str, Any], **changes: Any) -> Any:
    """The spec's RFID Token example of *version* (2.1.1 has its own), as that version's model."""
    doc = spec_example_211("token_object_example") if version == "2.1.1" else copy.deepcopy(rfid_token)
    return spec(version).token.model_validate({**doc, **changes})


def _body(version: str, callback: str, token: dict[str, Any], rid: str, **fields: Any) -> bytes:
    body = {
        "response_url": f"{callback}/ocpi/emsp/{version}/commands/START_SESSION/{rid}",
        "token": token,
        "location_id": "LOC-0001",
        "evse_uid": "EVSE-ACC-1",
        **fields,
    }
    return json.dumps(body).encode()


def _commands(root: str, version: str, command: str = "START_SESSION") -> str:
    return f"{root}/ocpi/cpo/{version}/commands/{command}"


# ---------------------------------------------------------------- the Versions module


@pytest.mark.rule("commands.credentials-required", "commands.authorization-encoding")
def test_versions_module_lists_every_version_and_its_modules() -> None:
    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb, httpx.AsyncClient() as c:
            spoofing = {**B64, "OCPI-from-country-code": "NL", "OCPI-from-party-id": "XYZ"}
            out = {
                "plain": await c.get(lb.versions_url, headers=PLAIN),
                "base64": await c.get(lb.versions_url, headers=spoofing),  # from headers not used
                "none": await c.get(lb.versions_url),
                "unknown": await c.get(f"{lb.root_url}/ocpi/cpo/3.0", headers=B64),
                "unknown-command": await c.post(_commands(lb.root_url, "2.0"), headers=B64, content=b"{}"),
                "no-module": await c.get(f"{lb.root_url}/ocpi/cpo/2.1.1/sessions", headers=PLAIN),
            }
            for v in VERSIONS:
                out[v] = await c.get(f"{lb.root_url}/ocpi/cpo/{v}", headers=AUTH[v])
            return lb.root_url, out

    root, out = asyncio.run(run())
    listed = [{"version": v, "url": f"{root}/ocpi/cpo/{v}"} for v in VERSIONS]
    for key in ("plain", "base64"):  # the version list takes the token either way
        assert out[key].status_code == 200 and out[key].json()["data"] == listed
    assert out["none"].status_code == 401
    assert "commands.credentials-required" in out["none"].json()["status_message"]
    for v in VERSIONS:
        resp = out[v]
        assert resp.status_code == 200 and resp.json()["data"]["version"] == v
        assert not any(h.startswith("ocpi-") for h in resp.headers)  # no routing headers
    endpoints = {v: out[v].json()["data"]["endpoints"] for v in VERSIONS}
    assert endpoints["2.1.1"] == [{"identifier": "commands", "url": f"{root}/ocpi/cpo/2.1.1/commands"}]
    assert endpoints["2.2.1"] == [
        {"identifier": m, "role": role, "url": f"{root}/ocpi/cpo/2.2.1/{m}"}
        for m, role in (("commands", "RECEIVER"), ("tokens", "RECEIVER"), ("sessions", "SENDER"), ("cdrs", "SENDER"))
    ]
    for v in ("2.2", "2.3.0"):
        assert endpoints[v] == [{"identifier": "commands", "role": "RECEIVER", "url": f"{root}/ocpi/cpo/{v}/commands"}]
    for key in ("unknown", "unknown-command"):
        assert out[key].status_code == 404 and out[key].json()["status_code"] == 3002
        assert "2.1.1, 2.2, 2.2.1, 2.3.0" in out[key].json()["status_message"]
    assert out["no-module"].status_code == 404 and out["no-module"].json()["status_code"] == 2000


@pytest.mark.rule("commands.unique-response-url", "commands.authorization-encoding")
def test_emsp_discovers_the_commands_endpoint_through_the_versions_module(rfid_token) -> None:
    def only_2_2_1(request: httpx.Request) -> httpx.Response:
        data: Any = [{"version": "2.2.1", "url": "https://cpo.example.com/ocpi/cpo/2.2.1"}]
        return httpx.Response(200, json={"data": data, "status_code": 1000, "timestamp": "2025-03-01T09:00:00Z"})

    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb:
            exchanges = {v: await lb.client("TNM", v).start_session(_token(v, rfid_token), "LOC-0001",
                                                                  evse_uid="EVSE-NOCAR-1") for v in VERSIONS}
            seen = {c.version: c.endpoints for c in lb._extra}
            lost = EmspClient("https://cpo.example.com/ocpi/versions", TNM_TOKEN, "DE-TNM",
                              "https://emsp.example.com", CommandTracker(), version="2.1.1",
                              http=httpx.AsyncClient(transport=httpx.MockTransport(only_2_2_1)))
            nowhere = await lost.start_session(_token("2.1.1", rfid_token), "LOC-0001")
            await lost.aclose()
            return lb.root_url, exchanges, seen, nowhere

    root, exchanges, seen, nowhere = asyncio.run(run())
    for v, ex in exchanges.items():
        assert ex.outcome == "ACCEPTED", ex.steps
        assert ex.steps[0] == f"GET {root}/ocpi/versions: versions 2.1.1, 2.2, 2.2.1, 2.3.0"
        assert ex.steps[1] == f"GET {root}/ocpi/cpo/{v}: commands at {root}/ocpi/cpo/{v}/commands"
        assert f"/ocpi/emsp/{v}/commands/START_SESSION/{ex.request_id}" in ex.response_url
    assert set(seen["2.2.1"]) == {"commands", "tokens", "sessions", "cdrs"} and set(seen["2.1.1"]) == {"commands"}
    assert nowhere.outcome == "refused"
    assert nowhere.steps == ["no commands endpoint: the CPO does not offer OCPI 2.1.1 (it offers 2.2.1)"]


# ---------------------------------------------------------------- the decisions, as functions


@pytest.mark.rule("start-session.own-tokens-only", "start-session.connector-required-by-evse")
def test_decide_and_build_start_sessions_per_version(rfid_token) -> None:
    def decide(version: str, token: dict[str, Any], **fields: Any):
        body = {"response_url": "https://emsp.example.com/cb/1", "token": token,
                "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1", **fields}
        return decide_start_session(body, sender="NL-ABC", locations=CFG.locations, version=version)

    token_211 = spec_example_211("token_object_example")
    accepted = decide("2.1.1", token_211)  # no owner in 2.1.1, so nothing to refuse
    assert accepted.accepted and accepted.response(30).model_dump(mode="json") == {"result": "ACCEPTED"}
    assert decide("2.2", rfid_token).rule == "start-session.own-tokens-only"  # DE-TNM is not NL-ABC
    needs = decide("2.1.1", token_211, evse_uid="EVSE-CR-1", connector_id="1")  # ignored
    assert (needs.result.value, needs.status_code, needs.rule) == (
        "NOT_SUPPORTED", 1000, "start-session.connector-required-by-evse")

    starter_211 = EmspStarter("DE-TNM", "https://emsp.example.com/cb", version="2.1.1", new_id=lambda: "r1")
    _, start = starter_211.start_session(_token("2.1.1", {}), "LOC-0001")
    assert start.model_dump(mode="json")["response_url"] == "https://emsp.example.com/cb/r1"
    with pytest.raises(ValueError, match="an OCPI 2.2 StartSession has no connector_id"):
        EmspStarter("DE-TNM", "https://e.example/cb", version="2.2").start_session(
            _token("2.2", rfid_token), "LOC-0001", evse_uid="E1", connector_id="1")
    with pytest.raises(RuleViolation):  # 2.3.0 has the ownership rule
        EmspStarter("NL-ABC", "https://e.example/cb", version="2.3.0").start_session(
            _token("2.2.1", rfid_token), "LOC-0001")
    _, start_230 = EmspStarter("DE-TNM", "https://e.example/cb", version="2.3.0").start_session(
        _token("2.2.1", rfid_token), "LOC-0001")  # a 2.2.1 Token is read as a 2.3.0 one
    assert type(start_230) is spec("2.3.0").start_session


# ---------------------------------------------------------------- START_SESSION in each version


@pytest.mark.rule(
    "commands.result-after-accepted",
    "commands.result-bare-body",
    "commands.v211-response-either-shape",
    "commands.authorization-encoding",
)
def test_start_session_is_accepted_in_every_version_with_that_versions_answers(rfid_token) -> None:
    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb:
            exchanges = {}
            for v in VERSIONS:
                exchanges[v] = await lb.client("TNM", v).start_session(  # no car: the EVSE stays free
                    _token(v, rfid_token), "LOC-0001", evse_uid="EVSE-NOCAR-1")
            await lb.cpo.drain()
            return exchanges, {a.version: a for a in lb.tracker("TNM").arrivals}

    exchanges, arrivals = asyncio.run(run())
    assert {v: ex.outcome for v, ex in exchanges.items()} == dict.fromkeys(VERSIONS, "ACCEPTED")
    # 2.1.1: {"result"} both times, no timeout, no message; plain token; no routing headers.
    assert exchanges["2.1.1"].envelope["data"] == {"result": "ACCEPTED"}
    v211 = arrivals["2.1.1"]
    assert v211.body == {"result": "ACCEPTED"} and v211.matched
    assert v211.headers["authorization"] == f"Token {TNM_CALLBACK}"
    assert not any(h.startswith("ocpi-") for h in v211.headers)
    # 2.2 and later: a CommandResponse with timeout, then a bare CommandResult.
    for v in ("2.2", "2.2.1", "2.3.0"):
        assert exchanges[v].envelope["data"]["timeout"] == 2
        arrival = arrivals[v]
        assert set(arrival.body) == {"result", "message"} and arrival.body["result"] == "ACCEPTED"
        assert arrival.headers["ocpi-to-party-id"] == "TNM"
    assert arrivals["2.2"].headers["authorization"] == f"Token {TNM_CALLBACK}"  # the 2.2 text: plain
    for v in ("2.2.1", "2.3.0"):
        assert arrivals[v].headers["authorization"] == token_header(TNM_CALLBACK)


@pytest.mark.rule("commands.timeout-when-silent", "commands.v211-response-either-shape")
def test_2_1_1_maps_the_charge_points_answer_onto_its_command_response_type() -> None:
    evses = ("EVSE-REJ-1", "EVSE-OCC-1", "EVSE-INOP-1", "EVSE-SIL-1")

    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb:
            client = lb.client("TNM", "2.1.1", result_wait=2)
            token = _token("2.1.1", {})
            exchanges = [await client.start_session(token, "LOC-0001", evse_uid=e) for e in evses]
            await lb.cpo.drain()
            return exchanges, lb.cpo.deliveries

    exchanges, deliveries = asyncio.run(run())
    assert [ex.outcome for ex in exchanges] == ["REJECTED", "REJECTED", "REJECTED", "TIMEOUT"]
    assert [d.result.value for d in deliveries] == ["FAILED", "EVSE_OCCUPIED", "EVSE_INOPERATIVE", "TIMEOUT"]
    assert {d.version for d in deliveries} == {"2.1.1"}


@pytest.mark.rule("commands.v211-response-either-shape", "commands.unique-response-url")
def test_emsp_reads_2_1_1_answers_in_either_shape_and_waits_its_own_time() -> None:
    sent: list[httpx.Request] = []

    def bare_string_cpo(request: httpx.Request) -> httpx.Response:
        sent.append(request)  # ACCEPTED as a bare string, and no callback ever
        return httpx.Response(200, json={"data": "ACCEPTED", "status_code": 1000, "timestamp": "2015-06-29T20:39:09Z"})

    async def run():
        tracker = CommandTracker()
        app = create_callback_app(tracker, callback_token="cb")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emsp") as emsp:
            futures = [tracker.expect(r) for r in ("r1", "r2", "r3")]
            url = "/ocpi/emsp/2.1.1/commands/START_SESSION/"
            answers = [
                await emsp.post(url + "r1", headers={"Authorization": "Token cb"}, content=b'"ACCEPTED"'),
                await emsp.post(url + "r2", headers={"Authorization": "Token cb"}, content=b'{"result": "TIMEOUT"}'),
                await emsp.post(url + "r3", headers={"Authorization": token_header("cb")}, content=b'"ACCEPTED"'),
                await emsp.post("/ocpi/emsp/2.2.1/commands/START_SESSION/r4",
                                headers={"Authorization": token_header("cb")}, content=b'"ACCEPTED"'),
            ]
        client = EmspClient("https://cpo.example.com/ocpi/cpo/2.1.1", TNM_TOKEN, "DE-TNM",
                            "https://emsp.example.com", CommandTracker(), version="2.1.1", result_wait=0.2,
                            http=httpx.AsyncClient(transport=httpx.MockTransport(bare_string_cpo)))
        ex = await client.start_session(_token("2.1.1", {}), "LOC-0001", evse_uid="EVSE-ACC-1")
        await client.aclose()
        return answers, [f.done() and f.result().result.value for f in futures[:2]], ex

    answers, results, ex = asyncio.run(run())
    assert [a.status_code for a in answers] == [200, 200, 401, 200]  # 2.1.1 default: plain only
    assert [a.json()["status_code"] for a in answers[:2]] == [1000, 1000]
    assert results == ["ACCEPTED", "TIMEOUT"]
    assert answers[3].json()["status_code"] == 2001  # from 2.2 on a bare string is no CommandResult
    assert ex.steps[1] == "HTTP 200, status 1000, CommandResponse ACCEPTED (OCPI 2.1.1: no timeout advertised)"
    assert ex.steps[2] == "no result within the configured 0.2 s (OCPI 2.1.1 has no timeout); taking it that none will come"
    [request] = sent
    assert request.headers["authorization"] == f"Token {TNM_TOKEN}"
    assert "ocpi-from-country-code" not in request.headers
    body = json.loads(request.content)
    assert set(body["token"]) == set(spec_example_211("token_object_example"))  # a 2.1.1 Token, no owner


@pytest.mark.rule("start-session.own-tokens-only")
def test_2_1_1_has_no_token_owner_to_refuse_while_2_2_refuses_a_foreign_one(rfid_token) -> None:
    foreign_211 = {**spec_example_211("token_object_example"), "country_code": "NL", "party_id": "XYZ"}
    foreign_22 = {**rfid_token, "country_code": "NL", "party_id": "XYZ"}
    spoof = {**PLAIN, "OCPI-from-country-code": "NL", "OCPI-from-party-id": "XYZ"}

    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb, httpx.AsyncClient() as c:
            cb = lb.emsps["TNM"].callback_url
            r211 = await c.post(_commands(lb.root_url, "2.1.1"), headers=spoof,
                                content=_body("2.1.1", cb, foreign_211, "o1"))
            r22 = await c.post(_commands(lb.root_url, "2.2"), headers=PLAIN,
                               content=_body("2.2", cb, foreign_22, "o2"))
            await lb.cpo.drain()
            return r211, r22, [s.to_json()["cdr_token"] for s in lb.cpo.sessions.sessions]

    r211, r22, tokens = asyncio.run(run())
    # 2.1.1: no ownership rule and no OCPI-from headers (ignored, so no 403); the Token's unknown
    # country_code/party_id are kept in the model but never become its owner: the caller is.
    assert r211.status_code == 200 and r211.json()["data"] == {"result": "ACCEPTED"}
    assert not any(h.startswith("ocpi-") for h in r211.headers)
    assert [(t["country_code"], t["party_id"]) for t in tokens] == [("DE", "TNM")]
    assert r22.json()["status_code"] == 2001 and r22.json()["data"]["result"] == "REJECTED"
    assert "start-session.own-tokens-only" in r22.json()["status_message"]


@pytest.mark.rule("type.open-enum", "start-session.token-in-session-and-cdr")
def test_2_3_0_accepts_an_unlisted_token_type_that_2_2_1_refuses(rfid_token, caplog) -> None:
    badge = {**rfid_token, "type": "BADGE"}

    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb, httpx.AsyncClient() as c:
            cb = lb.emsps["TNM"].callback_url
            r230 = await c.post(_commands(lb.root_url, "2.3.0"), headers=B64, content=_body("2.3.0", cb, badge, "b1"))
            r221 = await c.post(_commands(lb.root_url, "2.2.1"), headers=B64, content=_body("2.2.1", cb, badge, "b2"))
            await lb.cpo.drain()
            sessions = (await lb.emsps["TNM"].get("sessions", FROM)).json()["data"]
            return r230, r221, sessions

    with caplog.at_level(logging.WARNING, logger="ocpi_ref.cpo"):
        r230, r221, sessions = asyncio.run(run())
    assert r230.json()["status_code"] == 1000 and r230.json()["data"]["result"] == "ACCEPTED"
    assert r221.json()["status_code"] == 2001 and "[type.enum]" in r221.json()["status_message"]
    # At the 2.2.1 Sessions endpoint the type is OTHER, and the loss is logged, not silent.
    [session] = sessions
    assert session["cdr_token"]["type"] == "OTHER" and session["cdr_token"]["uid"] == rfid_token["uid"]
    [logged] = [r.getMessage() for r in caplog.records if "cannot hold" in r.getMessage()]
    assert "OCPI 2.3.0" in logged and "'BADGE'" in logged and "[convert.value-replaced]" in logged


@pytest.mark.rule("start-session.connector-required-by-evse", "start-session.location-of-receiver")
def test_2_2_ignores_a_connector_id_and_cannot_start_an_evse_that_needs_one(rfid_token) -> None:
    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb, httpx.AsyncClient() as c:
            cb = lb.emsps["TNM"].callback_url
            cases = [
                ("2.2", {"connector_id": "9"}),
                ("2.2.1", {"connector_id": "9"}),
                ("2.2", {"evse_uid": "EVSE-CR-1"}),
                ("2.2", {"evse_uid": "EVSE-CR-1", "connector_id": "2"}),
            ]
            out = [await c.post(_commands(lb.root_url, v), headers=AUTH[v],
                                content=_body(v, cb, rfid_token, f"c{i}", **fields))
                   for i, (v, fields) in enumerate(cases)]
            await lb.cpo.drain()
            return [r.json() for r in out], [s.connector_id for s in lb.cpo.sessions.sessions]

    (ignored, unknown, needs, still), connectors = asyncio.run(run())
    assert ignored["status_code"] == 1000 and ignored["data"]["result"] == "ACCEPTED"
    assert connectors == ["1"]  # the EVSE's own connector, not the ignored "9"
    assert unknown["status_code"] == 2003  # in 2.2.1 the same field names a connector
    for answer in (needs, still):
        assert answer["status_code"] == 1000 and answer["data"]["result"] == "NOT_SUPPORTED"
        assert "OCPI 2.2 StartSession cannot carry" in answer["status_message"]


@pytest.mark.rule("start-session.token-in-session-and-cdr")
def test_session_and_cdr_of_a_2_1_1_start_carry_the_token_owned_by_the_caller() -> None:
    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb:
            v211 = lb.client("TNM", "2.1.1", result_wait=2)
            started = await v211.start_session(_token("2.1.1", {}), "LOC-0001", evse_uid="EVSE-ACC-1")
            await lb.cpo.drain()
            tnm = lb.emsps["TNM"]  # the Sessions and CDRs modules are 2.2.1
            sessions = (await tnm.get("sessions", FROM)).json()["data"]
            stopped = await v211.stop_session(sessions[0]["id"])
            cdrs = (await tnm.get("cdrs")).json()["data"]
            return started, sessions, stopped, cdrs

    started, sessions, stopped, cdrs = asyncio.run(run())
    assert started.outcome == "ACCEPTED" and stopped.outcome == "ACCEPTED"
    want = {"country_code": "DE", "party_id": "TNM", "uid": "012345678", "type": "RFID",
            "contract_id": "DE8ACC12E46L89"}  # the 2.1.1 auth_id becomes the contract_id
    [session], [cdr] = sessions, cdrs
    assert session["cdr_token"] == want and session["auth_method"] == "COMMAND"
    assert cdr["cdr_token"] == want and cdr["session_id"] == session["id"]


@pytest.mark.rule("commands.other-commands-not-supported", "type.open-enum")
def test_unknown_command_names_are_404_except_in_2_3_0_where_commandtype_is_open() -> None:
    async def run():
        async with loopback(CFG, partners=["TNM"]) as lb, httpx.AsyncClient() as c:
            cases = [("2.3.0", "START_CHARGING", b"{}"), ("2.2.1", "START_CHARGING", b"{}"),
                     ("2.1.1", "CANCEL_RESERVATION", b"{}"), ("2.2", "CANCEL_RESERVATION", b"{}"),
                     ("2.3.0", "START_CHARGING", b"{nope")]
            return [await c.post(_commands(lb.root_url, v, name), headers=AUTH[v], content=body)
                    for v, name, body in cases]

    open_230, unknown_221, unknown_211, cancel_22, not_json = asyncio.run(run())
    assert open_230.status_code == 200 and open_230.json()["status_code"] == 1000
    assert open_230.json()["data"]["result"] == "NOT_SUPPORTED"
    assert "[type.open-enum]" in open_230.json()["status_message"]
    assert unknown_221.status_code == 404 and unknown_211.status_code == 404
    assert "OCPI 2.1.1 commands are RESERVE_NOW, START_SESSION" in unknown_211.json()["status_message"]
    assert cancel_22.json()["data"]["result"] == "NOT_SUPPORTED"
    assert not_json.status_code == 400


# ---------------------------------------------------------------- the Authorization header


def _statuses(config, requests: list[tuple[str, dict[str, str]]]) -> list[int]:
    """HTTP status of a refused-for-its-Location START_SESSION per (version, headers): 200 once
    the credentials pass, 401 when they do not."""
    async def run():
        async with loopback(config, partners=[]) as lb, httpx.AsyncClient() as c:
            body = json.dumps({"location_id": "LOC-9999"}).encode()
            return [(await c.post(_commands(lb.root_url, v), headers=h, content=body)).status_code
                    for v, h in requests]

    return asyncio.run(run())


def _auth(token: str, encoding: str) -> dict[str, str]:
    return {"Authorization": token_header(token, encoding)}


@pytest.mark.rule("commands.authorization-encoding", "commands.credentials-required")
def test_each_versions_default_encoding_is_accepted_and_the_other_gets_401() -> None:
    requests = [(v, _auth(TNM_TOKEN, enc)) for v in VERSIONS for enc in ("plain", "base64")]
    got = dict(zip([(v, h["Authorization"].startswith("Token tnm")) for v, h in requests], _statuses(CFG, requests)))
    assert got == {
        ("2.1.1", True): 200, ("2.1.1", False): 401,
        ("2.2", True): 200, ("2.2", False): 200,
        ("2.2.1", True): 401, ("2.2.1", False): 200,
        ("2.3.0", True): 401, ("2.3.0", False): 200,
    }


@pytest.mark.rule("commands.authorization-encoding")
def test_a_partner_setting_widens_or_narrows_the_versions_default(rfid_token) -> None:
    raw = demo_config_dict(command_timeout=2, charge_point_deadline=0.2)
    raw["partners"][0]["authorization"] = "base64"  # TNM: Base64 even in 2.1.1 and 2.2
    raw["partners"][1]["authorization"] = "plain"  # HUB: plain even in 2.2.1 and 2.3.0
    config = parse_config(raw)
    tnm_211_plain, tnm_211_b64, tnm_22_plain, hub_221_plain, hub_221_b64, hub_230_plain = _statuses(config, [
        ("2.1.1", _auth(TNM_TOKEN, "plain")), ("2.1.1", _auth(TNM_TOKEN, "base64")),
        ("2.2", _auth(TNM_TOKEN, "plain")),
        ("2.2.1", _auth(HUB_TOKEN, "plain")), ("2.2.1", _auth(HUB_TOKEN, "base64")),
        ("2.3.0", _auth(HUB_TOKEN, "plain")),
    ])
    assert (tnm_211_plain, tnm_211_b64, tnm_22_plain) == (401, 200, 401)
    assert (hub_221_plain, hub_221_b64, hub_230_plain) == (200, 401, 200)

    # What the CPO sends follows the same setting, whatever the version of the command.
    async def run():
        async with loopback(config) as lb:
            tnm = lb.client("TNM", "2.1.1", result_wait=2)
            hub = lb.client("HUB", "2.2.1")
            abc = {**rfid_token, "country_code": "NL", "party_id": "ABC"}
            await tnm.start_session(_token("2.1.1", {}), "LOC-0001", evse_uid="EVSE-ACC-1")
            await hub.start_session(_token("2.2.1", abc), "LOC-0001", evse_uid="EVSE-ACC-2")
            await lb.cpo.drain()
            return [a.headers["authorization"] for name in ("TNM", "HUB") for a in lb.tracker(name).arrivals]

    assert asyncio.run(run()) == [token_header(TNM_CALLBACK), f"Token {HUB_CALLBACK}"]


@pytest.mark.rule("commands.authorization-encoding", "commands.credentials-required")
def test_base64_with_a_trailing_newline_does_not_match() -> None:
    raw = demo_config_dict()
    raw["partners"][1]["token"] = "example-token"  # HUB accepts plain or Base64 ("either")
    config = parse_config(raw)
    newline = {"Authorization": "Token ZXhhbXBsZS10b2tlbgo="}  # the spec's example header
    assert base64.b64decode("ZXhhbXBsZS10b2tlbgo=") == b"example-token\n"
    right = {"Authorization": "Token ZXhhbXBsZS10b2tlbg=="}
    tnm_newline = {"Authorization": "Token " + base64.b64encode(TNM_TOKEN.encode() + b"\n").decode()}
    got = _statuses(config, [("2.2.1", newline), ("2.2", newline), ("2.2.1", right), ("2.2.1", tnm_newline)])
    assert got == [401, 401, 200, 401]


@pytest.mark.rule("commands.authorization-encoding")
def test_a_bad_authorization_setting_names_its_key() -> None:
    raw = demo_config_dict()
    raw["partners"][0]["authorization"] = "base-64"
    with pytest.raises(ConfigError, match=r"^/partners/0/authorization: 'base-64' is not one of base64, plain, either"):
        parse_config(raw)


# ---------------------------------------------------------------- the command line


@pytest.mark.rule("commands.authorization-encoding", "commands.v211-response-either-shape")
def test_emsp_cli_speaks_2_1_1_after_discovery(capsys) -> None:
    cli = ["emsp", "start-session", "--credentials", TNM_TOKEN, "--role", "DE-TNM",
           "--callback-token", TNM_CALLBACK, "--location", "LOC-0001"]
    with serve_in_thread(create_cpo_app(CFG)) as cpo:
        versions = cpo.url + "/ocpi/versions"
        code = main([*cli, "--cpo", versions, "--version", "2.1.1", "--token-uid", "CLI-211",
                     "--evse", "EVSE-ACC-1", "--wait", "2"])
        out = capsys.readouterr().out
        bad = [main([*cli, "--cpo", versions, "--version", "2.2", "--token-uid", "X", "--connector", "1"]),
               main([*cli, "--cpo", versions, "--version", "2.1.1", "--token-uid", "X", "--stop"])]
        with pytest.raises(SystemExit) as negative:
            main([*cli, "--cpo", versions, "--token-uid", "X", "--wait", "-1"])
        err = capsys.readouterr().err
    assert code == 0, out
    assert f"GET {cpo.url}/ocpi/cpo/2.1.1: commands at {cpo.url}/ocpi/cpo/2.1.1/commands" in out
    assert "CommandResponse ACCEPTED (OCPI 2.1.1: no timeout advertised)" in out
    assert "asynchronous CommandResponse ACCEPTED" in out
    assert bad == [2, 2] and negative.value.code == 2
    assert "'-1' is not a positive number of seconds" in err
    assert "--connector: an OCPI 2.2 StartSession has no connector_id" in err
    assert "--stop reads the Sessions and CDRs modules" in err
