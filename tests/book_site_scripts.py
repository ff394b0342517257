"""What the website test (tests/test_book_site.py) runs in the browser: scripts that return the
problems a reader would see, as text, and the site's search as a reader uses it."""

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

#: Run in the page at laptop width: output lines cut off at the right edge of their box (a
#: ``pre`` that would scroll sideways hides the end of its longest line), and a diagram that
#: needs its sideways scroll although the column is wide enough for it.
CUT_OUTPUTS = r"""
const cut = [];
for (const pre of document.querySelectorAll("div.cell_output pre, figure.diagram-scroll")) {
  if (pre.getClientRects().length && pre.scrollWidth > pre.clientWidth + 1) {
    const longest = pre.innerText.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "");
    cut.push(`${pre.scrollWidth} px of output in a ${pre.clientWidth} px box: "${longest.trim().slice(0, 80)}"`);
  }
}
return cut;
"""

#: Run in the page at phone width: every place a code span of a report table breaks its line,
#: with the characters on either side. A break is fine after ".", "-" or "/" or before "/".
ID_BREAKS = r"""
const breaks = [];
for (const code of document.querySelectorAll("table.ocpi-report code")) {
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  const chars = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) chars.push([node.data[i], rect.top]);
    }
  }
  for (let i = 1; i < chars.length; i++) {
    if (chars[i][1] > chars[i - 1][1] + 2) {
      const before = chars[i - 1][0], after = chars[i][0];
      if (!(".-/".includes(before) || after === "/" || before === " ")) {
        breaks.push(`${code.innerText} breaks between ${JSON.stringify(before)} and ${JSON.stringify(after)}`);
      }
    }
  }
}
return breaks;
"""


def search(browser, site, query):
    """The address of each search result, in order, once results appear (at most 8 s)."""
    import time
    from urllib.parse import quote

    browser.set_window_size(1280, 900)
    browser.get((site / "search.html").as_uri() + "?q=" + quote(query))
    found = []
    for _ in range(80):
        time.sleep(0.1)
        found = browser.execute_script(
            "return Array.from(document.querySelectorAll('#search-results li a'), a => a.getAttribute('href'));"
        )
        if found:
            break
    return found
