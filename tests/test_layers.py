"""The package's architecture: imports point down the layers, and modules stay small.

The layers are the import-linter contract in ``pyproject.toml``. The second test copies the
package, adds one upward import (a rules module reaching up to the flow) and shows the same
contract refusing it, so the first test is known to be able to fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import ocpi_ref

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(ocpi_ref.__file__).resolve().parent
LINT = Path(sys.executable).with_name("lint-imports")

#: The issue that set the layout asked for modules of at most about 400 lines.
MAX_LINES = 400


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--config", "pyproject.toml", "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_imports_point_down_the_layers():
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    copy = tmp_path / "ocpi_ref"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    registry = copy / "rules" / "registry.py"
    registry.write_text(registry.read_text() + "\nfrom ..flow import decision  # upward, on purpose\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout
    assert "ocpi_ref.rules.registry -> ocpi_ref.flow.decision" in done.stdout


def test_no_module_is_over_400_lines():
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert not {name: n for name, n in sizes.items() if n > MAX_LINES}
