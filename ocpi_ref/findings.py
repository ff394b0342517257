"""Findings and reports: what a check says about a document, as data.

A :class:`Finding` names the rule it comes from, how serious it is, where in the document it
applies (an RFC 6901 JSON pointer) and what a person should read. A :class:`Report` is the list
of all findings for one document; the CLI, the HTTP service and the book only render it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

__all__ = ["Finding", "Report", "RuleViolation", "Severity", "pointer"]


class Severity(str, Enum):
    """How serious a finding is: only ``error`` makes a document non-conforming."""

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


class Report(NamedTuple):
    """Every finding for one document (a named tuple: immutable and cheap to build)."""

    version: str
    findings: tuple[Finding, ...] = ()

    @classmethod
    def of(cls, version: str, findings: Iterable[Finding]) -> Report:
        return cls(version, tuple(findings))

    @property
    def conforms(self) -> bool:
        """True when no finding is an ``error`` (warnings and information do not count)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def rules(self) -> set[str]:
        """The ids of the rules with at least one finding."""
        return {f.rule for f in self.findings}

    def at(self, json_pointer: str) -> tuple[Finding, ...]:
        """The findings at one pointer."""
        return tuple(f for f in self.findings if f.pointer == json_pointer)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "conforms": self.conforms,
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        verdict = "conforms" if self.conforms else "does not conform"
        head = f"OCPI {self.version} StartSession: {verdict}"
        counts = _counts(self.findings)
        if counts:
            head += f" ({counts})"
        return "\n".join([head, *(f"  {f}" for f in self.findings)])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """A table for notebooks: pointer, severity, rule, message, one finding a row.

        The styles are inline, so the table reads the same in JupyterLab, in a classic notebook
        and on the book's pages (which add the class ``ocpi-report`` to their own CSS).
        """
        verdict = "conforms" if self.conforms else "does not conform"
        counts = _counts(self.findings)
        head = f"OCPI {html.escape(self.version)} StartSession: {verdict}"
        head += f" ({counts})" if counts else ""
        heading = f'<p style="{_HTML_HEAD}"><strong>{head}</strong></p>'
        if not self.findings:
            return heading
        cells = ("pointer", "severity", "rule", "message")
        thead = "".join(f'<th style="{_HTML_TH}">{name}</th>' for name in cells)
        rows = "".join(
            "<tr>"
            f'<td style="{_HTML_TD}"><code>{_breakable(f.pointer or "(document)")}</code></td>'
            f'<td style="{_HTML_TD}{_HTML_SEVERITY[f.severity]}">{f.severity.value}</td>'
            f'<td style="{_HTML_TD}"><code>{_breakable(f.rule)}</code></td>'
            f'<td style="{_HTML_TD}">{html.escape(f.message)}</td>'
            "</tr>"
            for f in self.findings
        )
        return (
            f'{heading}<table class="ocpi-report" style="{_HTML_TABLE}">'
            f"<thead><tr>{thead}</tr></thead><tbody>{rows}</tbody></table>"
        )


def _breakable(text: str) -> str:
    """Escaped *text* that a narrow column may break before an inner ``/`` or after a ``.``."""
    escaped = html.escape(text)
    return escaped[:1] + escaped[1:].replace("/", "<wbr>/").replace(".", ".<wbr>")


# Inline styles of Report._repr_html_: padded cells with a rule under each row, left-aligned, so
# that neighbouring columns (a pointer and its severity) never run together.
_HTML_HEAD = "margin:0 0 .4em"
_HTML_TABLE = "border-collapse:collapse;margin:0 0 .5em"
_HTML_CELL = "padding:.25em .75em .25em 0;text-align:left;vertical-align:top;"
_HTML_TH = _HTML_CELL + "border-bottom:2px solid rgba(128,128,128,.6);font-weight:600"
_HTML_TD = _HTML_CELL + "border-bottom:1px solid rgba(128,128,128,.3)"
_HTML_SEVERITY = {
    Severity.ERROR: ";color:#b42318;font-weight:600",
    Severity.WARNING: ";color:#a15c07",
    Severity.INFO: "",
}


def _counts(findings: Iterable[Finding]) -> str:
    tally: dict[str, int] = {}
    for f in findings:
        tally[f.severity.value] = tally.get(f.severity.value, 0) + 1
    return ", ".join(
        f"{n} {name}{'s' if n != 1 else ''}"
        for name in ("error", "warning", "info")
        if (n := tally.get(name))
    )


class RuleViolation(ValueError):
    """Raised by the flow when a party is about to break a rule (e.g. send a foreign Token)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"{finding.message} [{finding.rule}]")
        self.finding = finding

    @property
    def rule(self) -> str:
        return self.finding.rule
