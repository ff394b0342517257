"""Re-execute the book's notebooks in place, so their stored outputs match the package again.

``make notebooks`` runs this. Each notebook runs top to bottom in a fresh ``python3`` kernel
with its own folder as working directory (as JupyterLab, nbval and the book build do). No
per-cell timing metadata is written, and the interpreter version is dropped from the
notebook metadata, so a re-run on another machine changes only what really changed.

Usage: ``python book/_ext/run_notebooks.py [NOTEBOOK ...]`` (default: every notebook in book/).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def notebooks(book: Path = BOOK) -> list[Path]:
    """Every notebook under *book*, skipping checkpoints and hidden or underscore folders."""
    return sorted(
        p
        for p in book.rglob("*.ipynb")
        if not any(part.startswith((".", "_")) for part in p.relative_to(book).parts[:-1])
    )


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or notebooks()
    for path in paths:
        print(f"executing {path.resolve().relative_to(BOOK.parent)}", flush=True)
        run(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
