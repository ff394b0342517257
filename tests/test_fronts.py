"""One engine, three fronts: the suite and the judge report the audit's own cross-message checks.

The first test runs the suite against a CPO that posts every CommandResult twice and finds the
audit's finding (its rule and its wording) in the suite's report. The second replaces the audit's
request-id check by a sentinel and sees the audit, the judge and the suite all report the sentinel:
none of them has a copy of that check of its own.
"""

from __future__ import annotations

import asyncio

import pytest

from mutants import MUTANTS, serve_mutant
from ocpi_ref.audit import audit, checks
from ocpi_ref.audit.exchanges import finding
from ocpi_ref.conformance import Status, run_suite
from ocpi_ref.cpo.judge import Judge
from ocpi_ref.cpo import demo_config
from ocpi_ref.findings import Severity
from ocpi_ref.harness import loopback
from ocpi_ref.recordings import record_exchange
from test_conformance import short_config, target
from test_judge import IDS, START, TNM_AUTH, _asgi

SENTINEL = "sentinel from the audit's request-id check"


def _non_passing(outcome, rule: str) -> list:
    return [c for c in outcome.checks if c.rule == rule and c.status is not Status.PASS]


@pytest.mark.rule("audit.one-result")
def test_two_command_results_are_caught_by_the_suite_through_the_audit_check():
    twice = next(m for m in MUTANTS if m.name == "two CommandResults")

    async def run():
        async with serve_mutant(short_config(), twice) as url:
            return await run_suite(target(url), ["start-session.accepted"])

    _spoken, [outcome] = asyncio.run(run())
    [second] = _non_passing(outcome, "audit.one-result")
    assert second.message.startswith("a second CommandResult for the command of entry 0 (the first: entry 1)")
    assert second.status is Status.WARN and second.basis == "our reading"  # the rule binds no SHALL
    assert outcome.status is Status.WARN


@pytest.mark.rule("conformance.request-ids-on-requests")
def test_the_audit_the_judge_and_the_suite_run_the_same_request_id_check(monkeypatch):
    def sentinel(rec, party, version):
        return [finding("conformance.request-ids-on-requests", Severity.ERROR, "", SENTINEL, rec, party, version)]

    monkeypatch.setattr(checks, "request_ids", sentinel)

    audited = audit(record_exchange("2.2.1"))
    assert SENTINEL in {f.message for f in audited.findings}

    judge = Judge(demo_config())

    async def judged():
        await _asgi(judge, "POST", START, [TNM_AUTH, *IDS], [b"{}"])  # its ids are there: only the sentinel speaks
        await judge.aclose()

    asyncio.run(judged())
    assert [f.verdict for f in judge.findings["TNM"] if f.message == SENTINEL] == ["fail"]

    async def suite():
        async with loopback(short_config(), partners=()) as lb:
            return await run_suite(target(lb.versions_url), ["start-session.accepted"])

    _spoken, [outcome] = asyncio.run(suite())
    assert [c.status for c in _non_passing(outcome, "conformance.request-ids-on-requests")] == [Status.FAIL]
    assert _non_passing(outcome, "conformance.request-ids-on-requests")[0].message == SENTINEL
