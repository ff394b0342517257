"""``make browser`` (run by ``make test``) installs Chromium with apt quietly: apt's output goes
to a log file, the test log gets one line with the package count, and nothing is upgraded on
request. apt-get is replaced by a stand-in here (as root, with no chromium on PATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FAKE_APT = """#!/bin/sh
echo "$@" >> "{calls}"
for i in $(seq 1 200); do echo "Get:$i http://deb.debian.org/debian bookworm/main amd64 lib$i"; done
case "$1" in install) echo "0 upgraded, 20 newly installed, 0 to remove and 129 not upgraded.";; esac
exit {code}
"""


def _make_browser(tmp_path: Path, code: int) -> tuple[subprocess.CompletedProcess[str], list[str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "mkdir", "grep", "tail", "id", "seq", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    calls = tmp_path / "calls"
    apt = bin_dir / "apt-get"
    apt.write_text(FAKE_APT.format(calls=calls, code=code))
    apt.chmod(0o755)
    build = tmp_path / "build"
    done = subprocess.run(
        [shutil.which("make"), "-s", "-C", str(ROOT), "browser", f"APT_LOG={build}/apt.log"],
        env={**os.environ, "PATH": str(bin_dir)}, capture_output=True, text=True, timeout=60,
    )
    return done, calls.read_text().splitlines() if calls.exists() else [], build / "apt.log"


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("make") is None, reason="the apt branch runs as root, with make")
def test_apt_output_goes_to_a_log_and_the_test_log_gets_the_count(tmp_path) -> None:
    done, calls, log = _make_browser(tmp_path, 0)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"installing chromium, chromium-driver and fonts-liberation with apt-get (log: {log})",
        "0 upgraded, 20 newly installed, 0 to remove and 129 not upgraded.",
    ]
    install = next(c.split() for c in calls if c.startswith("install"))
    assert {"--no-install-recommends", "--no-upgrade", "chromium", "chromium-driver", "fonts-liberation"} <= set(install)
    assert "Get:200" in log.read_text()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("make") is None, reason="the apt branch runs as root, with make")
def test_a_failed_apt_shows_the_end_of_its_log_and_fails(tmp_path) -> None:
    done, _, log = _make_browser(tmp_path, 100)
    assert done.returncode != 0
    assert f"apt-get failed (log: {log})" in done.stdout and "Get:200" in done.stdout and "Get:150" not in done.stdout
