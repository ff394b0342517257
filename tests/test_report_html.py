"""Report._repr_html_: the table notebooks show, readable without the book's CSS (JupyterLab)."""

from __future__ import annotations

import html
import re

from ocpi_ref.findings import Finding, Severity
from ocpi_ref.report import Report


def _report() -> Report:
    return Report.of(
        "2.2.1",
        [
            Finding("field.required", Severity.ERROR, "/response_url", "required field response_url is missing"),
            Finding("type.cistring", Severity.WARNING, "/token/uid", "uid <b>not</b> & such"),
        ],
    )


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_every_cell_is_padded_and_aligned_so_columns_do_not_run_together():
    out = _report()._repr_html_()
    cells = re.findall(r"<t[hd]( [^>]*)?>", out)
    assert len(cells) == 5 + 2 * 5
    for attrs in cells:
        assert "padding:" in attrs and "text-align:left" in attrs, attrs
    assert 'class="ocpi-report"' in out and "border-collapse:collapse" in out


def test_the_cells_say_what_the_findings_say():
    out = _report()._repr_html_()
    rows = re.findall(r"<tr>(.*?)</tr>", out)
    assert [_text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", rows[0])] == ["pointer", "severity", "rule", "basis", "message"]
    assert [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[1])] == [
        "/response_url", "error", "field.required", "spec definition", "required field response_url is missing"
    ]
    assert "uid &lt;b&gt;not&lt;/b&gt; &amp; such" in rows[2]  # messages are escaped
    assert _text(re.search(r"<p[^>]*>.*?</p>", out).group(0)) == "OCPI 2.2.1 StartSession: does not conform (1 error, 1 warning)"


def test_a_conforming_report_is_one_line():
    out = Report.of("2.3.0", [])._repr_html_()
    assert "<table" not in out and _text(out) == "OCPI 2.3.0 StartSession: conforms"


def test_each_row_shows_the_basis_of_its_rule():
    report = Report.of("2.2.1", [Finding("start-session.own-tokens-only", Severity.ERROR, "/token", "foreign")])
    row = re.findall(r"<tr>(.*?)</tr>", report._repr_html_())[1]
    assert "spec sentence, SHALL, eMSP" in _text(row)
