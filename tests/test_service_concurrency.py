"""200 concurrent StartSessions from two eMSPs: every result at its own URL, once, none crossed."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from ocpi_ref import Token
from ocpi_ref.cpo.demo import demo_config
from ocpi_ref.harness import loopback

CFG = demo_config(command_timeout=5, charge_point_deadline=1)
PLAN = [  # (location, evse, expected outcome): different outcomes make crossed results visible
    ("LOC-0001", "EVSE-NOCAR-1", "ACCEPTED"),
    ("LOC-0001", "EVSE-ACC-1", "ACCEPTED or EVSE_OCCUPIED"),  # one car per EVSE: the first wins
    ("LOC-0001", "EVSE-REJ-1", "FAILED"),
    ("LOC-0001", "EVSE-OCC-1", "EVSE_OCCUPIED"),
    ("LOC-9999", "EVSE-ACC-1", "refused"),
    ("LOC-0001", "EVSE-INOP-1", "EVSE_INOPERATIVE"),
]


@pytest.mark.rule(
    "commands.result-after-accepted",
    "commands.unique-response-url",
    "commands.result-from-charge-point",
)
def test_200_concurrent_start_sessions_from_two_emsps(rfid_token) -> None:
    tokens = {
        "TNM": Token.model_validate(rfid_token),
        "HUB": Token.model_validate({**rfid_token, "country_code": "NL", "party_id": "ABC"}),
    }

    async def main():
        async with loopback(CFG) as lb:
            jobs, expected = [], []
            for i in range(200):
                name = "TNM" if i % 2 else "HUB"
                loc, evse, want = PLAN[(i // 2) % len(PLAN)]
                jobs.append(lb.emsps[name].start_session(tokens[name], loc, evse_uid=evse,
                                                         authorization_reference=f"AR-{i}"))
                expected.append((name, want))
            exchanges = await asyncio.gather(*jobs)
            await lb.cpo.drain()
            await asyncio.sleep(0.1)  # room for any extra POST to land
            return lb, exchanges, expected

    lb, exchanges, expected = asyncio.run(main())
    assert len({ex.response_url for ex in exchanges}) == 200  # one URL per request
    for ex, (name, want) in zip(exchanges, expected):
        assert ex.outcome in want.split(" or "), (name, ex.steps)
    one_car = [ex.outcome for ex, (_, want) in zip(exchanges, expected) if " or " in want]
    assert sorted(one_car) == ["ACCEPTED"] + ["EVSE_OCCUPIED"] * (len(one_car) - 1)
    for name in ("TNM", "HUB"):
        mine = {ex.request_id for ex, (n, _) in zip(exchanges, expected) if n == name}
        accepted = {ex.request_id for ex, (n, _) in zip(exchanges, expected) if n == name and ex.accepted}
        arrivals = lb.tracker(name).arrivals
        per_id = Counter(a.request_id for a in arrivals)
        assert set(per_id) == accepted  # none lost, none for a refused command, none from the other eMSP
        assert set(per_id.values()) == {1}  # exactly once
        assert set(per_id) <= mine and all(a.matched for a in arrivals)
    refused = sum(want == "refused" for _, want in expected)
    assert len(lb.cpo.deliveries) == 200 - refused and all(d.delivered for d in lb.cpo.deliveries)
    assert len(lb.cpo.sessions.sessions) == 1  # never a second ACTIVE Session on EVSE-ACC-1
