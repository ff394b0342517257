"""Every rule has a test and a chapter; the collector behind the traceability page works.

The collector lives in ``book/_ext/traceability.py`` (it is also the Sphinx extension that renders
the matrix), so the book and this test cannot disagree about what counts as covered.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest

from ocpi_ref import RULES

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def _load_collector():
    spec = importlib.util.spec_from_file_location("traceability", BOOK / "_ext" / "traceability.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("traceability", module)
    spec.loader.exec_module(module)
    return module


traceability = _load_collector()


@pytest.fixture(scope="module")
def rows():
    return {row.rule_id: row for row in traceability.matrix()}


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_rule_has_a_test(rows, rule_id):
    assert rows[rule_id].tests, (
        f"no test in tests/*.py is marked @pytest.mark.rule({rule_id!r}); "
        "the traceability page would show 'none'"
    )


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_rule_has_a_chapter(rows, rule_id):
    assert rows[rule_id].chapter, (
        f"no page listed in book/_toc.yml carries the MyST label ({rule_id})="
    )


def test_matrix_lists_every_rule_once_clause_first_then_registry_order(rows):
    clause = [r for r in RULES if r.startswith("start-session.")]
    assert list(rows) == clause + [r for r in RULES if r not in clause]


def test_labels_are_unique_across_the_book():
    seen: dict[str, str] = {}
    for docname in traceability.toc_docnames():
        path = traceability._source(BOOK, docname)
        assert path is not None, f"_toc.yml lists {docname!r}, but there is no such page"
        for label in traceability.labels_in(path):
            assert label not in seen, f"label {label!r} on both {seen[label]} and {docname}"
            seen[label] = docname


def test_clause_chapters_follow_the_clause(rows):
    """The start-session.* chapters appear in the toc in the order the clause reads."""
    order = traceability.toc_docnames()
    clause = [r for r in RULES if r.startswith("start-session.")]
    positions = [order.index(rows[r].chapter) for r in clause]
    assert positions == sorted(positions), [rows[r].chapter for r in clause]
    assert len(set(positions)) == len(clause), "each clause rule has a chapter of its own"


@pytest.mark.parametrize("rule_id", [r for r in RULES if r.startswith("start-session.")])
def test_clause_chapter_opens_with_its_rule(rows, rule_id):
    """The page starts with the label, then a heading, and states parties and section; its level
    is on the rule card generated from the record (one card per chapter, no hand-written one)."""
    rule = RULES[rule_id]
    path = traceability._source(BOOK, rows[rule_id].chapter)
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    lines = first.splitlines()
    assert lines[0] == f"({rule_id})=" and lines[1].startswith("# "), lines[:2]
    assert rule_id in lines[1]
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert rule.cite() in text
    cards = [c for c in nb["cells"] if c["cell_type"] == "code" and f'get_rule("{rule_id}")' in "".join(c["source"])]
    assert len(cards) == 1, f"{rule_id}: {len(cards)} generated rule cards"
    assert "| level |" not in text, f"{rule_id}: a hand-written card beside the generated one"
    for party in rule.binds:
        assert party.value in first, f"{rule_id}: the page does not say it binds {party.value}"


def test_collector_reads_every_form_of_the_marker(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_sample.py").write_text(
        textwrap.dedent(
            '''
            import pytest
            from pytest import mark

            pytestmark = [pytest.mark.rule("m.module"), pytest.mark.slow]

            @pytest.mark.rule("a.one", "a.two")
            def test_plain():
                pass

            @pytest.mark.parametrize("x", [1, 2])
            @pytest.mark.rule("a.param")
            def test_param(x):
                pass

            @pytest.mark.rule("c.class")
            class TestGroup:
                @pytest.mark.rule("c.method")
                def test_method(self):
                    pass

                def helper(self):
                    pass

            def test_unmarked():
                pass

            def not_a_test():
                pass
            '''
        ),
        encoding="utf-8",
    )
    (tests / "helpers.py").write_text('@pytest.mark.rule("x.ignored")\ndef test_x(): pass\n')
    found = traceability.tests_by_rule(tests)
    assert found == {
        "m.module": [
            "tests/test_sample.py::TestGroup::test_method",
            "tests/test_sample.py::test_param",
            "tests/test_sample.py::test_plain",
            "tests/test_sample.py::test_unmarked",
        ],
        "a.one": ["tests/test_sample.py::test_plain"],
        "a.two": ["tests/test_sample.py::test_plain"],
        "a.param": ["tests/test_sample.py::test_param"],
        "c.class": ["tests/test_sample.py::TestGroup::test_method"],
        "c.method": ["tests/test_sample.py::TestGroup::test_method"],
    }


def test_collector_finds_labels_in_markdown_and_notebook_cells(tmp_path):
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: nb\n")
    (tmp_path / "intro.md").write_text("(x.intro)=\n# Intro\n\n```\n(not.a.label)= inside code\n```\n")
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["(x.nb)=\n", "# Page\n"], "metadata": {}},
            {"cell_type": "code", "source": ["# (x.code)=\n"], "metadata": {}, "outputs": []},
        ]
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    (tmp_path / "orphan.md").write_text("(x.orphan)=\n# Not in the toc\n")
    assert traceability.chapters_by_label(tmp_path) == {"x.intro": "intro", "x.nb": "nb"}

