"""The website: built offline, free of machine paths, and really rendered by a browser.

The site is built with the README's command unless ``_build/html`` is newer than every source
of the book and the package. Then one headless Debian Chromium, driven through chromedriver
(selenium), opens every page at 1280 px (a laptop) and at 390 px (a phone) and checks what a
reader sees:

* no element of the main content is wider than its column, unless it sits in a scroll container
  meant for it (a table's or a code block's), and no heading is clipped;
* the sidebar's labels are not cut off;
* every local link leads to a page that exists, and to an anchor on it;
* no request leaves the machine (every URL the page asks for is ``file:``, ``data:`` or alike);
* the browser's console shows no error (a script that stops, a resource that does not load);
* at 1280 px no output line is cut off at the right edge (outputs wrap), and at 390 px the ids
  in a report table break only after ``.``, ``-`` or ``/`` (or before ``/``), never mid-name;
* at 390 px the menu and the page-contents buttons, clicked, open their drawers.

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
    "ocpp": ("ocpp-side.html", "The OCPP side", "not allowed"),
    "cheat sheet": ("cheat-sheet.html", "Cheat sheet", "start-session.own-tokens-only"),
}
#: Pages kept whole in the screenshots (the others: their first screen).
WHOLE = {
    "intro.html", "rules/ocpp-rfid-15-minutes.html", "rules/own-tokens-only.html", "traceability.html",
    "versions.html", "decisions.html", "ocpp-side.html", "open-questions.html", "cheat-sheet.html",
}
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
    for name in (
        "intro", "object", "command-flow", "check-your-payload", "errata", "traceability", "api",
        "ocpp-side", "engineers-ask", "open-questions", "cheat-sheet", "glossary", "rule-card",
    ):
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


def test_every_rule_chapter_links_to_its_traceability_row(site):
    from ocpi_ref import RULES

    for page in sorted((site / "rules").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        rule_id = "start-session." + page.stem
        assert rule_id in RULES, page.name
        assert f'href="../traceability.html#trace-{RULES[rule_id].anchor}"' in text, f"{page.name}: no link to its row"


def test_rule_ids_in_rendered_reports_link_to_their_chapters(site):
    """intro's first look reports start-session.connector-requires-evse: the id leads to its chapter."""
    text = (site / "intro.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="ocpi-report".*?</table>', text, re.S).group(0)
    links = dict(re.findall(r'<a class="rule-link" href="([^"]+)"><code>([^<]*(?:<wbr>[^<]*)*)</code>', table))
    targets = {code.replace("<wbr>", ""): href for href, code in links.items()}
    assert targets.get("start-session.connector-requires-evse") == (
        "rules/connector-requires-evse.html#start-session-connector-requires-evse"
    ), targets


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

from book_site_scripts import CUT_OUTPUTS, ID_BREAKS, LAYOUT_PROBLEMS, search  # noqa: E402

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
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(60)
    chrome.execute_cdp_cmd("Network.enable", {})
    chrome.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
    chrome.get("about:blank")
    _requests(chrome)  # what the browser's start page asked for is not the site's
    chrome.get_log("browser")
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
    found: dict[str, list[str]] = {"layout": [], "links": [], "requests": [], "console": [], "cut": [], "breaks": []}
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
            found["console"] += [
                f"{path} at {width} px: {e['level']} {e['message']}"
                for e in browser.get_log("browser")
                if e["level"] in ("SEVERE", "ERROR")
            ]
            if width == 1280:
                found["cut"] += [f"{path}: {c}" for c in browser.execute_script(CUT_OUTPUTS)]
            if width == 390:
                found["breaks"] += [f"{path}: {b}" for b in browser.execute_script(ID_BREAKS)]
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


def test_the_console_shows_no_errors(looked_at):
    errors = looked_at[0]["console"]
    assert not errors, f"{len(errors)} console errors:\n" + "\n".join(errors[:40])


def test_no_output_line_is_cut_off_at_laptop_width(looked_at):
    cut = looked_at[0]["cut"]
    assert not cut, f"{len(cut)} outputs cut off at 1280 px:\n" + "\n".join(cut[:40])


def test_report_ids_break_only_after_dot_hyphen_or_slash(looked_at):
    breaks = looked_at[0]["breaks"]
    assert not breaks, f"{len(breaks)} ids broken mid-name at 390 px:\n" + "\n".join(breaks[:40])


@pytest.mark.parametrize(
    ("toggle", "drawer", "content"),
    [
        (".primary-toggle", "#pst-primary-sidebar-modal", ".bd-docs-nav a"),
        (".secondary-toggle", "#pst-secondary-sidebar-modal", "#pst-page-toc-nav a"),
    ],
    ids=["menu", "page-contents"],
)
def test_phone_buttons_open_their_drawers(site, browser, toggle, drawer, content):
    """At 390 px a reader taps the visible button; its drawer opens and shows its links."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(390, 900)
    browser.get((site / PAGES["clause"][0]).as_uri())
    buttons = [b for b in browser.find_elements(By.CSS_SELECTOR, toggle) if b.is_displayed()]
    assert buttons, f"no visible {toggle} button at 390 px"
    dialog = browser.find_element(By.CSS_SELECTOR, drawer)
    assert dialog.get_attribute("open") is None, "the drawer is open before the click"
    buttons[0].click()
    WebDriverWait(browser, 5).until(lambda _: dialog.get_attribute("open") is not None, f"{drawer} did not open")
    links = [a for a in dialog.find_elements(By.CSS_SELECTOR, content) if a.is_displayed()]
    assert links, f"{drawer} opened but shows no {content}"
    browser.execute_script("arguments[0].close()", dialog)


def test_search_for_a_rule_id_ranks_its_chapter_first(site, browser):
    found = search(browser, site, "start-session.own-tokens-only")
    assert found and found[0].split("?")[0].endswith("rules/own-tokens-only.html"), found[:5]


def test_search_for_a_status_code_finds_where_it_is_used(site, browser):
    found = [href.split("?")[0] for href in search(browser, site, "2003")]
    assert any(href.endswith("rules/location-of-receiver.html") for href in found), found


def test_site_title_names_every_version(site):
    title = re.search(r"<title>(.*?)</title>", (site / "intro.html").read_text(encoding="utf-8"), re.S).group(1)
    assert "2.1.1" in title and "2.3.0" in title and "2.2.1 StartSession" not in title, title


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
