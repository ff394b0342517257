"""The ``choices-table`` directive: the reference's tables of choices, rendered from the code.

Each table is data next to the code that uses it, and this directive only renders it, so the
book cannot disagree with what the reference CPO does:

* ``cpo``: every answer of the reference CPO (:data:`ocpi_ref.cpo.CHOICES`, which joins the
  HTTP-level rows with :data:`ocpi_ref.flow.decision.OUTCOMES`);
* ``results``: the Charge Point's answer and the asynchronous result it becomes
  (:data:`ocpi_ref.flow.results.RESULTS`);
* ``demo``: the demo topology (:func:`ocpi_ref.cpo.demo.topology_rows` of the demo configuration);
* ``versions-module``: the modules the Versions module lists per version
  (:data:`ocpi_ref.cpo.versions.MODULES`).
"""

from __future__ import annotations


def _rule(rule_id: str | None, fallback: str = "the finding's own rule") -> str:
    return f":ref:`{rule_id} <{rule_id}>`" if rule_id else fallback


def _basis(rule_id: str | None, by_finding: bool = False) -> str:
    """On what the row's answer rests: its rule's basis (with the keyword as written and whom it
    addresses, per version where they differ); without a rule, this reference's choice."""
    if rule_id is None:
        return "the finding's rule's" if by_finding else "our choice"
    from ocpi_ref import RULES

    rule = RULES[rule_id]
    return rule.across(rule.basis_text)


def _rows(which: str) -> tuple[list[str], list[list[str]]]:
    if which == "cpo":
        from ocpi_ref.cpo import CHOICES

        head = ["situation", "HTTP · status_code", "data.result", "rule", "basis"]
        return head, [
            [c.situation, f"{c.http_status} · {c.status_code}", f"``{c.result}``" if c.result else "(none)",
             _rule(c.rule, "the finding's own rule" if c.by_finding else "(none)"), _basis(c.rule, c.by_finding)]
            for c in CHOICES
        ]
    if which == "results":
        from ocpi_ref.flow.results import RESULTS

        head = ["the Charge Point", "CommandResult (2.2 and later)", "2.1.1 CommandResponse", "rule"]
        return head, [[r.situation, f"``{r.result.value}``", f"``{r.v211.value}``", _rule(r.rule)] for r in RESULTS]
    if which == "demo":
        from ocpi_ref.cpo.demo import demo_config, topology_rows

        head = ["Location", "Charge Point", "EVSE", "what it does"]
        return head, [[f"``{a}``", f"``{b}``", c, d] for a, b, c, d in topology_rows(demo_config())]
    if which == "versions-module":
        from ocpi_ref.cpo.versions import MODULES

        head = ["version", "modules (the CPO's role)"]
        return head, [
            [f"``{v}``", ", ".join(f"{m} ({role})" if v != "2.1.1" else m for m, role in mods)]
            for v, mods in MODULES.items()
        ]
    raise ValueError(f"unknown table {which!r}: cpo, results, demo or versions-module")


#: Column widths (percent) per table: the rule ids get room to break only after a hyphen.
_WIDTHS = {"cpo": "28 11 15 26 20", "results": "34 20 18 28", "demo": "14 18 32 36", "versions-module": "20 80"}


def list_table(which: str) -> str:
    """The table as reStructuredText ``list-table`` source."""
    head, rows = _rows(which)
    lines = [".. list-table::", "   :header-rows: 1", "   :class: choices", f"   :widths: {_WIDTHS[which]}", ""]
    for row in [head, *rows]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines) + "\n"


def setup(app):  # pragma: no cover - exercised by the book build
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class ChoicesTable(SphinxDirective):
        required_arguments = 1

        def run(self):
            node_list = []
            from docutils import nodes

            container = nodes.container(classes=["choices-table"])
            self.state.nested_parse(StringList(list_table(self.arguments[0]).splitlines()), 0, container)
            node_list.append(container)
            return node_list

    app.add_directive("choices-table", ChoicesTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
