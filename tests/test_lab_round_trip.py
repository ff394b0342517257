"""Opening a chapter in ``make lab`` leaves the notebook as stored.

JupyterLab saves (and autosaves) a notebook through the Jupyter server's contents manager with
the ``language_info`` the kernel reported, interpreter version included, and per-cell timings
when it records them. ``lab/jupyter_server_config.py`` (which ``make lab`` passes to Lab) strips
them in a pre-save hook. Here each chapter is saved through the same contents manager, with that
configuration, carrying what Lab adds: the file comes out byte for byte as it was, so the
notebook checks of ``make test`` still pass.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager
from traitlets.config import Config, PyFileConfigLoader

import test_book_notebooks as notebook_checks

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

#: What JupyterLab 4 writes into a notebook's metadata after an ipykernel on Python 3.11 starts.
LAB_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.2",
}
#: Per-cell timing, as Lab writes it with "record timing" on.
LAB_TIMING = {"iopub.execute_input": "2026-01-01T00:00:00.000Z", "shell.execute_reply": "2026-01-01T00:00:00.100Z"}


def _lab_config() -> Config:
    return PyFileConfigLoader("jupyter_server_config.py", path=str(ROOT / "lab")).load_config()


def _save_as_lab_does(manager: FileContentsManager, rel: str) -> Path:
    model = manager.get(rel)
    model["content"]["metadata"]["language_info"] = dict(LAB_LANGUAGE_INFO)
    for cell in model["content"]["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"]["execution"] = dict(LAB_TIMING)
    manager.save({"type": "notebook", "format": "json", "content": model["content"]}, rel)
    return Path(manager.root_dir) / rel


@pytest.fixture
def book_copy(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))  # the notebook signatures
    root = tmp_path / "book"
    for path in notebook_checks.NOTEBOOKS:
        target = root / path.relative_to(BOOK)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return root


# traitlets validates a configured hook once more after setting it, and jupyter_server then warns
# that the hook replaces itself; harmless, and not ours to change.
@pytest.mark.filterwarnings("ignore:Overriding existing pre_save_hook:UserWarning")
def test_saving_every_chapter_as_lab_does_leaves_it_as_stored(book_copy) -> None:
    manager = FileContentsManager(root_dir=str(book_copy), config=_lab_config())
    for path in notebook_checks.NOTEBOOKS:
        rel = path.relative_to(BOOK).as_posix()
        saved = _save_as_lab_does(manager, rel)
        assert saved.read_bytes() == path.read_bytes(), rel
        notebook_checks.test_no_timing_or_machine_metadata((saved, nbformat.read(saved, as_version=4)))


def test_without_the_hook_the_same_save_fails_the_metadata_check(book_copy) -> None:
    """What the hook prevents: the check that ``make test`` runs fails on Lab's save."""
    rel = notebook_checks.NOTEBOOKS[0].relative_to(BOOK).as_posix()
    saved = _save_as_lab_does(FileContentsManager(root_dir=str(book_copy)), rel)
    with pytest.raises(AssertionError):
        notebook_checks.test_no_timing_or_machine_metadata((saved, nbformat.read(saved, as_version=4)))
