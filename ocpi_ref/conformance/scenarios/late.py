"""Runs last: CommandResults that arrived for commands we never sent (OCPI 2.2.1 §13.1)."""

from __future__ import annotations

from ..model import Exchange, scenario

RESULT_ONCE = "commands.result-after-accepted"


@scenario("commands.unexpected-results", "no CommandResult arrives at a URL of a command we never sent", RESULT_ONCE)
async def unexpected_results(t) -> None:
    stray = [a for a in t.probe.tracker.arrivals if a.request_id not in t.probe.sent]
    for a in stray:
        ex = Exchange("POST (from the CPO to our callback)", f".../{a.command}/{a.request_id}", a.headers, str(a.body))
        t.fail(RESULT_ONCE, f"a {a.command} result arrived for request id {a.request_id!r}, which we never sent", ex)
    if not stray:
        t.ok(RESULT_ONCE, f"{len(t.probe.tracker.arrivals)} answers arrived, each for a command we sent")
