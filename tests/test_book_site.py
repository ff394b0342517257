"""The website: built offline, free of machine paths, and really rendered by a browser.

The site is built with the README's command unless ``_build/html`` is newer than every source
of the book and the package. Two pages (the home page and a clause chapter) are then opened in
headless Debian Chromium: the DOM after scripts ran must show the page title, the navigation and
an executed output, and a screenshot of each goes to ``_build/screenshots/`` (not in git).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SOURCES = [ROOT / "_config.yml", *(ROOT / "book").rglob("*"), *(ROOT / "ocpi_ref").rglob("*.py"), *(ROOT / "tests").glob("test_*.py")]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

PAGES = {
    "home": ("intro.html", "OCPI StartSession, rule by rule", "does not conform"),
    "clause": ("rules/own-tokens-only.html", "start-session.own-tokens-only", "does not conform"),
}


def _stale() -> bool:
    built = HTML / "intro.html"
    if not built.exists():
        return True
    newest = max(p.stat().st_mtime for p in SOURCES if p.is_file() and "_build" not in p.parts)
    return built.stat().st_mtime < newest


@pytest.fixture(scope="module")
def site() -> Path:
    if _stale():
        run = subprocess.run(
            [str(JUPYTER_BOOK), "build", "-W", "--keep-going", "book/"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if run.returncode != 0:
            pytest.fail("make book failed:\n" + (run.stdout + run.stderr)[-4000:])
    return HTML


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "_static" not in p.parts]


def test_every_chapter_was_built(site):
    for name in ("intro", "object", "command-flow", "check-your-payload", "errata", "traceability", "api"):
        assert (site / f"{name}.html").exists(), name
    assert len(list((site / "rules").glob("*.html"))) == 14


def test_no_machine_paths_in_built_pages(site):
    machine = re.compile(r"/work/|/tmp/|/root/|/home/|\.venv/|site-packages")
    for page in _pages(site):
        found = machine.search(page.read_text(encoding="utf-8"))
        assert not found, f"{found.group(0)!r} in {page.relative_to(site)}"


def test_nothing_is_loaded_from_the_network(site):
    """Scripts, styles and images are local: no src or stylesheet href points to http(s)."""
    remote = re.compile(r"""(?:<script[^>]*\ssrc|<img[^>]*\ssrc|<link[^>]*rel="stylesheet"[^>]*\shref)=["']https?:""")
    for page in _pages(site):
        found = remote.search(page.read_text(encoding="utf-8"))
        assert not found, f"{page.relative_to(site)} loads {found.group(0)!r}"


def test_traceability_links_every_rule_to_its_chapter(site):
    """Each row of the matrix links the rule id to its chapter page (and anchor)."""
    from ocpi_ref import RULES

    page = (site / "traceability.html").read_text(encoding="utf-8")
    for rule in RULES.values():
        row = re.search(rf'<tr[^>]*id="trace-{re.escape(rule.anchor)}".*?</tr>', page, re.S)
        assert row, f"no row for {rule.id}"
        link = re.search(r'<a class="reference internal" href="([^"]+)"><span class="std std-ref">([^<]+)<', row.group(0))
        assert link and link.group(2) == rule.id, f"{rule.id} is not linked to its chapter"
        target = link.group(1).split("#")[0]
        assert (site / target).exists(), f"{rule.id} links to a missing page {target}"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed (make test installs it from Debian when run as root)")
    return found


def _browse(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--window-size=1280,1400",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_chromium(site, tmp_path, name):
    path, title, output = PAGES[name]
    page = site / path
    dom = _browse(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert re.search(rf"<h1[^>]*>.*?{re.escape(title)}", html, re.S), f"title {title!r} not shown"
    nav = re.search(r'<nav[^>]*class="[^"]*bd-docs-nav[^"]*".*?</nav>', html, re.S)
    assert nav and nav.group(0).count("<a ") >= 10, "the book's navigation is missing"
    outputs = re.findall(r'<div class="cell_output.*?</div>\s*</div>', html, re.S)
    assert any(output in o for o in outputs), f"no executed output containing {output!r}"

    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    taken = _browse(page, tmp_path / "profile", f"--screenshot={shot}")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 20_000, "screenshot missing or blank"
