"""What a newcomer meets before any code: the licence, the packaging metadata, the README's set-up."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.S | re.M).group(1)
    return " ".join(section.split())  # one line: the wording may wrap anywhere


def test_the_licence_pyproject_names_is_in_the_repository():
    project = PYPROJECT["project"]
    # An SPDX expression: a TOML table ({text = ...}) makes setuptools warn at every install.
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_lab_extra_renders_myst():
    lab = PYPROJECT["project"]["optional-dependencies"]["lab"]
    assert any(req.startswith("jupyterlab-myst") for req in lab)


def test_the_set_up_says_how_to_reach_the_installed_command():
    setup = _readme_section("Set up")
    assert ". .venv/bin/activate" in setup and ".venv/bin/ocpi-ref" in setup
    assert "apt-get" in setup and "chromium-driver" in setup and "--no-install-recommends --no-upgrade" in setup
    assert "_build/apt-chromium.log" in setup  # where apt's output went, and that the Makefile agrees:
    assert "APT_LOG := _build/apt-chromium.log" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert ".venv/bin/activate" in _readme_section("Use the command line").split("```")[0], "before the examples"


def test_the_spec_sources_carry_their_licence_notice():
    notice = (ROOT / "spec" / "NOTICE.md").read_text(encoding="utf-8")
    assert "CC BY-ND 4.0" in notice and "EVRoaming Foundation" in notice and "NKL" in notice
    for folder in ("2.1.1", "2.2", "2.2.1", "v2.3.0"):
        assert list((ROOT / "spec" / "ocpi-src" / folder).glob("copyright.*")), folder


def test_the_package_version_has_a_changelog_entry():
    """CHANGELOG.md (Keep a Changelog) has a section for the version pyproject.toml declares."""
    import re
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M), version
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert headings[0] == "Unreleased" and len(headings) == len(set(headings))
