"""The book's notebooks are stored executed, cleanly, and run anywhere.

nbval compares stored outputs with fresh ones, but it silently passes a cell that was never
executed; these checks close that gap and keep outputs free of machine-specific text.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BOOK / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


NOTEBOOKS = _load("run_notebooks").notebooks(BOOK)
#: Text that only makes sense on one machine: absolute paths, addresses, object ids.
MACHINE = re.compile(r"/work/|/tmp/|/root/|/home/|site-packages|0x[0-9a-fA-F]{6,}|\.venv/")


def _ids(paths):
    return [str(p.relative_to(BOOK)) for p in paths]


@pytest.fixture(params=NOTEBOOKS, ids=_ids(NOTEBOOKS))
def nb(request):
    return request.param, nbformat.read(request.param, as_version=4)


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _output_text(output) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join([output.ename, output.evalue, *output.traceback])
    return "\n".join(str(v) for v in output.get("data", {}).values())


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 17, _ids(NOTEBOOKS)


def test_kernelspec_is_python3(nb):
    path, notebook = nb
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"


def test_every_code_cell_was_executed_in_order(nb):
    """Execution counts 1, 2, 3, ...: the stored outputs come from one top-to-bottom run."""
    path, notebook = nb
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    assert counts, "a notebook chapter without code should be a .md page"
    assert counts == list(range(1, len(counts) + 1)), counts


def test_outputs_are_stored(nb):
    path, notebook = nb
    code = [c for c in notebook.cells if c.cell_type == "code"]
    with_output = [c for c in code if c.outputs]
    assert len(with_output) * 2 >= len(code), "most code cells should show what they do"
    last = code[-1]
    assert last.outputs, "the last code cell shows a result"


def test_no_timing_or_machine_metadata(nb):
    path, notebook = nb
    for cell in notebook.cells:
        assert "execution" not in cell.metadata, "per-cell timing metadata (use make notebooks)"
    assert "version" not in notebook.metadata.get("language_info", {})


def test_errors_only_where_expected(nb):
    """Only cells tagged raises-exception raise, they do raise, and tracebacks are minimal."""
    path, notebook = nb
    minimal = False
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "%xmode Minimal" in cell.source:
            assert "remove-cell" in _tags(cell)
            minimal = True
        if "raises-exception" in _tags(cell):
            assert errors, f"tagged raises-exception but stored no error: {cell.source[:60]!r}"
            assert minimal, "show exceptions after a remove-cell '%xmode Minimal' cell"
        else:
            assert not errors, f"unexpected error in {cell.source[:60]!r}"


def test_no_machine_specific_text_in_outputs(nb):
    path, notebook = nb
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        for output in cell.outputs:
            text = _output_text(output)
            found = MACHINE.search(text)
            assert not found, f"{found.group(0)!r} in the output of {cell.source[:60]!r}"


def test_prose_before_every_code_cell(nb):
    path, notebook = nb
    cells = [c for c in notebook.cells if "remove-cell" not in _tags(c)]
    assert cells[0].cell_type == "markdown" and cells[0].source.lstrip("(").find("# ") >= 0
    for before, cell in zip(cells, cells[1:]):
        if cell.cell_type == "code" and before.cell_type == "code":
            pytest.fail(f"no prose before {cell.source[:60]!r}")


def test_no_hidden_setup_or_path_hacks(nb):
    """Nothing a chapter needs is removed from the page; drawing code may be folded.

    ``remove-cell`` / ``remove-input`` (gone from the website) only for ``%xmode Minimal``;
    ``hide-input`` (folded, one click away) for a cell that draws a picture from the package's
    answers, which still runs in the same kernel as everything else and defines nothing the
    following cells use.
    """
    path, notebook = nb
    code = [c for c in notebook.cells if c.cell_type == "code"]
    for index, cell in enumerate(code):
        assert "sys.path" not in cell.source and "os.chdir" not in cell.source
        if _tags(cell) & {"remove-cell", "remove-input"}:
            assert cell.source.strip() == "%xmode Minimal", f"removed code: {cell.source[:60]!r}"
        if "hide-input" in _tags(cell):
            defined = set(re.findall(r"^(?:def|class) (\w+)|^(\w+) =", cell.source, re.M))
            names = {n for pair in defined for n in pair if n}
            later = "\n".join(c.source for c in code[index + 1 :])
            used = sorted(n for n in names if re.search(rf"\b{n}\b", later))
            assert not used, f"folded cell defines {used}, used by later cells: {cell.source[:60]!r}"
