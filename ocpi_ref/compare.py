"""The four OCPI versions side by side: one row per field (or value, or rule), one column a version.

Each function returns a :class:`Comparison`, a Markdown table that renders in JupyterLab and on
the book's pages ("Four versions side by side"). Every table is built from the models and enums
of :func:`ocpi_ref.versions.spec` and from :data:`ocpi_ref.RULES`, so it says what the checker
enforces. A first column marks with **Δ** the rows that are not the same in every version; each
column header gives the section of the object in that version (for 2.3.0 also the number in its
second edition, *ed. 2*, where that differs).

``print(field_table("Token"))`` shows the Markdown itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .shape import FieldShape, fields_of
from .specs import spec
from .versions import VERSIONS, edition2_section

__all__ = ["Comparison", "enum_table", "field_table", "rule_table", "verdict_table"]

NBSP = "\u00a0"  # keeps "ed. 2: §14.3.5" and "· 1" from breaking apart
_LONG_WORD = re.compile(r"[A-Za-z]{14,}")  # CommandResponseType, not CiString
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class Comparison:
    """A comparison table as GitHub-flavoured Markdown (``text``); notebooks render it."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def where(version: str, number: str | None) -> str | None:
    """``§13.3.5``; in 2.3.0 also the second edition's number when it differs."""
    if number is None:
        return None
    ed2 = edition2_section(number) if version == "2.3.0" else number
    later = f"<br>ed.{NBSP}2:{NBSP}§{ed2}" if ed2 != number else ""
    return f"§{number}{later}"


def headers(name: str, note: Callable[[str], str] = lambda version: "") -> list[str]:
    """A header per version: the version, then the section of *name* in it."""
    return [f"{v}<br>{where(v, spec(v).sections.get(name)) or 'none'}{note(v)}" for v in VERSIONS]


def in_order(orders: Iterable[Sequence[str]]) -> list[str]:
    """Every name once, in the order of the first list; a name of a later list goes right after
    the name it follows there."""
    out: list[str] = []
    for order in orders:
        for i, item in enumerate(order):
            if item not in out:
                after = [out.index(x) + 1 for x in order[:i] if x in out]
                out.insert(max(after, default=0), item)
    return out


def table(
    first: str,
    heads: Sequence[str],
    rows: Iterable[tuple[str, Sequence[str]]],
    differs: Callable[[Sequence[str]], bool] | None = lambda cells: len(set(cells)) > 1,
) -> Comparison:
    """Rows of ``(name, cells)`` under *heads*; with *differs*, a first column marks with Δ the
    rows it picks (by default those whose cells are not all equal)."""
    marked = differs is not None
    lines = [
        "| " + " | ".join([""] * marked + [first, *heads]) + " |",
        "|" + "---|" * (marked + 1 + len(heads)),
    ]
    for name, cells in rows:
        mark = ["**Δ**" if differs(cells) else ""] if marked else []
        lines.append("| " + " | ".join([*mark, f"`{name}`", *cells]) + " |")
    return Comparison("\n".join(lines))


def describe(shape: FieldShape | None) -> str:
    """A field's cell: type label and cardinality (``1``, ``?``, ``*`` or ``+``), ``—`` when absent.

    Long type names (``CommandResponseType``) may break between their words, so that four
    version columns fit a page.
    """
    if shape is None:
        return "—"
    if shape.is_list:
        card = "+" if shape.required else "*"
    else:
        card = "1" if shape.required else "?"
    label = _LONG_WORD.sub(lambda word: _CAMEL.sub("<wbr>", word.group()), shape.label)
    kind = label + (" (open)" if shape.open_enum else "")
    return f"{kind} ·{NBSP}{card}"


def field_table(name: str) -> Comparison:
    """The fields of object *name* (``"StartSession"``, ``"Token"``, …) in every version."""
    shapes: dict[str, dict[str, FieldShape]] = {}
    for v in VERSIONS:
        model = spec(v).objects.get(name)
        shapes[v] = fields_of(model) if model else {}
    names = in_order([list(shapes[v]) for v in reversed(VERSIONS)])
    rows = [(field, [describe(shapes[v].get(field)) for v in VERSIONS]) for field in names]
    return table("field", headers(name), rows)


def enum_table(name: str) -> Comparison:
    """The values of enum *name* in every version: ``✓`` where the version lists it."""
    values: dict[str, list[str]] = {}
    for v in VERSIONS:
        enum = spec(v).enums.get(name)
        values[v] = [member.value for member in enum] if enum else []
    order = in_order([values[v] for v in reversed(VERSIONS)])
    rows = [(value, ["✓" if value in values[v] else "—" for v in VERSIONS]) for value in order]

    def note(v: str) -> str:
        return "<br>*OpenEnum*" if name in spec(v).open_enums else ""

    return table("value", headers(name, note), rows)


def rule_table() -> Comparison:
    """Every rule's section in each version; Δ marks a rule that some version does not have.

    Where a rule is this reference's choice (the spec is silent there), the cell says
    ``our choice`` instead of a section: no section of the spec states it.
    """
    from .rules import RULES, Basis

    def cell(rule: Any, version: str) -> str:
        if not rule.applies_to(version):
            return "—"
        if rule.basis_in(version) is Basis.CHOICE:
            return "our choice"
        return where(version, rule.sections[version]) or "—"

    rows = [(rule.id, [cell(rule, v) for v in VERSIONS]) for rule in RULES.values()]
    return table("rule", VERSIONS, rows, differs=lambda cells: "—" in cells)


def verdict_table(documents: Mapping[str, Any]) -> Comparison:
    """Each document (keyed by the version it was written for) checked against every version."""
    from .checker import check_start_session

    def verdict(document: Any, version: str) -> str:
        report = check_start_session(document, version=version)
        said = str(report).splitlines()[0].split(": ", 1)[1]  # "conforms (1 info)", ...
        return said if report.conforms else f"**{said}**"

    rows = [(written, [verdict(doc, v) for v in VERSIONS]) for written, doc in documents.items()]
    return table("written for", [f"checked as {v}" for v in VERSIONS], rows, differs=None)
