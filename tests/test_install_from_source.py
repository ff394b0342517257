"""The README's line for installing ocpi-ref from source (CI: the package is on no registry)
works as written: it installs, with the ``server`` extra, into a fresh virtual environment.

Nothing may download in a test, so the fresh environment sees the dependencies already in this
one (a ``.pth`` to a view of this environment's site-packages without ocpi-ref itself) and pip
runs with ``--no-index --no-build-isolation``: if the line named a missing extra or the package
did not build, pip fails here as it would in CI. The checkout is copied first (tracked files
only), because pip builds in the source tree.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_install_line() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = {m.group(0) for m in re.finditer(r'^pip install "\./ocpi-ref\[server\]"$', text, re.M)}
    return line


def _copy_checkout(target: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _dependencies_view(target: Path) -> Path:
    """This environment's site-packages, without ocpi-ref's own (editable) installation."""
    site = Path(sysconfig.get_paths()["purelib"])
    target.mkdir()
    for entry in site.iterdir():
        if entry.name.startswith(("ocpi_ref", "__editable__")) or "ocpi_ref" in entry.name:
            continue
        (target / entry.name).symlink_to(entry)
    return target


def test_the_readme_install_line_installs_the_server_extra_into_a_fresh_venv(tmp_path) -> None:
    line = _readme_install_line()
    work = tmp_path / "ci"
    _copy_checkout(work / "ocpi-ref")
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(str(_dependencies_view(tmp_path / "deps")) + "\n")
    # The README's line, run by this environment's pip for the fresh interpreter, offline.
    args = shlex.split(line)[2:]
    env = {**os.environ, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-build-isolation",
         "--quiet", *args],
        cwd=work, capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "does not provide the extra" not in done.stderr, done.stderr  # pip only warns about that
    check = subprocess.run(
        [python, "-c", "import ocpi_ref, ocpi_ref.cpo.app, ocpi_ref.emsp; print(ocpi_ref.__file__)"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip().startswith(purelib), check.stdout  # the fresh install, not the checkout
    help_text = subprocess.run([venv / "bin" / "ocpi-ref", "conformance", "cpo", "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0 and "--callback-url" in help_text.stdout


def test_the_book_gives_the_same_install_line_as_the_readme() -> None:
    """The book's "In CI" section tells readers what to run; it must be the line tested above."""
    book = (ROOT / "book" / "test-your-system.ipynb").read_text(encoding="utf-8")
    assert '"pip install \\"./ocpi-ref[server]\\"\\n"' in book and _readme_install_line()
    assert 'pip install \\"ocpi-ref[server]\\"' not in book  # the line that fails: not on a registry
