"""How the book's pages read: short navigation titles, rule cards without an empty header, API
entries as a user calls them.

* A rule chapter's heading carries its rule id as a code span (``# The eMSP uses only its own
  Tokens `start-session.own-tokens-only```), so the id is on the page whole. The span gets the
  class ``rule-id`` (``book/_static/layout.css`` shows it as a badge under the title), and the
  title the sidebar, the previous/next links and ``{doc}`` references use leaves it out: they
  show the words only. A ``{ref}`` to a rule's label shows the rule id (the name of the
  statement), not the whole heading.
* A Markdown table whose header row is empty (``| | |``, as in the rule cards the chapters and
  :meth:`ocpi_ref.Rule._repr_markdown_` write) loses that row and gets the class
  ``key-value``: it is a list of labelled values, not a grid.
* autodoc shows an Enum without the signature of ``Enum.__call__`` (``value, names=None, …``),
  which is not how anyone makes a member.
* A script the page would include twice is included once: sphinx-thebe adds its inline
  configuration (``const THEBE_JS_URL = …``) every time the environment is read, and a second
  copy of a ``const`` stops the browser with "Identifier 'THEBE_JS_URL' has already been
  declared" on every page.
* A rule id in a rendered report (``Report._repr_html_``, a table of class ``ocpi-report``)
  links to the page that explains the rule (its label), so a finding leads to its chapter.
* The colour mode has a value: with none, pydata-sphinx-theme logs "Got invalid theme mode: ."
  as a console error on every page; ``auto`` (follow the reader's system) is what it falls
  back to anyway.
"""

from __future__ import annotations

from enum import Enum


def _rule_ids() -> frozenset[str]:
    from ocpi_ref import RULES

    return frozenset(RULES)


def short_titles(app, doctree) -> None:
    """Mark the rule id in a page's title, and keep the page's short title without it."""
    from docutils import nodes

    rule_ids = _rule_ids()
    env = app.env
    labels = env.get_domain("std").labels
    for rule_id in rule_ids:  # {ref}`rule-id` reads as the rule id, whatever the section says
        if rule_id in labels and labels[rule_id][0] == env.docname:
            labels[rule_id] = (*labels[rule_id][:2], rule_id)
    section = doctree.next_node(nodes.section)
    if section is None or env.docname not in env.titles:
        return
    marked = [n for n in section[0].findall(nodes.literal) if n.astext() in rule_ids]
    for literal in marked:
        literal["classes"].append("rule-id")
    if not marked:
        return
    short = env.titles[env.docname].deepcopy()
    _strip_ids(short, rule_ids)
    if short.astext():
        env.titles[env.docname] = short
        toc = env.tocs.get(env.docname)  # the sidebar's entry is the page's first toc entry
        first = toc.next_node(nodes.reference) if toc is not None else None
        if first is not None:
            _strip_ids(first, rule_ids)


def _strip_ids(node, rule_ids) -> None:
    """Remove the rule-id code spans from a title, and the separator left where they were."""
    from docutils import nodes

    for literal in [n for n in node.findall(nodes.literal) if n.astext() in rule_ids]:
        literal.parent.remove(literal)
    for end in (0, -1):
        if node.children and isinstance(node[end], nodes.Text):
            node.replace(node[end], nodes.Text(node[end].strip(" :·—")))


def drop_empty_table_heads(app, doctree, docname) -> None:
    from docutils import nodes

    for table in list(doctree.findall(nodes.table)):
        for head in list(table.findall(nodes.thead)):
            if not head.astext().strip():
                head.parent.remove(head)
                table["classes"].append("key-value")


def enum_signature(app, what, name, obj, options, signature, return_annotation):
    if what in ("class", "exception") and isinstance(obj, type) and issubclass(obj, Enum):
        return "", None
    return None


def unique_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of scripts that are the same file or the same inline body."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    kept = []
    for script in scripts:  # the copy added later has filename '' where the first has None
        attributes = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


_REPORT_CODE = None


def link_report_rules(app, doctree, docname) -> None:
    """Wrap each rule id in a report table's code cells in a link to the rule's label."""
    import re

    from docutils import nodes

    global _REPORT_CODE
    if _REPORT_CODE is None:
        _REPORT_CODE = re.compile(r"<code>([^<>]*(?:<wbr>[^<>]*)*)</code>")
    labels = app.env.get_domain("std").labels
    rule_ids = _rule_ids()

    def link(match):
        rule_id = match.group(1).replace("<wbr>", "")
        if rule_id not in rule_ids or rule_id not in labels:
            return match.group(0)
        target_doc, anchor = labels[rule_id][0], labels[rule_id][1]
        href = app.builder.get_relative_uri(docname, target_doc) + "#" + anchor
        return f'<a class="rule-link" href="{href}">{match.group(0)}</a>'

    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if "ocpi-report" not in text or raw.get("format") != "html":
            continue
        linked = _REPORT_CODE.sub(link, text)
        if linked != text:
            raw[0] = nodes.Text(linked)


def default_mode(app, config) -> None:
    config.html_context.setdefault("default_mode", "auto")  # pydata-sphinx-theme reads it from the context


def setup(app):  # pragma: no cover - exercised by the book build
    app.connect("config-inited", default_mode)
    app.connect("doctree-read", short_titles, priority=600)  # after Sphinx recorded the title
    app.connect("doctree-resolved", drop_empty_table_heads)  # after myst-nb rendered outputs
    app.connect("doctree-resolved", link_report_rules)
    app.connect("autodoc-process-signature", enum_signature)
    app.connect("html-page-context", unique_scripts, priority=900)  # after others added theirs
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
