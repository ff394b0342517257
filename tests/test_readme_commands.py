"""Every README command that reads a file of ``examples/`` does what its comment says.

The README's command-line examples run on the shipped ``examples/``; each such line ends with a
comment ``# exit N``. Here each one runs (``ocpi-ref`` as this interpreter's ``-m ocpi_ref``,
from the repository root, through the shell for ``<`` redirections) and must exit with N.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_LINE = re.compile(r"^(ocpi-ref [^#]*examples/[^#]*\.json[^#]*)#\s*(.*)$")


def _commands() -> list[tuple[str, str]]:
    out = []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line.strip())
        if match:
            out.append((match.group(1).strip(), match.group(2)))
    return out


COMMANDS = _commands()


def test_the_readme_runs_commands_on_the_examples() -> None:
    assert len(COMMANDS) >= 8
    for command, comment in COMMANDS:
        assert re.match(r"exit \d\b", comment), f"{command}: say the exit code in the comment"
        for path in re.findall(r"examples/\S+\.json", command):
            assert (ROOT / path).is_file(), path


@pytest.mark.parametrize(("command", "comment"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_a_readme_command_exits_as_documented(command: str, comment: str) -> None:
    wanted = int(re.match(r"exit (\d)", comment).group(1))
    shell = command.replace("ocpi-ref ", f"{shlex.quote(sys.executable)} -m ocpi_ref ", 1)
    done = subprocess.run(shell, shell=True, cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == wanted, done.stdout.decode() + done.stderr.decode()


def test_every_example_conforms_or_not_as_its_name_says() -> None:
    from ocpi_ref import check_start_session
    from ocpi_ref.objects import check_object

    files = sorted((ROOT / "examples").glob("*/*.json"))
    assert {p.parent.name for p in files} == {"2.1.1", "2.2", "2.2.1", "2.3.0"} and len(files) == 16
    for path in files:
        version, data = path.parent.name, path.read_bytes()
        if path.name.startswith("start-session"):
            report = check_start_session(data, version=version)
        else:
            report = check_object("command-response", data, version=version)
        assert report.conforms is ("not-conforming" not in path.name), path
