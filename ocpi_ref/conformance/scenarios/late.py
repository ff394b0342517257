"""Runs last: CommandResults that arrived for commands we never sent (OCPI 2.2.1 §13.1)."""

from __future__ import annotations

from ..model import Exchange, scenario

RESULT_ONCE = "commands.result-after-accepted"


@scenario("commands.unexpected-results", "no CommandResult arrives at a URL of a command we never sent", RESULT_ONCE)
async def unexpected_results(t) -> None:
    tracker = t.probe.tracker
    for a in tracker.strays:  # the first few, as evidence; the callback counts the rest
        ex = Exchange("POST (from the CPO to our callback)", f".../{a.command}/{a.request_id}", a.headers, str(a.body))
        t.fail(RESULT_ONCE, f"a {a.command} result arrived for request id {a.request_id!r}, which we never sent", ex)
    if tracker.stray_count > len(tracker.strays):
        t.fail(RESULT_ONCE, f"{tracker.stray_count} answers arrived for request ids we never sent ({len(tracker.strays)} shown)")
    if not tracker.stray_count:
        t.ok(RESULT_ONCE, f"{len(tracker.arrivals)} answers arrived, each for a command we sent")
