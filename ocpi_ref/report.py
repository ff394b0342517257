"""Reports: every finding for one document, and the two verdicts on it.

A :class:`Report` is the list of all findings for one document; the CLI, the HTTP service and
the book only render it. It gives two verdicts that are never mixed:

* :attr:`Report.conforms`: does the document conform to the OCPI version? Only an ``error``
  of a rule whose basis in that version is the spec's own text (a spec sentence or a spec
  definition, :attr:`ocpi_ref.rules.Basis.is_spec`) says no.
* :attr:`Report.accepted`: will this reference's receiver process it? It also refuses what
  breaks its own limits (nesting depth, document size, number length): an ``error`` of a rule
  that rests on anything else (this reference's choice, reading or deviation), a *refusal*,
  whose message names the limit. A refusal never makes a document non-conforming.

Every rendering shows each finding's basis (:meth:`Report.basis`): the JSON, the text lines
(``[rule-id · spec sentence, SHALL, eMSP]``) and the notebook table.

The verdicts need each rule's level, so this module sits above the rules
(:mod:`ocpi_ref.findings`, which the rules produce, is below them).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from .findings import Finding, Severity
from .rules.model import Basis
from .rules.registry import RULES

__all__ = ["MAX_FINDINGS", "Report", "basis_fields", "is_policy"]

#: Findings one report holds at most (:meth:`Report.capped`); the rest are counted.
MAX_FINDINGS = 1000


def is_policy(rule_id: str, version: str) -> bool:
    """Whether *rule_id* rests in *version* on something other than the spec's own text (a
    sentence or a definition): this reference's choice, reading or deviation, or an example.
    Its errors are refusals, never violations."""
    rule = RULES.get(rule_id)
    return rule is not None and not rule.basis_in(version).is_spec


def basis_fields(rule_id: str, version: str) -> dict[str, str]:
    """The basis of *rule_id* in *version* as JSON members: ``basis``, and for a sentence (or a
    reading of one) with a keyword, ``keyword`` as written and whom it ``addresses``."""
    rule = RULES.get(rule_id)
    if rule is None:
        return {}
    basis = rule.basis_in(version)
    keyword = rule.keyword_in(version)
    if keyword and basis in (Basis.SENTENCE, Basis.READING):
        return {"basis": basis.value, "keyword": keyword, "addresses": rule.addresses()}
    return {"basis": basis.value}


def _tag(rule_id: str, version: str) -> str:
    """``rule-id · spec sentence, SHALL, eMSP``: a rule and its basis, as the text lines show them."""
    rule = RULES.get(rule_id)
    return rule_id if rule is None else f"{rule_id} · {rule.basis_text(version)}"


class Report(NamedTuple):
    """Every finding for one document (a named tuple: immutable and cheap to build).

    ``complete`` is False when the checker could not examine the whole document: it refused
    to read it (larger than its size limit, nested deeper than its parser reads) or failed.
    """

    version: str
    findings: tuple[Finding, ...] = ()
    complete: bool = True
    omitted: int = 0
    """Findings left out by :meth:`capped` (a document can hold more than anyone reads)."""

    @classmethod
    def capped(cls, version: str, findings: Iterable[Finding], complete: bool = True,
               limit: int | None = None) -> Report:
        """A report of at most about *limit* findings (default :data:`MAX_FINDINGS`), with the
        count of those left out. The first *limit* are kept, and the first spec violation and
        the first refusal after them too, so both verdicts stay those of all the findings."""
        found = tuple(findings)
        limit = MAX_FINDINGS if limit is None else limit
        if len(found) <= limit:
            return cls(version, found, complete)
        kept = list(found[:limit])
        for wanted in (True, False):  # a violation, then a refusal, unless one is kept already
            is_wanted = [f for f in found if f.severity is Severity.ERROR and is_policy(f.rule, version) != wanted]
            if is_wanted and is_wanted[0] not in kept:
                kept.append(is_wanted[0])
        return cls(version, tuple(kept), complete, len(found) - len(kept))

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

    def basis(self, finding: Finding) -> str:
        """The basis of *finding*'s rule in this version, in a few words
        (``spec sentence, SHALL, eMSP``, ``spec definition``, ``our choice``); empty when the
        rule is unknown."""
        rule = RULES.get(finding.rule)
        return "" if rule is None else rule.basis_text(self.version)

    def to_dict(self) -> dict[str, Any]:
        """``conforms`` (true, false, or null when unknown), ``accepted``, and each finding
        with ``policy`` (its rule does not rest on the spec's own text), its ``basis`` and, for
        a spec sentence, the ``keyword`` as written and whom it ``addresses``."""
        return {
            "version": self.version,
            "conforms": self.conforms,
            "accepted": self.accepted,
            "findings": [
                {**f.to_dict(), "policy": is_policy(f.rule, self.version), **basis_fields(f.rule, self.version)}
                for f in self.findings
            ],
            **({"omitted": self.omitted} if self.omitted else {}),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text; a lone surrogate (in a pointer or message) as a ``\\uXXXX`` escape,
        so the text can always be written as UTF-8."""
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        return text if _encodable(text) else json.dumps(self.to_dict(), indent=indent, ensure_ascii=True)

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
        """One finding as text, ``refused`` in place of ``error`` for a refusal, ending with its
        rule and basis (``[rule-id · spec sentence, SHALL, eMSP]``); a lone surrogate in its
        pointer or message is written as ``\\uXXXX``, so the line can be printed."""
        where = finding.pointer or "(document)"
        tag = _tag(finding.rule, self.version)
        return _printable(f"{where}: {self.severity_label(finding)}: {finding.message} [{tag}]")

    def __str__(self) -> str:
        head = f"OCPI {self.version} StartSession: {self.verdict}"
        counts = _counts(self.severity_label(f) for f in self.findings)
        if counts:
            head += f" ({counts})"
        more = [f"  ... and {self.omitted} more findings, left out"] if self.omitted else []
        return "\n".join([head, *(f"  {self.line(f)}" for f in self.findings), *more])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """A table for notebooks: pointer, severity, rule, basis, message, one finding a row.

        The styles are inline, so the table reads the same in JupyterLab, in a classic notebook
        and on the book's pages (which add the class ``ocpi-report`` to their own CSS).
        """
        verdict = self.verdict
        counts = _counts(self.severity_label(f) for f in self.findings)
        head = f"OCPI {html.escape(self.version)} StartSession: {verdict}"
        head += f" ({counts})" if counts else ""
        heading = f'<p style="{_HTML_HEAD}"><strong>{head}</strong></p>'
        if not self.findings:
            return heading
        cells = ("pointer", "severity", "rule", "basis", "message")
        thead = "".join(f'<th style="{_HTML_TH}">{name}</th>' for name in cells)
        rows = "".join(
            "<tr>"
            f'<td style="{_HTML_TD}"><code>{_breakable(f.pointer or "(document)")}</code></td>'
            f'<td style="{_HTML_TD}{_HTML_SEVERITY[f.severity]}">{self.severity_label(f)}</td>'
            f'<td style="{_HTML_TD}"><code>{_breakable(f.rule)}</code></td>'
            f'<td style="{_HTML_TD}">{html.escape(self.basis(f))}</td>'
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


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """*text* with each lone surrogate, which no encoding can write, as a ``\\uXXXX`` escape."""
    return text if _encodable(text) else text.encode("utf-8", "backslashreplace").decode("utf-8")
