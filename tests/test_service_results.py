"""The asynchronous CommandResult over real HTTP: when, what, how often, in what form."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import pytest

from ocpi_ref import Token
from ocpi_ref.cpo.demo import TNM_CALLBACK, demo_config
from ocpi_ref.emsp import Exchange
from ocpi_ref.harness import Loopback, loopback

CFG = demo_config(command_timeout=2, charge_point_deadline=0.2)


def _run(token: dict[str, Any], starts: list[dict[str, Any]]) -> tuple[list[Exchange], Loopback, float]:
    async def main() -> tuple[list[Exchange], Loopback, float]:
        async with loopback(CFG, partners=["TNM"]) as lb:
            tnm = lb.emsps["TNM"]
            t0 = time.monotonic()
            out = [await tnm.start_session(Token.model_validate(token), **kw) for kw in starts]
            elapsed = time.monotonic() - t0
            await lb.cpo.drain()
            await asyncio.sleep(0.05)  # room for a stray second POST to show up
            return out, lb, elapsed

    return asyncio.run(main())


@pytest.mark.rule("commands.result-from-charge-point", "commands.result-after-accepted")
@pytest.mark.parametrize(
    ("evse", "result"),
    [
        ("EVSE-ACC-1", "ACCEPTED"),
        ("EVSE-REJ-1", "FAILED"),
        ("EVSE-OCC-1", "EVSE_OCCUPIED"),
        ("EVSE-INOP-1", "EVSE_INOPERATIVE"),
    ],
)
def test_charge_point_answer_becomes_one_command_result(rfid_token, evse: str, result: str) -> None:
    [ex], lb, _ = _run(rfid_token, [{"location_id": "LOC-0001", "evse_uid": evse}])
    assert ex.response is not None and ex.response.result.value == "ACCEPTED"
    assert ex.outcome == result
    arrivals = lb.tracker("TNM").arrivals
    assert len(arrivals) == 1 and arrivals[0].request_id == ex.request_id and arrivals[0].matched
    assert len(lb.cpo.deliveries) == 1 and lb.cpo.deliveries[0].delivered


@pytest.mark.rule("commands.timeout-when-silent", "commands.result-after-accepted")
def test_silent_charge_point_gives_timeout_before_the_advertised_timeout(rfid_token) -> None:
    [ex], lb, elapsed = _run(rfid_token, [{"location_id": "LOC-0001", "evse_uid": "EVSE-SIL-1"}])
    assert ex.outcome == "TIMEOUT"
    assert ex.response is not None and ex.response.timeout == 2
    assert 0.2 <= elapsed < 2  # the CPO's deadline (0.2 s), not the eMSP's 2 s
    assert len(lb.tracker("TNM").arrivals) == 1
    assert lb.cpo.sessions.sessions == ()


@pytest.mark.rule("commands.accepted-without-car")
def test_accepted_but_no_car_is_accepted_and_no_session(rfid_token) -> None:
    [ex], lb, _ = _run(rfid_token, [{"location_id": "LOC-0001", "evse_uid": "EVSE-NOCAR-1"}])
    assert ex.outcome == "ACCEPTED"
    assert lb.cpo.sessions.sessions == ()
    [with_car], lb2, _ = _run(rfid_token, [{"location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"}])
    assert with_car.outcome == "ACCEPTED" and len(lb2.cpo.sessions.sessions) == 1


@pytest.mark.rule("commands.result-after-accepted")
def test_refused_or_unsupported_commands_get_no_result(rfid_token) -> None:
    exs, lb, _ = _run(rfid_token, [
        {"location_id": "LOC-9999", "evse_uid": "EVSE-ACC-1"},  # 2003 REJECTED
        {"location_id": "LOC-0003"},  # NOT_SUPPORTED
        {"location_id": "LOC-0001", "evse_uid": "EVSE-CR-1"},  # 2001 REJECTED
    ])
    assert [ex.outcome for ex in exs] == ["refused"] * 3
    assert lb.tracker("TNM").arrivals == [] and lb.cpo.deliveries == []


@pytest.mark.rule("commands.result-bare-body")
def test_result_is_a_bare_body_with_our_credentials_and_headers(rfid_token) -> None:
    exs, lb, _ = _run(rfid_token, [{"location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1"},
                                   {"location_id": "LOC-0001", "evse_uid": "EVSE-ACC-2"}])  # one car per EVSE
    arrivals = lb.tracker("TNM").arrivals
    assert len(arrivals) == 2
    for arrival in arrivals:
        assert set(arrival.body) <= {"result", "message"} and arrival.body["result"] == "ACCEPTED"
        assert "status_code" not in arrival.body and "data" not in arrival.body
        h = arrival.headers
        scheme, _, value = h["authorization"].partition(" ")
        assert scheme == "Token" and base64.b64decode(value).decode() == TNM_CALLBACK
        assert h["ocpi-from-country-code"] == "BE" and h["ocpi-from-party-id"] == "REF"
        assert h["ocpi-to-country-code"] == "DE" and h["ocpi-to-party-id"] == "TNM"
        assert h["content-type"] == "application/json"
    # A fresh X-Request-ID per POST, the command's X-Correlation-ID kept.
    request_ids = {a.headers["x-request-id"] for a in arrivals}
    assert len(request_ids) == 2
    assert {a.headers["x-correlation-id"] for a in arrivals} == {ex.request_id for ex in exs}
    assert not request_ids & {ex.request_id for ex in exs}
