"""The website: built offline, free of machine paths, and really rendered by a browser.

The site is built with the README's command unless ``_build/html`` is newer than every source
of the book and the package. Then one headless Debian Chromium, driven through chromedriver
(selenium), opens every page at 1280 px (a laptop) and at 390 px (a phone) and checks what a
reader sees:

* no element of the main content is wider than its column, unless it sits in a scroll container
  meant for it (a table's or a code block's), and no heading is clipped;
* the sidebar's labels are not cut off;
* every local link leads to a page that exists, and to an anchor on it;
* no request leaves the machine (every URL the page asks for is ``file:``, ``data:`` or alike).

Screenshots of every page at both widths go to ``_build/screenshots/`` (not in git): the whole
page for the home page, a rule chapter, the traceability matrix and the versions chapter, the
first screen for the others.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
#: Pages kept whole in the screenshots (the others: their first screen).
WHOLE = {"intro.html", "rules/ocpp-rfid-15-minutes.html", "traceability.html", "versions.html"}
WIDTHS = (1280, 390)


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


def test_api_page_shows_what_a_user_calls(site):
    """No namedtuple "Alias for field number" entries, no Enum constructor signatures."""
    page = (site / "api.html").read_text(encoding="utf-8")
    assert "Alias for field number" not in page
    assert "names=None" not in page and "qualname=None" not in page
    for name in ("version", "findings"):
        assert f'id="ocpi_ref.Report.{name}"' in page, f"Report.{name} is not described"


def test_rule_chapters_title_in_words_with_the_rule_id_whole(site):
    """The heading reads as words, the rule id is a badge of its own; the sidebar has the words."""
    from ocpi_ref import RULES

    for page in sorted((site / "rules").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        h1 = "".join(re.findall(r"<h1>(.*?)</h1>", text, re.S))
        rule_id = re.search(r'<code class="[^"]*rule-id[^"]*"><span class="pre">([^<]+)</span></code>', h1)
        assert rule_id and rule_id.group(1) in RULES, f"{page.name}: no rule-id badge in the title"
        nav = re.search(r'<nav[^>]*class="[^"]*bd-docs-nav[^"]*".*?</nav>', text, re.S).group(0)
        assert "start-session." not in nav, f"{page.name}: the sidebar shows rule ids instead of titles"


def test_rule_cards_have_no_empty_header_row(site):
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        for head in re.findall(r"<thead>(.*?)</thead>", text, re.S):
            assert re.sub(r"<[^>]+>|\s", "", head), f"{page.relative_to(site)}: a table with an empty header row"


# --------------------------------------------------------------------------------------------
# In the browser
# --------------------------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

#: Run in the page: what a reader at this width would find clipped. An element counts as too
#: wide when it reaches past the main column (or a heading past itself) and no scroll container
#: (overflow-x auto or scroll) between it and the column holds it.
LAYOUT_PROBLEMS = r"""
const column = document.querySelector("main#main-content article") || document.querySelector("main");
const box = column.getBoundingClientRect();
const problems = [];
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  if (el.classList.length) name += "." + Array.from(el.classList).slice(0, 3).join(".");
  const text = (el.innerText || "").trim().replace(/\s+/g, " ").slice(0, 60);
  return text ? `${name} "${text}"` : name;
};
const scrolled = (el, stop) => {
  for (let p = el.parentElement; p && p !== stop; p = p.parentElement) {
    const x = getComputedStyle(p).overflowX;
    if (x === "auto" || x === "scroll") return true;
  }
  return false;
};
const shown = (el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
};
if (document.documentElement.scrollWidth > window.innerWidth + 1) {
  problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`);
}
const wide = new Set();  // the outermost element too wide; what is inside it is not listed again
for (const el of column.querySelectorAll("*")) {
  if (!shown(el) || (el.parentElement && wide.has(el.parentElement))) {
    if (el.parentElement && wide.has(el.parentElement)) wide.add(el);
    continue;
  }
  const r = el.getBoundingClientRect();
  if ((r.right > box.right + 1 || r.left < box.left - 1) && !scrolled(el, column)) {
    wide.add(el);
    problems.push(`${describe(el)} reaches ${Math.round(r.left - box.left)}..${Math.round(r.right - box.left)} px in a ${Math.round(box.width)} px column`);
  }
}
for (const h of column.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
  if (!shown(h)) continue;
  const hb = h.getBoundingClientRect();
  if (h.scrollWidth > h.clientWidth + 1) problems.push(`heading ${describe(h)} is clipped`);
  for (const part of h.querySelectorAll("*")) {
    const r = part.getBoundingClientRect();
    if (shown(part) && !part.classList.contains("headerlink") && r.right > hb.right + 1) {
      problems.push(`heading ${describe(h)}: ${describe(part)} runs out of it`);
    }
  }
}
for (const label of document.querySelectorAll(".bd-docs-nav a, .bd-docs-nav code")) {
  if (shown(label) && label.scrollWidth > label.clientWidth + 1) {
    problems.push(`sidebar label ${describe(label)} is cut off`);
  }
}
return problems;
"""

LINKS = "return Array.from(document.querySelectorAll('a[href]'), a => a.href);"
#: URL schemes that do not leave the machine (chrome: is the browser's own start page).
ON_THE_MACHINE = {"file", "data", "blob", "about", "chrome", "chrome-untrusted", "devtools"}


def _driver_parts():
    """The chromium binary, the chromedriver binary and selenium, or skip with the reason."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip(
            "chromium or chromedriver is not installed "
            "(make test installs chromium and chromium-driver from Debian when run as root)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
    return chromium, driver, webdriver


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    """One headless Chromium for every page, with nothing outside the machine reachable."""
    chromium, driver, webdriver = _driver_parts()
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(60)
    chrome.execute_cdp_cmd("Network.enable", {})
    chrome.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
    chrome.get("about:blank")
    _requests(chrome)  # what the browser's start page asked for is not the site's
    yield chrome
    chrome.quit()


def _site_pages(site: Path) -> list[str]:
    """Every page of the site but the root redirect, as paths relative to the site."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in _pages(site)
        if 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")[:600]
    )


def _requests(chrome) -> list[str]:
    urls = []
    for entry in chrome.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _anchors(page: Path, cache: dict[Path, set[str]]) -> set[str]:
    if page not in cache:
        text = page.read_text(encoding="utf-8")
        cache[page] = set(re.findall(r'\sid="([^"]+)"', text)) | set(re.findall(r'\sname="([^"]+)"', text))
    return cache[page]


def _shoot(chrome, path: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{path.removesuffix('.html').replace('/', '_')}-{width}.png"
    if path in WHOLE:
        height = chrome.execute_script("return document.documentElement.scrollHeight")
        chrome.set_window_size(width, min(height, 30000))
    chrome.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000, f"{shot.name}: blank screenshot"


@pytest.fixture(scope="module")
def looked_at(site, browser):
    """Every page at both widths: layout problems, local links, requests; screenshots saved."""
    found: dict[str, list[str]] = {"layout": [], "links": [], "requests": []}
    for old in SHOTS.glob("*.png"):  # only this run's pictures
        old.unlink()
    anchors: dict[Path, set[str]] = {}
    doms: dict[str, str] = {}
    for path in _site_pages(site):
        page = site / path
        for width in WIDTHS:
            browser.set_window_size(width, 900)
            browser.get(page.as_uri())
            found["layout"] += [f"{path} at {width} px: {p}" for p in browser.execute_script(LAYOUT_PROBLEMS)]
            _shoot(browser, path, width)
            if width == WIDTHS[0]:
                doms[path] = browser.page_source
                for href in browser.execute_script(LINKS):
                    url = urlsplit(href)
                    if url.scheme != "file":
                        continue
                    target = Path(unquote(url.path))
                    if not target.is_file():
                        found["links"].append(f"{path}: {href} does not exist")
                    elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in _anchors(target, anchors):
                        found["links"].append(f"{path}: no anchor #{url.fragment} on {target.name}")
            found["requests"] += [
                f"{path}: {u}" for u in _requests(browser) if urlsplit(u).scheme not in ON_THE_MACHINE
            ]
    return found, doms


def test_nothing_is_clipped_at_laptop_or_phone_width(looked_at):
    problems = looked_at[0]["layout"]
    (SHOTS / "layout-problems.txt").write_text("".join(f"{p}\n" for p in problems), encoding="utf-8")
    assert not problems, f"{len(problems)} layout problems:\n" + "\n".join(problems[:40])


def test_every_local_link_and_anchor_resolves(looked_at):
    broken = looked_at[0]["links"]
    assert not broken, "\n".join(broken[:40])


def test_no_request_leaves_the_machine(looked_at):
    remote = looked_at[0]["requests"]
    assert not remote, "\n".join(remote[:40])


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_chromium(looked_at, name):
    """The DOM after scripts ran shows the page title, the navigation and an executed output."""
    path, title, output = PAGES[name]
    html = looked_at[1][path]
    assert re.search(rf"<h1[^>]*>.*?{re.escape(title)}", html, re.S), f"title {title!r} not shown"
    nav = re.search(r'<nav[^>]*class="[^"]*bd-docs-nav[^"]*".*?</nav>', html, re.S)
    assert nav and nav.group(0).count("<a ") >= 10, "the book's navigation is missing"
    outputs = re.findall(r'<div class="cell_output.*?</div>\s*</div>', html, re.S)
    assert any(output in o for o in outputs), f"no executed output containing {output!r}"
    for width in WIDTHS:
        shot = SHOTS / f"{path.removesuffix('.html').replace('/', '_')}-{width}.png"
        assert shot.exists(), f"no screenshot {shot.name}"
