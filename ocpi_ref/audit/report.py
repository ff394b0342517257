"""The audit's verdict and its outputs: text, JSON (the schema scripts rely on), JUnit XML.

JSON::

    {"conforms": bool,
     "exchanges": [{"id", "version", "command", "entries": [record indexes],
                    "findings": [{"rule", "severity", "basis", "pointer", "message", "entry"}]}],
     "unmatched": [{"entry", "findings": [...]}]}

``conforms`` is false when some finding is an error whose basis is the spec's own text;
:attr:`AuditReport.exit_code` is 1 when some finding is an error of a spec sentence that obliges
the party at fault (MUST/SHALL addressed to it), 0 otherwise. Every output passes through
:meth:`~ocpi_ref.audit.parties.Partners.scrub`: no credentials token is ever printed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .exchanges import AuditFinding, Engine, Exchange, Unmatched
from .parties import Partners
from .records import Record, in_start_order, read_records

__all__ = ["AuditReport", "audit", "audit_file"]


@dataclass
class AuditReport:
    """Every exchange and unmatched record of one recording, with their findings."""

    exchanges: list[Exchange] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    partners: Partners = field(default_factory=Partners)

    @property
    def findings(self) -> list[AuditFinding]:
        return [f for ex in self.exchanges for f in ex.findings] + [f for u in self.unmatched for f in u.findings]

    @property
    def conforms(self) -> bool:
        """No finding is an error of the spec's own text (a sentence or a definition)."""
        return not any(f.nonconforming for f in self.findings)

    @property
    def exit_code(self) -> int:
        """1 when an error of a spec sentence obliges the party at fault, else 0."""
        return 1 if any(f.fails for f in self.findings) else 0

    def to_dict(self) -> dict[str, Any]:
        return {"conforms": self.conforms, "exchanges": [ex.to_dict() for ex in self.exchanges],
                "unmatched": [u.to_dict() for u in self.unmatched]}

    def to_json(self, indent: int | None = 2) -> str:
        return self.partners.scrub(json.dumps(self.to_dict(), indent=indent, ensure_ascii=False))

    def text(self) -> str:
        """One line per exchange, its findings below it with their basis."""
        lines = [exchange_text(ex) for ex in self.exchanges]
        for u in self.unmatched:
            lines.append(f"unmatched entry {u.entry}")
            lines += [finding_line(f) for f in u.findings]
        verdict = "conforms" if self.conforms else "does not conform"
        failing = sum(f.fails for f in self.findings)
        lines.append(f"{len(self.exchanges)} exchange(s), {len(self.findings)} finding(s): {verdict}; "
                     f"{failing} error(s) of a spec sentence binding the party at fault")
        return self.partners.scrub("\n".join(lines))

    def __str__(self) -> str:
        return self.text()

    def junit(self) -> str:
        """JUnit XML: one test case per exchange, failed by its errors of a binding sentence."""
        cases = []
        for ex in self.exchanges:
            failing = [f for f in ex.findings if f.fails]
            body = "".join(f"<failure message={quoteattr(f.message)} type={quoteattr(f.rule)}>{escape(finding_line(f))}</failure>" for f in failing)
            cases.append(f'<testcase classname="ocpi-ref.audit" name={quoteattr(f"{ex.id} {ex.command} {ex.version}")}>{body}</testcase>')
        failures = sum(1 for ex in self.exchanges if any(f.fails for f in ex.findings))
        xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name="ocpi-ref audit" tests="{len(cases)}" '
               f'failures="{failures}">{"".join(cases)}</testsuite>\n')
        return self.partners.scrub(xml)


def finding_line(f: AuditFinding) -> str:
    where = f.pointer or "(record)"
    return f"  entry {f.entry} {where}: {f.severity.value} [{f.basis}] {f.message} [{f.rule}]"


def exchange_text(ex: Exchange) -> str:
    """The exchange's line and its findings' lines (also what the proxy prints as it closes)."""
    entries = ex.entries
    span = f"{entries[0]}-{entries[-1]}" if len(entries) > 1 else str(entries[0])
    head = f"{ex.id} {ex.command} {ex.version} entries {span} ({len(entries)}): "
    head += f"{len(ex.findings)} finding(s)" if ex.findings else "clean"
    return "\n".join([head, *(finding_line(f) for f in ex.findings)])


def audit(records: Iterable[Record], *, partners: Partners | None = None, **engine_kw: Any) -> AuditReport:
    """Audit *records* (in recording order) and return the report."""
    partners = partners or Partners()
    engine = Engine(partners=partners, **engine_kw)
    report = AuditReport(partners=partners)
    for rec in in_start_order(records):
        report.exchanges += engine.feed(rec)
    report.exchanges += engine.finish()
    report.exchanges.sort(key=lambda ex: int(ex.id[1:]))
    report.unmatched = engine.unmatched
    return report


def audit_file(path: str | Path, **kw: Any) -> AuditReport:
    """Audit the recording at *path* (HAR, JSON Lines of HAR entries, or mitmproxy flows)."""
    return audit(read_records(path), **kw)
