"""What a conformance run is made of: scenarios, the checks they make, and the evidence.

A :class:`Scenario` is a named async function tied to the rule ids it demonstrates; it says
whether it writes (sends a command the CPO may act on). Run against a peer, it makes
:class:`Check` records, each pass, fail or warn, with the rule, a message and the
:class:`Exchange` it saw; its :class:`Outcome` is the worst of them, or skip when the scenario
could not apply (a module the peer does not offer, a version without the rule).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from ..findings import Severity
from ..report import Report
from ..rules import RULES, Party
from ..rules.judging import basis_text as _basis_text
from ..rules.judging import fails
from .secrets import redact_headers

__all__ = ["SCENARIOS", "Check", "Exchange", "Outcome", "Scenario", "Skip", "Status", "TesterMistake", "basis_text", "scenario", "verdict"]

#: Bodies are trimmed to this many characters in the text report; the JSON keeps them whole.
TRIM = 300


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


class Skip(Exception):
    """Raised by a scenario that cannot apply to this peer; the message says why."""


class TesterMistake(Exception):
    """What the tester told us does not fit the peer (unreachable, credentials refused at the
    start, a version it does not offer, roles it does not take): no verdict, the run stops
    with exit code 2. The message is one line: the reason and the likely fix."""


def verdict(rule_id: str | None, version: str, party: Party = Party.CPO) -> Status:
    """FAIL only when *rule_id* is a MUST/SHALL (NOT) sentence addressed to *party* in *version*;
    WARN for anything else (SHOULD, a definition, an example, our reading or choice, a duty
    of the other party, or no rule at all)."""
    return Status.FAIL if fails(rule_id, version, party) else Status.WARN


def basis_text(rule_id: str | None, version: str, party: Party = Party.CPO) -> str:
    """On what a check rests, in words (:func:`ocpi_ref.rules.judging.basis_text`)."""
    return _basis_text(rule_id, version, party)


def trim(text: str | None, limit: int = TRIM) -> str:
    if text is None:
        return ""
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else url


@dataclass
class Exchange:
    """One HTTP request and what came back (or why nothing did)."""

    method: str
    url: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    error: str | None = None
    unreachable: bool = False
    """No connection at all (as opposed to an answer too slow or too large)."""

    def json(self) -> Any:
        """The response body as JSON, or None when there is none or it is not JSON."""
        try:
            return json.loads(self.response_body) if self.response_body else None
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return self.response_headers.get(name.lower())

    def lines(self) -> list[str]:
        """The exchange in a few lines; URLs as paths, so the text does not depend on ports."""
        out = [f"{self.method} {_path(self.url)}"]
        if self.request_body is not None:
            out.append(f"  sent: {trim(self.request_body)}")
        if self.error is not None:
            out.append(f"  got: no answer ({self.error})")
        elif self.status is not None:
            out.append(f"  got: HTTP {self.status} {trim(self.response_body)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything, in full, but the credentials in any Authorization header."""
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": redact_headers(self.request_headers),
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": redact_headers(self.response_headers),
            "response_body": self.response_body,
            "error": self.error,
        }


@dataclass
class Check:
    """One thing a scenario looked at: pass, fail or warn, under a rule, with its evidence.

    *basis* is on what the check rests (``basis_text``), fixed when the check is made."""

    status: Status
    rule: str | None
    message: str
    exchange: Exchange | None = None
    basis: str = ""

    def expected(self, version: str) -> str | None:
        """What the spec says, and where: the rule's title and section in *version*."""
        rule = RULES.get(self.rule) if self.rule else None
        if rule is None:
            return None
        where = rule.cite(version) if rule.applies_to(version) else rule.cite()
        return f"{rule.id}: {rule.title} ({where})"

    def quote(self, version: str) -> str | None:
        """The spec's own words the rule rests on in *version*, when its record quotes them."""
        rule = RULES.get(self.rule) if self.rule else None
        if rule is None:
            return None
        return rule.quote_in(version if rule.applies_to(version) else None)

    def to_dict(self, version: str) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "rule": self.rule,
            "message": self.message,
            "expected": self.expected(version),
            "quote": self.quote(version),
            "basis": self.basis or basis_text(self.rule, version),
            "exchange": self.exchange.to_dict() if self.exchange else None,
        }


@dataclass
class Outcome:
    """A scenario's result against one peer."""

    scenario: Scenario
    status: Status
    checks: list[Check] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def summary(self) -> str:
        """The skip reason, the first failing (or warning) message, or the title, in one line."""
        if self.status is Status.SKIP:
            return self.reason
        for wanted in (Status.FAIL, Status.WARN):
            first = next((c for c in self.checks if c.status is wanted), None)
            if first is not None:
                return first.message
        return self.scenario.title

    def to_dict(self, version: str) -> dict[str, Any]:
        return {
            "scenario": self.name,
            "title": self.scenario.title,
            "rules": list(self.scenario.rules),
            "writes": self.scenario.writes,
            "status": self.status.value,
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
            "checks": [c.to_dict(version) for c in self.checks],
        }


@dataclass(frozen=True)
class Scenario:
    """A named test of the peer, the rule ids it demonstrates, and whether it writes."""

    name: str
    title: str
    rules: tuple[str, ...]
    writes: bool
    run: Callable[[Any], Awaitable[None]] = field(compare=False, repr=False)
    prepare: Callable[[Any], Awaitable[Any]] | None = field(default=None, compare=False, repr=False)
    """Started with the run, concurrently, when the scenario waits long on the peer; the
    scenario judges what it found (``trial.probe.prepared[name]``)."""


#: Every scenario, in the order a run takes them (later ones read what earlier ones left).
SCENARIOS: list[Scenario] = []


def scenario(name: str, title: str, *rules: str, writes: bool = False,
             prepare: Callable[[Any], Awaitable[Any]] | None = None) -> Callable[[Callable[[Any], Awaitable[None]]], Callable[[Any], Awaitable[None]]]:
    """Register the decorated ``async def f(trial)`` as a scenario (*prepare*: see :class:`Scenario`)."""
    for rule in rules:
        if rule not in RULES:
            raise ValueError(f"scenario {name}: unknown rule id {rule!r}")

    def register(fn: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        if any(s.name == name for s in SCENARIOS):
            raise ValueError(f"scenario defined twice: {name}")
        SCENARIOS.append(Scenario(name, title, rules, writes, fn, prepare))
        return fn

    return register


def checks_from_report(report: Report, what: str, exchange: Exchange | None, version: str, party: Party = Party.CPO) -> list[Check]:
    """A check per error and warning of *report* (information is left out): FAIL only for an
    error whose rule obliges *party* (:func:`verdict`), WARN for everything else."""
    out = []
    for f in report.findings:
        if f.severity is Severity.INFO:
            continue
        status = verdict(f.rule, version, party) if f.severity is Severity.ERROR else Status.WARN
        out.append(Check(status, f.rule, f"{what} {f.pointer or '(document)'}: {f.message}", exchange, basis_text(f.rule, version, party)))
    return out
