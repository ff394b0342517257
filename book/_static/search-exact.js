/* The search page answers the two questions a reader of this book asks most.

   * An exact rule id (start-session.own-tokens-only): Sphinx splits the query at "." and "-" and
     ranks by the words, so the chapter named by the id need not come first. Every rule
     chapter's title carries its id, so a result whose title contains the whole query is moved
     to the top.
   * A status code (2003): Sphinx's search skips a query word that is only digits, although the
     index holds it. For such a query the pages that use the number are listed from the index.
   Both only read Sphinx's own search index; nothing else changes. */
(function () {
  const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  if (!query || !/search\.html$/.test(window.location.pathname)) return;
  const exact = query.toLowerCase();

  function boostExactTitles() {
    if (typeof Scorer === "undefined" || Scorer.__exact) return;
    const base = Scorer.score;
    Scorer.score = function (result) {
      const score = base ? base(result) : result[4];
      return String(result[1]).toLowerCase().includes(exact) ? score + 1000 : score;
    };
    Scorer.__exact = true;
  }

  function listPagesUsingNumber() {
    if (!/^\d{3,}$/.test(query)) return;
    const wait = setInterval(function () {
      // searchtools.js declares Search with const: a global name, not a property of window.
      const index = typeof Search !== "undefined" && Search._index;
      const results = document.getElementById("search-results");
      if (!index || !results) return;
      clearInterval(wait);
      const found = [].concat(index.terms[query] === undefined ? [] : index.terms[query]);
      const root = document.documentElement.dataset.content_root || "";
      const suffix = (window.DOCUMENTATION_OPTIONS && DOCUMENTATION_OPTIONS.FILE_SUFFIX) || ".html";
      const heading = document.createElement("h2");
      heading.textContent = found.length
        ? `Pages that use ${query}`
        : `No page uses ${query}`;
      const list = document.createElement("ul");
      list.className = "search number-search";
      for (const doc of found) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = root + index.docnames[doc] + suffix + "?highlight=" + encodeURIComponent(query);
        link.innerHTML = index.titles[doc];  // the index keeps titles as HTML, as Sphinx shows them
        item.appendChild(link);
        list.appendChild(item);
      }
      results.prepend(heading, list);
    }, 100);
  }

  boostExactTitles();
  document.addEventListener("DOMContentLoaded", boostExactTitles);
  listPagesUsingNumber();
})();
