"""Findings: what a check says about one place of a document, as data.

A :class:`Finding` names the rule it comes from, how serious it is, where in the document it
applies (an RFC 6901 JSON pointer) and what a person should read. The rules produce findings,
so this module sits below them and knows no rule; :class:`~ocpi_ref.report.Report`, which
weighs findings by their rules' levels, is one layer up (:mod:`ocpi_ref.report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["Finding", "RuleViolation", "Severity", "pointer"]


class Severity(str, Enum):
    """How serious a finding is.

    An ``error`` of a rule that rests on the spec's own text (a sentence or a definition) makes
    a document non-conforming; an ``error`` of a rule that rests on this reference's choice,
    reading or deviation is its refusal (see :class:`Report`, which adds each finding's basis).
    Warnings and information never change a verdict.
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


class RuleViolation(ValueError):
    """Raised by the flow when a party is about to break a rule (e.g. send a foreign Token)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"{finding.message} [{finding.rule}]")
        self.finding = finding

    @property
    def rule(self) -> str:
        return self.finding.rule
