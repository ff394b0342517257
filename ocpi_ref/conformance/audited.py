"""The suite's cross-message checks, made by the audit's engine (:mod:`ocpi_ref.audit.fronts`).

What a scenario saw of one command (the request it sent, the answer, the CommandResult POSTs
its callback received) becomes audit records; the audit rebuilds the exchange and its checks
say whether the results came only after ACCEPTED, once, within the advertised timeout, each
with its request ids. The verdict is the suite's: FAIL only for an error whose rule obliges the
CPO in the version spoken (:func:`~.model.verdict`), WARN otherwise; a rule checked without a
finding is a pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..audit.fronts import command_results, record, wall_clock
from ..emsp.callback import Arrival
from ..findings import Severity
from ..rules.audit import ONE_RESULT, RESULT_WITHIN_TIMEOUT
from ..rules.commands import RESULT_AFTER_ACCEPTED
from ..rules.conformance import REQUEST_IDS_ON_REQUESTS
from .model import Exchange, Status, verdict

__all__ = ["ALL", "IDS", "IN_TIME", "ONCE", "arrival_exchange", "results_audited"]

ONCE, IN_TIME, IDS = ONE_RESULT.id, RESULT_WITHIN_TIMEOUT.id, REQUEST_IDS_ON_REQUESTS.id
#: Every rule :func:`results_audited` can report.
ALL = (RESULT_AFTER_ACCEPTED.id, ONCE, IN_TIME, IDS)
_LEGEND = " (entry 0: our command, timed from its answer; 1, 2, ...: the CommandResults in the order they arrived)"


def arrival_exchange(arrival: Any) -> Exchange:
    """The CPO's POST to our callback as evidence (its Authorization is redacted in reports)."""
    text = arrival.body if isinstance(arrival.body, str) else json.dumps(arrival.body, ensure_ascii=False)
    return Exchange("POST (from the CPO to our callback)", f".../{arrival.command}/{arrival.request_id}", dict(arrival.headers), text)


def results_audited(t: Any, rid: str, ex: Exchange, response_url: str, got: list[tuple[float, Arrival]],
                    rules: Iterable[str] = ALL) -> None:
    """Check, through the audit's engine, the CommandResults *got* for the command *ex* (sent
    under request id *rid*, naming *response_url*); report only *rules*.

    The CPO's clock is taken to start when its answer arrived (the latest it can start), so
    transit time never makes a result late."""
    probe, rules = t.probe, set(rules)
    answered = probe.answered.get(rid, probe.sent.get(rid, 0.0))
    command = record(0, ex.method, ex.url, ex.request_headers, ex.request_body, wall_clock(answered),
                     status=ex.status, response_headers=ex.response_headers, response_body=ex.response_body)
    posts = [record(i, "POST", response_url, a.headers, a.body, wall_clock(when)) for i, (when, a) in enumerate(got, 1)]
    evidence = {0: ex, **{i: arrival_exchange(a) for i, (_, a) in enumerate(got, 1)}}
    seen = command_results(command, posts, t.version)
    reported = set()
    for f in seen.findings:
        if f.rule not in rules:
            continue
        reported.add(f.rule)
        status = verdict(f.rule, t.version) if f.severity is Severity.ERROR else Status.WARN
        t.add(status, f.rule, f.message + (_LEGEND if "entry" in f.message else ""), evidence.get(f.entry))
    timeout = seen.exchange.start.timeout if seen.exchange is not None else None
    if got and ONCE in rules - reported:
        t.ok(ONCE, f"{len(got)} CommandResult" + ("" if len(got) == 1 else "s"))
    if got and IN_TIME in rules - reported and t.version != "2.1.1" and timeout is not None:
        t.ok(IN_TIME, f"the CommandResult arrived {got[0][0] - answered:.1f} s after the CommandResponse; the advertised timeout is {timeout} s", evidence[1])
    if got and IDS in rules - reported and t.version != "2.1.1":
        t.ok(IDS, "the CPO's CommandResult POST carries X-Request-ID and X-Correlation-ID", evidence[1])
