"""Findings and reports: what a check says about a document, as data.

A :class:`Finding` names the rule it comes from, how serious it is, where in the document it
applies (an RFC 6901 JSON pointer) and what a person should read. A :class:`Report` is the list
of all findings for one document; the CLI, the HTTP service and the book only render it.

A report gives two verdicts that are never mixed:

* :attr:`Report.conforms`: does the document conform to the OCPI version? Only an ``error``
  of a rule the spec states (its level in that version is not ``policy``) says no.
* :attr:`Report.accepted`: will this reference's receiver process it? It also refuses what
  breaks its own limits (nesting depth, document size, number length): an ``error`` of a
  ``policy`` rule, a *refusal*, whose message names the limit. The spec has no such limits,
  so a refusal never makes a document non-conforming.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

__all__ = ["Finding", "Report", "RuleViolation", "Severity", "is_policy", "pointer"]


class Severity(str, Enum):
    """How serious a finding is.

    An ``error`` of a spec rule makes a document non-conforming; an ``error`` of a ``policy``
    rule is this reference's refusal (see :class:`Report`). Warnings and information never
    change a verdict.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer from path parts (``~`` and ``/`` escaped).

    >>> pointer("token", "last_updated")
    '/token/last_updated'
    >>> pointer("a/b", "m~n")
    '/a~1b/m~0n'
    >>> pointer()
    ''
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found: the rule, its severity, where, and why."""

    rule: str
    severity: Severity
    pointer: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form used by ``ocpi-ref check --format json``."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "pointer": self.pointer,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.pointer or "(document)"
        return f"{where}: {self.severity.value}: {self.message} [{self.rule}]"


def is_policy(rule_id: str, version: str) -> bool:
    """Whether *rule_id* is this reference's own choice in *version*, not a spec statement."""
    from .rules.registry import RULES  # the rules import this module

    rule = RULES.get(rule_id)
    return rule is not None and not rule.level_in(version).is_spec


class Report(NamedTuple):
    """Every finding for one document (a named tuple: immutable and cheap to build).

    ``complete`` is False when the checker could not examine the whole document: it refused
    to read it (larger than its size limit, nested deeper than its parser reads) or failed.
    """

    version: str
    findings: tuple[Finding, ...] = ()
    complete: bool = True

    @classmethod
    def of(cls, version: str, findings: Iterable[Finding], complete: bool = True) -> Report:
        return cls(version, tuple(findings), complete)

    @property
    def conforms(self) -> bool | None:
        """Does the document conform to OCPI :attr:`version`? Only spec rules decide.

        False when some finding is an ``error`` of a rule the spec states; True when there is
        none and the whole document was examined; None (unknown) when there is none but the
        checker could not examine everything (see :attr:`complete`).
        """
        if not self.findings:
            return self.complete or None
        if self.violations:
            return False
        return True if self.complete else None

    @property
    def accepted(self) -> bool:
        """Would this reference's receiver process the document? Conforms, and no refusal."""
        if not self.findings:
            return self.complete
        return self.conforms is True and not self.refusals

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Every ``error``, the spec's violations and this reference's refusals alike."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def violations(self) -> tuple[Finding, ...]:
        """Errors of spec rules, which make the document non-conforming."""
        return tuple(f for f in self.errors if not is_policy(f.rule, self.version))

    @property
    def refusals(self) -> tuple[Finding, ...]:
        """Errors of this reference's own limits, which its receiver refuses, conforming or not."""
        return tuple(f for f in self.errors if is_policy(f.rule, self.version))

    def severity_label(self, finding: Finding) -> str:
        """``refused`` for a refusal, else the severity (``error``, ``warning``, ``info``)."""
        if finding.severity is Severity.ERROR and is_policy(finding.rule, self.version):
            return "refused"
        return finding.severity.value

    @property
    def rules(self) -> set[str]:
        """The ids of the rules with at least one finding."""
        return {f.rule for f in self.findings}

    def at(self, json_pointer: str) -> tuple[Finding, ...]:
        """The findings at one pointer."""
        return tuple(f for f in self.findings if f.pointer == json_pointer)

    def to_dict(self) -> dict[str, Any]:
        """``conforms`` (true, false, or null when unknown), ``accepted``, and each finding
        with ``policy``: whether its rule is this reference's choice rather than the spec's."""
        return {
            "version": self.version,
            "conforms": self.conforms,
            "accepted": self.accepted,
            "findings": [
                {**f.to_dict(), "policy": is_policy(f.rule, self.version)} for f in self.findings
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @property
    def verdict(self) -> str:
        """Both verdicts in words.

        ``conforms``, ``does not conform`` or ``conformance unknown``, then
        ``; refused by this reference`` when its receiver refuses the document.
        """
        conforms = self.conforms
        text = {True: "conforms", False: "does not conform", None: "conformance unknown"}[conforms]
        if self.refusals or not self.complete:
            text += "; refused by this reference"
        return text

    def line(self, finding: Finding) -> str:
        """One finding as text, ``refused`` in place of ``error`` for a refusal."""
        where = finding.pointer or "(document)"
        return f"{where}: {self.severity_label(finding)}: {finding.message} [{finding.rule}]"

    def __str__(self) -> str:
        head = f"OCPI {self.version} StartSession: {self.verdict}"
        counts = _counts(self.severity_label(f) for f in self.findings)
        if counts:
            head += f" ({counts})"
        return "\n".join([head, *(f"  {self.line(f)}" for f in self.findings)])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """A table for notebooks: pointer, severity, rule, message."""
        verdict = self.verdict
        rows = "".join(
            "<tr>"
            f"<td><code>{html.escape(f.pointer or '(document)')}</code></td>"
            f"<td>{self.severity_label(f)}</td>"
            f"<td><code>{html.escape(f.rule)}</code></td>"
            f"<td>{html.escape(f.message)}</td>"
            "</tr>"
            for f in self.findings
        )
        table = (
            "<table><thead><tr><th>pointer</th><th>severity</th><th>rule</th>"
            f"<th>message</th></tr></thead><tbody>{rows}</tbody></table>"
            if self.findings
            else ""
        )
        return f"<p><strong>OCPI {self.version} StartSession: {verdict}</strong></p>{table}"


def _counts(labels: Iterable[str]) -> str:
    tally: dict[str, int] = {}
    for label in labels:
        tally[label] = tally.get(label, 0) + 1
    names = {"refused": ("refusal", "refusals")}
    return ", ".join(
        f"{n} {names.get(label, (label, label + 's'))[n != 1]}"
        for label in ("error", "refused", "warning", "info")
        if (n := tally.get(label))
    )


class RuleViolation(ValueError):
    """Raised by the flow when a party is about to break a rule (e.g. send a foreign Token)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"{finding.message} [{finding.rule}]")
        self.finding = finding

    @property
    def rule(self) -> str:
        return self.finding.rule
