"""The 15-minute window over HTTP: after a StartSession, may the CPO ask the eMSP again?"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from ocpi_ref import Token
from ocpi_ref.cpo.demo import demo_config
from ocpi_ref.harness import loopback

CFG = demo_config(command_timeout=2, charge_point_deadline=0.2)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def _taps(token: dict[str, Any], taps: list[tuple[timedelta, str]]) -> list[dict[str, Any]]:
    """StartSession at CP-ACCEPTS, then present *token* after each delay at each Charge Point."""
    clock = Clock()

    async def main() -> list[dict[str, Any]]:
        async with loopback(CFG, clock=clock, partners=["TNM"]) as lb:
            ex = await lb.emsps["TNM"].start_session(Token.model_validate(token), "LOC-0001", evse_uid="EVSE-ACC-1")
            assert ex.outcome == "ACCEPTED"
            start = clock.now
            out = []
            async with httpx.AsyncClient() as client:
                for delay, cp in taps:
                    clock.now = start + delay
                    r = await client.post(f"{lb.root_url}/simulator/charge-points/{cp}/authorize",
                                          content=json.dumps(token))
                    out.append(r.json()["data"])
            return out

    return asyncio.run(main())


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_rfid_inside_the_window_needs_no_realtime_auth_and_outside_whitelist_decides(rfid_token) -> None:
    never = {**rfid_token, "whitelist": "NEVER"}
    inside, edge, outside, elsewhere = _taps(never, [
        (timedelta(minutes=3), "CP-ACCEPTS"),
        (timedelta(minutes=15), "CP-ACCEPTS"),
        (timedelta(minutes=15, seconds=1), "CP-ACCEPTS"),
        (timedelta(minutes=3), "CP-REJECTS"),  # another Charge Point: no exemption
    ])
    assert inside["realtime"] == "not allowed" and inside["rule"] == "start-session.ocpp-rfid-15-minutes"
    assert edge["realtime"] == "not allowed"
    assert outside["realtime"] == "required" and "whitelist NEVER decides" in outside["reason"]
    assert elsewhere["realtime"] == "required" and elsewhere["rule"] is None


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
@pytest.mark.parametrize(("whitelist", "after"), [("ALWAYS", "not needed"), ("ALLOWED", "optional"),
                                                   ("ALLOWED_OFFLINE", "required")])
def test_after_15_minutes_each_whitelist_type_decides(rfid_token, whitelist: str, after: str) -> None:
    [late] = _taps({**rfid_token, "whitelist": whitelist}, [(timedelta(minutes=16), "CP-ACCEPTS")])
    assert late["realtime"] == after


@pytest.mark.rule("start-session.ocpp-app-token-no-realtime-auth")
def test_app_user_token_from_start_session_never_needs_realtime_auth(app_token) -> None:
    never = {**app_token, "whitelist": "NEVER"}  # what the Tokens module recommends for APP_USER
    soon, much_later = _taps(never, [(timedelta(minutes=1), "CP-ACCEPTS"), (timedelta(hours=5), "CP-ACCEPTS")])
    for answer in (soon, much_later):
        assert answer["realtime"] == "not allowed"
        assert answer["rule"] == "start-session.ocpp-app-token-no-realtime-auth"
