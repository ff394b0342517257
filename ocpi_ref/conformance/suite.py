"""Running scenarios against a peer, and the report: one line per scenario, evidence below.

:func:`run_suite` is the programmatic entry (the pytest plugin in :mod:`.plugin` runs the same
scenarios one test item each); :class:`Trial` is what a scenario function receives: the shared
:class:`~.probe.Probe` and the methods that record its checks.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ..flow.text import safe_text
from ..report import Report
from ..rules import RULES
from .model import SCENARIOS, Check, Exchange, Outcome, Scenario, Skip, Status, TesterMistake, basis_text, checks_from_report, verdict
from .probe import Probe, Target
from .secrets import Scrubber

NO_ANSWER = "conformance.answer-limits"

__all__ = ["Trial", "prepare", "render_text", "run_scenario", "run_suite", "select", "to_json"]


class Trial:
    """One scenario's run: its checks, and the probe it shares with the others."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self.checks: list[Check] = []

    @property
    def version(self) -> str:
        return self.probe.version

    def add(self, status: Status, rule: str | None, message: str, ex: Exchange | None = None) -> None:
        self.checks.append(Check(status, rule, message, ex, basis_text(rule, self.version)))

    def ok(self, rule: str | None, message: str, ex: Exchange | None = None) -> None:
        self.add(Status.PASS, rule, message, ex)

    def fail(self, rule: str | None, message: str, ex: Exchange | None = None) -> None:
        """The peer broke *rule*: FAIL when the rule obliges the CPO in this version, else WARN."""
        self.add(verdict(rule, self.version), rule, message, ex)

    def warn(self, rule: str | None, message: str, ex: Exchange | None = None) -> None:
        self.add(Status.WARN, rule, message, ex)

    def expect(self, holds: bool, rule: str | None, message: str, ex: Exchange | None = None, *, warn: bool = False) -> bool:
        """Pass when *holds*; else :meth:`fail` (or, with *warn*, warn) with *message*."""
        if holds:
            self.ok(rule, message, ex)
        elif warn:
            self.warn(rule, message, ex)
        else:
            self.fail(rule, message, ex)
        return holds

    def reached(self, ex: Exchange) -> bool:
        """False (and a warning: nothing to judge) when the request got no complete HTTP answer."""
        if ex.error is None:
            return True
        self.warn(NO_ANSWER, f"{ex.method} got no answer to judge: {ex.error}", ex)
        return False

    def root(self) -> None:
        """Skip, naming the root, when the CPO refused the conforming StartSession: what a
        refusal scenario would see then says nothing about its own rule."""
        refused = self.probe.start_refused
        if refused is not None:
            raise Skip(f"not tested: the CPO refused a conforming StartSession ({refused}), see start-session.accepted")

    def findings(self, report: Report, what: str, ex: Exchange | None, rule: str | None = None) -> bool:
        """Every error and warning of *report* as a check; a pass under *rule* when it conforms."""
        self.checks.extend(checks_from_report(report, what, ex, self.version))
        if report.conforms:
            self.ok(rule, f"{what} conforms", ex)
        return report.conforms

    def needs(self, first: str) -> None:
        """Skip unless the run's version is *first* or later."""
        from ..versions import version_key

        if version_key(self.version) < version_key(first):
            raise Skip(f"OCPI {self.version} does not have this (from {first} on)")


def select(names: Iterable[str] | None = None) -> list[Scenario]:
    """The scenarios named (all when None), in run order; an unknown name raises ``KeyError``."""
    from . import scenarios  # noqa: F401 - registers the scenarios

    if names is None:
        return list(SCENARIOS)
    wanted = list(names)
    known = {s.name for s in SCENARIOS}
    for name in wanted:
        if name not in known:
            raise KeyError(f"no scenario named {name!r}; known: {', '.join(sorted(known))}")
    return [s for s in SCENARIOS if s.name in wanted]


async def run_scenario(probe: Probe, scenario: Scenario) -> Outcome:
    """Run one scenario; whatever happens becomes its outcome, never an exception."""
    started = time.monotonic()
    trial = Trial(probe)
    if scenario.writes and probe.target.read_only:
        return Outcome(scenario, Status.SKIP, [], "writes: left out of a read-only run")
    try:
        await scenario.run(trial)
    except Skip as why:
        return Outcome(scenario, Status.SKIP, trial.checks, str(why), time.monotonic() - started)
    except TesterMistake:
        raise
    except Exception as exc:  # noqa: BLE001 - a peer's garbage must never end the run
        trial.warn(None, f"the suite could not finish this scenario (a defect of ocpi-ref, not a verdict): {type(exc).__name__}: {exc}")
    statuses = {c.status for c in trial.checks}
    status = next((s for s in (Status.FAIL, Status.WARN) if s in statuses), Status.PASS)
    return Outcome(scenario, status, trial.checks, "", time.monotonic() - started)


def prepare(probe: Probe, chosen: Sequence[Scenario]) -> None:
    """Start the long waits of the *chosen* scenarios that have them, all at once, so the run
    takes the longest of them rather than their sum."""
    for s in chosen:
        if s.prepare is not None and not (s.writes and probe.target.read_only):
            probe.prepared[s.name] = asyncio.ensure_future(s.prepare(Trial(probe)))


async def run_suite(target: Target, names: Iterable[str] | None = None) -> tuple[str, list[Outcome]]:
    """Run the scenarios against *target*; the version spoken and every outcome, in order.

    Raises ``TesterMistake`` (:mod:`ocpi_ref.conformance.model`) when what the tester gave does not fit the peer."""
    chosen = select(names)
    async with Probe(target) as probe:
        prepare(probe, chosen)
        try:
            return probe.version, [await run_scenario(probe, s) for s in chosen]
        finally:
            for task in probe.prepared.values():
                task.cancel()


_MARK = {Status.PASS: "pass", Status.FAIL: "FAIL", Status.WARN: "warn", Status.SKIP: "skip"}


def render_text(version: str, outcomes: Sequence[Outcome], *, seconds: float | None = None, evidence: bool = True,
                exchanges: bool = True, secrets: Iterable[str | None] = ()) -> str:
    """The terminal report: a line per scenario, the failing (and warning) evidence below it,
    each with its basis, and a summary line. URLs appear as paths, so the text does not depend
    on the peer's port; ``exchanges=False`` leaves out the requests and answers (bodies carry
    ids and timestamps). Every form of *secrets* is removed."""
    width = max((len(o.name) for o in outcomes), default=10)
    lines = [f"OCPI {version} conformance: {len(outcomes)} scenarios"]
    for o in outcomes:
        lines.append(f"{_MARK[o.status]}  {o.name:<{width}}  {safe_text(o.summary)}")  # a peer's text adds no lines
        if not evidence or o.status not in (Status.FAIL, Status.WARN):
            continue
        shown: set[int] = set()
        for c in o.checks:
            if c.status not in (Status.FAIL, Status.WARN):
                continue
            lines.append(f"      {c.status.value}: {safe_text(c.message)}")
            expected = c.expected(version)
            if expected:
                lines.append(f"        the spec: {expected}")
            quote = c.quote(version)
            lines.append(f"        basis: {c.basis or basis_text(c.rule, version)}" + (f'; "{quote}"' if quote else ""))
            if exchanges and c.exchange is not None and id(c.exchange) not in shown:
                shown.add(id(c.exchange))
                lines.extend("        " + line for line in c.exchange.lines())
    lines.append(summary(outcomes, seconds))
    return Scrubber(secrets)("\n".join(lines))


def summary(outcomes: Sequence[Outcome], seconds: float | None = None) -> str:
    counts = {s: sum(1 for o in outcomes if o.status is s) for s in Status}
    text = (
        f"{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, "
        f"{counts[Status.WARN]} warned, {counts[Status.SKIP]} skipped"
    )
    return text + (f" in {seconds:.1f} s" if seconds is not None else "")


def to_json(version: str, outcomes: Sequence[Outcome], *, secrets: Iterable[str | None] = (), **extra: Any) -> str:
    """The whole run as JSON: version, summary counts and every scenario with its duration, its
    checks, their basis and the full evidence; every form of *secrets* removed."""
    doc = {
        "version": version,
        **extra,
        "summary": {s.value: sum(1 for o in outcomes if o.status is s) for s in Status},
        "scenarios": [o.to_dict(version) for o in outcomes],
        "rules": {r: RULES[r].title for o in outcomes for r in o.scenario.rules},
    }
    return Scrubber(secrets)(json.dumps(doc, indent=2, ensure_ascii=False))
