"""The audit's cross-message checks for the other two fronts: the conformance suite and the judge.

The suite sees a command as the request it sent and the answer it got, and the CommandResults
as the POSTs its callback received; the judge sees each request a partner sends. Both hand what
they saw to this module as :class:`~.records.Record` objects; the audit's own engine
(:class:`~.exchanges.Engine`) rebuilds the exchange from them, and the audit's own checks
(:func:`~.checks.result_checks`, :func:`~.checks.request_ids`) judge it. One set of checks,
three fronts: a change to a check changes what the audit, the suite and the judge report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..rules.model import Party
from . import checks
from .exchanges import AuditFinding, Engine, Exchange
from .records import Record

__all__ = ["Seen", "command_results", "record", "request_ids", "wall_clock"]


def wall_clock(monotonic: float) -> datetime:
    """The UTC time of a ``time.monotonic()`` reading taken in this process (records need one)."""
    return datetime.now(timezone.utc) - timedelta(seconds=time.monotonic() - monotonic)


def _bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


def record(index: int, method: str, url: str, headers: Mapping[str, str], body: Any, started: datetime, *,
           status: int | None = None, response_headers: Mapping[str, str] | None = None, response_body: Any = None) -> Record:
    """A :class:`~.records.Record` of one request a front saw (header names lower-cased; a JSON
    value that was already parsed is written back as JSON)."""
    return Record(index, method.upper(), url, {k.lower(): v for k, v in headers.items()}, _bytes(body), status,
                  {k.lower(): v for k, v in (response_headers or {}).items()}, _bytes(response_body), started)


@dataclass(frozen=True)
class Seen:
    """A command a front saw, rebuilt by the audit's engine, and the audit's findings on its results."""

    exchange: Exchange | None
    """None when the engine did not read the command (no ``…/commands/{COMMAND}`` path)."""
    findings: list[AuditFinding]


def command_results(command: Record, results: Sequence[Record], version: str) -> Seen:
    """The audit's result checks (only after ACCEPTED, exactly one, within the advertised
    timeout) and request-id checks on *results*, the POSTs that came for *command*.

    *command* carries the answer; its ``started`` is when the front takes the CPO's clock to
    have started. Each result's URL should be the command's ``response_url``: the front has
    already matched it (the suite by the request id in the path), so the engine attributes it
    there and nowhere else.
    """
    engine = Engine(version=version)
    engine.feed(command)
    for rec in sorted(results, key=lambda r: (r.started, r.index)):
        engine.feed(rec)
    ex = next(iter(engine.open.values()), None)
    if ex is None:
        return Seen(None, [])
    ex.version = version  # the version the front speaks, whatever the peer's paths say
    found = checks.result_checks(ex)
    for cmd in (ex.start, *ex.stops):
        for rec in cmd.results:
            found += checks.request_ids(rec, Party.CPO, ex.version)
    unmatched = [f for u in engine.unmatched for f in u.findings]
    return Seen(ex, sorted(found + unmatched, key=lambda f: f.entry))


def request_ids(rec: Record, party: Party, version: str) -> list[AuditFinding]:
    """The audit's request-id check on one request *party* sent (the judge's front); looked up
    in :mod:`.checks` at each call, so the three fronts run the very same function."""
    return checks.request_ids(rec, party, version)
