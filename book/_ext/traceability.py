"""Traceability from the rule registry to the tests and the book, and the directive that shows it.

One place answers, for every rule in :data:`ocpi_ref.RULES`:

* which tests cover it: the ``@pytest.mark.rule("id", ...)`` markers in ``tests/*.py``,
  read with :mod:`ast` (on functions, on classes, and in a module-level ``pytestmark``);
  nothing is imported or run;
* which chapter explains it: the page of the book (listed in ``book/_toc.yml``) that carries
  the MyST label ``(rule-id)=``.

Each row also keeps apart what the spec says and what this reference chooses: ``basis`` is on
what the rule rests in each version (a spec sentence with its keyword as written and whom it
addresses, a definition, an example, our reading, our choice, a deviation), ``level`` the spec's
level (``policy`` where the spec says nothing), ``choice`` this reference's own decision where it
goes beyond the spec's statement. A rule that is our choice in every version shows no section:
the spec has none for it.

The Sphinx directive ``traceability-matrix`` renders the table on the traceability page and
warns (so ``-W`` fails the build) for every rule without a test or a chapter;
``tests/test_traceability.py`` asserts the same with the same functions.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes as docutils_nodes

BOOK = Path(__file__).resolve().parent.parent
ROOT = BOOK.parent
TESTS = ROOT / "tests"

#: A MyST target line, e.g. ``(start-session.own-tokens-only)=``.
LABEL = re.compile(r"^\((?P<label>[A-Za-z0-9_.:-]+)\)=\s*$", re.MULTILINE)


# --------------------------------------------------------------------------- tests


def _rule_ids(node: ast.expr) -> list[str]:
    """The rule ids in one decorator expression ``pytest.mark.rule("a", "b")``, else []."""
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "rule"):
        return []
    mark = func.value
    if not (isinstance(mark, ast.Attribute) and mark.attr == "mark"):
        return []
    return [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _marks(nodes: list[ast.expr]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, (ast.List, ast.Tuple)):
            out += _marks(list(node.elts))
        else:
            out += _rule_ids(node)
    return out


def _module_marks(tree: ast.Module) -> list[str]:
    """Ids in ``pytestmark = pytest.mark.rule(...)`` (or a list of marks)."""
    out: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            out += _marks([stmt.value])
    return out


def _walk(body: list[ast.stmt], prefix: str, inherited: list[str]):
    """Yield ``(nodeid suffix, rule ids)`` for each test function, with class marks inherited."""
    for stmt in body:
        if isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            yield from _walk(stmt.body, f"{prefix}::{stmt.name}", inherited + _marks(stmt.decorator_list))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name.startswith("test"):
            ids = inherited + _marks(stmt.decorator_list)
            if ids:
                yield f"{prefix}::{stmt.name}", ids


def tests_by_rule(tests_dir: Path = TESTS) -> dict[str, list[str]]:
    """Rule id -> sorted pytest node ids (``tests/test_x.py::test_y``) of the tests marked with it."""
    found: dict[str, set[str]] = {}
    for path in sorted(tests_dir.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = f"{tests_dir.name}/{path.name}"
        for nodeid, ids in _walk(tree.body, module, _module_marks(tree)):
            for rule_id in ids:
                found.setdefault(rule_id, set()).add(nodeid)
    return {rule_id: sorted(ids) for rule_id, ids in found.items()}


# --------------------------------------------------------------------------- chapters


def toc_docnames(book_dir: Path = BOOK) -> list[str]:
    """The docnames listed in ``_toc.yml``, in order (root first)."""
    import yaml

    toc = yaml.safe_load((book_dir / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def visit(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            visit(entry.get("chapters"))
            visit(entry.get("sections"))

    for part in toc.get("parts", []):
        visit(part.get("chapters"))
    visit(toc.get("chapters"))
    return names


def _source(book_dir: Path, docname: str) -> Path | None:
    for suffix in (".md", ".ipynb"):
        path = book_dir / f"{docname}{suffix}"
        if path.exists():
            return path
    return None


def labels_in(path: Path) -> list[str]:
    """The MyST labels a page defines (markdown cells only, for a notebook)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        text = "\n".join(
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in nb["cells"]
            if cell["cell_type"] == "markdown"
        )
    return LABEL.findall(text)


def chapters_by_label(book_dir: Path = BOOK) -> dict[str, str]:
    """Label -> docname of the page in the book's toc that defines it."""
    out: dict[str, str] = {}
    for docname in toc_docnames(book_dir):
        path = _source(book_dir, docname)
        if path is not None:
            for label in labels_in(path):
                out.setdefault(label, docname)
    return out


# --------------------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Row:
    rule_id: str
    section: str
    level: str
    binds: str
    kind: str
    tests: tuple[str, ...]
    chapter: str | None
    choice: str = ""
    basis: str = ""


def matrix(tests_dir: Path = TESTS, book_dir: Path = BOOK) -> list[Row]:
    """One row per rule in :data:`ocpi_ref.RULES`: the clause's own ``start-session.*`` rules
    first (in clause order), then the others in registry order."""
    from ocpi_ref import RULES

    tests = tests_by_rule(tests_dir)
    chapters = chapters_by_label(book_dir)
    return [
        Row(
            rule_id=rule.id,
            section="" if rule.is_pure_choice else "; ".join(f"OCPI {v} §{s}" for v, s in rule.sections.items()),
            level=_levels(rule),
            binds=", ".join(p.value for p in rule.binds),
            kind=rule.kind.value,
            tests=tuple(tests.get(rule.id, ())),
            chapter=chapters.get(rule.id),
            choice=_choices(rule),
            basis=rule.across(rule.basis_text),
        )
        for rule in sorted(RULES.values(), key=lambda r: not r.id.startswith("start-session."))
    ]


def _choices(rule) -> str:
    """This reference's choice; where versions differ, each with the versions it holds for."""
    by_choice: dict[str, list[str]] = {}
    for version in rule.versions:
        by_choice.setdefault(rule.choice_in(version) or "", []).append(version)
    if len(by_choice) == 1:
        return next(iter(by_choice))
    return "; ".join(
        f"{', '.join(versions)}: {choice.rstrip('.') or 'none'}" for choice, versions in by_choice.items()
    )


def _levels(rule) -> str:
    """The spec's level, or each version's where they differ (``policy in 2.1.1; SHALL in 2.2, 2.2.1``)."""
    return rule.across(lambda version: rule.level_in(version).value)


def problems(rows: list[Row] | None = None) -> list[str]:
    """One line per rule without a test or without a chapter (empty when all is traced)."""
    rows = matrix() if rows is None else rows
    out = []
    for row in rows:
        if not row.tests:
            out.append(f"{row.rule_id}: no test is marked with @pytest.mark.rule({row.rule_id!r})")
        if row.chapter is None:
            out.append(f"{row.rule_id}: no page in book/_toc.yml carries the label ({row.rule_id})=")
    return out


def compact_sections(sections: dict[str, str]) -> list[str]:
    """A rule's sections, one line per run of versions with the same number.

    >>> compact_sections({"2.1.1": "13.3.3", "2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"})
    ['2.1.1 §13.3.3', '2.2+ §13.3.5']
    >>> compact_sections({"2.2": "4.1.7.2", "2.2.1": "4.1.8.2", "2.3.0": "4.1.9.2"})
    ['2.2 §4.1.7.2', '2.2.1 §4.1.8.2', '2.3.0 §4.1.9.2']
    """
    from ocpi_ref.versions import VERSIONS

    runs: list[list[str]] = []  # [first version, last version, section]
    for version in VERSIONS:
        number = sections.get(version)
        if number is None:
            continue
        if runs and runs[-1][2] == number and VERSIONS.index(runs[-1][1]) + 1 == VERSIONS.index(version):
            runs[-1][1] = version
        else:
            runs.append([version, version, number])
    out = []
    for first, last, number in runs:
        if first == last:
            span = first
        elif last == VERSIONS[-1]:
            span = f"{first}+"
        else:
            span = f"{first}–{last}"
        out.append(f"{span}\u00a0§{number}")
    return out


# --------------------------------------------------------------------------- Sphinx


class folded(docutils_nodes.General, docutils_nodes.Element):
    """``<details>`` with a ``<summary>``: the tests of a rule, folded under their count."""


def visit_folded(self, node) -> None:
    self.body.append(f"<details><summary>{self.encode(node['summary'])}</summary>")


def depart_folded(self, node) -> None:
    self.body.append("</details>")



def setup(app):  # pragma: no cover - exercised by the book build
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxDirective

    logger = logging.getLogger(__name__)
    headers = ("rule", "section", "basis", "level", "kind", "tests")

    def xref(reftype: str, target: str, content: nodes.Node, docname: str, explicit: bool):
        ref = addnodes.pending_xref(
            "",
            content,
            refdomain="std",
            reftype=reftype,
            reftarget=target,
            refexplicit=explicit,
            refwarn=True,
            refdoc=docname,
        )
        return ref

    def cell(*children: nodes.Node) -> nodes.entry:
        entry = nodes.entry()
        entry += children
        return entry

    def para(*children: nodes.Node) -> nodes.paragraph:
        p = nodes.paragraph()
        p += children
        return p

    class TraceabilityMatrix(SphinxDirective):
        """``traceability-matrix``: the table, and a warning per untraced rule."""

        has_content = False

        def run(self):
            from ocpi_ref import RULES

            docname = self.env.docname
            if not hasattr(self.env, "traceability_docs"):
                self.env.traceability_docs = set()
            self.env.traceability_docs.add(docname)
            rows = matrix()
            for line in problems(rows):
                logger.warning(
                    f"traceability: {line}", location=(docname, self.lineno), type="traceability"
                )
            for path in sorted(TESTS.glob("test_*.py")):
                self.env.note_dependency(str(path))

            table = nodes.table(classes=["traceability"])
            group = nodes.tgroup(cols=len(headers))
            table += group
            for width in (28, 16, 18, 12, 10, 14):
                group += nodes.colspec(colwidth=width)
            head = nodes.thead()
            row = nodes.row()
            row += [cell(para(nodes.Text(h))) for h in headers]
            head += row
            group += head
            body = nodes.tbody()
            for r in rows:
                literal = nodes.literal(text=r.rule_id)
                rule = (
                    para(xref("ref", r.rule_id, literal, docname, True)) if r.chapter else para(literal)
                )
                sections = para()
                lines = compact_sections(RULES[r.rule_id].sections) if r.section else ["none: our choice"]
                for i, line in enumerate(lines):
                    if i:
                        sections += nodes.raw("", "<br>", format="html")
                    sections += nodes.Text(line)
                if r.tests:
                    tests = folded(summary=f"{len(r.tests)} test{'s' if len(r.tests) != 1 else ''}")
                    listed = nodes.bullet_list(classes=["simple"])
                    for t in r.tests:
                        listed += nodes.list_item("", para(nodes.literal(text=t.removeprefix("tests/"))))
                    tests += listed
                else:
                    tests = para(nodes.strong(text="none"))
                level = [para(nodes.Text(r.level))]
                if r.choice:
                    label = {"our reading": "our reading", "deviation": "the deviation"}
                    latest = RULES[r.rule_id].basis_in(RULES[r.rule_id].versions[-1]).value
                    choice = folded(summary=label.get(latest, "our choice"))
                    choice += para(nodes.Text(r.choice))
                    level.append(choice)
                row = nodes.row(ids=[f"trace-{r.rule_id.replace('.', '-')}"])
                row += [
                    cell(rule),
                    cell(sections),
                    cell(para(nodes.Text(r.basis))),
                    cell(*level),
                    cell(para(nodes.Text(r.kind))),
                    cell(tests),
                ]
                body += row
            group += body
            return [table]

    def always_reread(app, env, added, changed, removed):
        """The matrix depends on the registry and the tests, so its page is never up to date."""
        return sorted(getattr(env, "traceability_docs", set()) - set(removed))

    app.add_node(folded, html=(visit_folded, depart_folded))
    app.add_directive("traceability-matrix", TraceabilityMatrix)
    app.connect("env-get-outdated", always_reread)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
