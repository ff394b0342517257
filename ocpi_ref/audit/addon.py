"""The audit inside mitmproxy: ``mitmdump -s <path of this file> …`` (the ``proxy`` extra).

Every HTTP flow that passes becomes a record; records reach the engine in the order their
requests started (a flow is held back while an earlier request is still waiting for its
answer), so a CommandResult that completes before its StartSession's answer is still matched.
Each exchange is printed with its findings as it closes; at the end the rest is printed and,
with the options below, the report (JSON), a JUnit file and the HAR are written. Credentials
tokens are masked in all of it, the HAR's ``Authorization`` headers included.

Options (``--set name=value``): ``ocpi_audit_report`` (JSON report path), ``ocpi_audit_junit``,
``ocpi_audit_har`` (HAR path), ``ocpi_audit_config`` (``[[partners]] token, roles``),
``ocpi_cpo_url``, ``ocpi_emsp_url``, ``ocpi_version``.
"""

from __future__ import annotations

import heapq
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from mitmproxy import ctx, http

from ocpi_ref.audit.exchanges import Engine, Exchange
from ocpi_ref.audit.flows import record_of_flow
from ocpi_ref.audit.parties import Partners, load_partners
from ocpi_ref.audit.records import SLACK, Record, to_har
from ocpi_ref.audit.report import AuditReport, exchange_text, finding_line

__all__ = ["AuditAddon", "addons"]

_OPTIONS = ("ocpi_audit_report", "ocpi_audit_junit", "ocpi_audit_har", "ocpi_audit_config",
            "ocpi_cpo_url", "ocpi_emsp_url", "ocpi_version")


class AuditAddon:
    """Feeds completed flows to one :class:`~ocpi_ref.audit.exchanges.Engine`, in request order."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.records: list[Record] = []
        self.partners = Partners()
        self.engine: Engine | None = None
        self.report = AuditReport(partners=self.partners)
        self._waiting: dict[str, tuple[int, float]] = {}  # flow id -> (index, start), not yet answered
        self._done: list[tuple[float, int, http.HTTPFlow]] = []  # answered, not yet fed: a heap
        self._seen = 0
        self._latest = 0.0

    def load(self, loader: Any) -> None:
        for name in _OPTIONS:
            loader.add_option(name, str, "", f"ocpi-ref audit: {name.removeprefix('ocpi_').replace('_', ' ')}")

    def running(self) -> None:
        if ctx.options.ocpi_audit_config:
            self.partners = load_partners(ctx.options.ocpi_audit_config)
            self.report.partners = self.partners
        self.engine = Engine(partners=self.partners, version=ctx.options.ocpi_version or None,
                             cpo_url=ctx.options.ocpi_cpo_url or None, emsp_url=ctx.options.ocpi_emsp_url or None)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        self._waiting[flow.id] = (self._seen, flow.request.timestamp_start)
        self._seen += 1
        self._latest = max(self._latest, flow.request.timestamp_start)

    def response(self, flow: http.HTTPFlow) -> None:
        index, started = self._waiting.pop(flow.id, (None, 0.0))
        if index is not None:
            heapq.heappush(self._done, (started, index, flow))
            self._release()

    error = response

    def _release(self, everything: bool = False) -> None:
        """Feed the answered flows in the order their requests started.

        Live, a flow waits only for requests that started before it and are still unanswered.
        Reading a flow file (``-r``), flows come in the file's order, which may be the order of
        their answers: a flow waits until one started :data:`SLACK` later has come.
        """
        replay = bool(getattr(ctx.options, "rfile", None)) if not everything else False
        while self._done:
            started, index, flow = self._done[0]
            if not everything:
                if replay and started >= self._latest - SLACK.total_seconds():
                    return
                if not replay and any(t < started for _, t in self._waiting.values()):
                    return
            heapq.heappop(self._done)
            rec = record_of_flow(flow, index)
            self.records.append(rec)
            self._show(self._feed(rec))

    def _feed(self, rec: Record) -> list[Exchange]:
        if self.engine is None:
            self.running()
        assert self.engine is not None
        before = len(self.engine.unmatched)
        closed = self.engine.feed(rec)
        for u in self.engine.unmatched[before:]:
            self._print("\n".join([f"unmatched entry {u.entry}", *map(finding_line, u.findings)]))
        return closed

    def _show(self, closed: list[Exchange]) -> None:
        for ex in closed:
            self.report.exchanges.append(ex)
            self._print(exchange_text(ex))

    def _print(self, text: str) -> None:
        print(self.partners.scrub(text), file=self.out or sys.stdout, flush=True)

    def done(self) -> None:
        self._waiting.clear()  # requests never answered are not records
        self._release(everything=True)
        if self.engine is None:
            self.running()
        assert self.engine is not None
        self._show(self.engine.finish())
        self.report.exchanges.sort(key=lambda ex: int(ex.id[1:]))
        self.report.unmatched = self.engine.unmatched
        self._print(self.report.text().splitlines()[-1])
        self._write()

    def _write(self) -> None:
        options = ctx.options
        if options.ocpi_audit_report:
            Path(options.ocpi_audit_report).write_text(self.report.to_json(), encoding="utf-8")
        if options.ocpi_audit_junit:
            Path(options.ocpi_audit_junit).write_text(self.report.junit(), encoding="utf-8")
        if options.ocpi_audit_har:
            ordered = sorted(self.records, key=lambda r: r.index)
            har = json.dumps(to_har(ordered, creator="ocpi-ref proxy"), indent=1)
            Path(options.ocpi_audit_har).write_text(self.partners.scrub(har), encoding="utf-8")


addons = [AuditAddon()]
