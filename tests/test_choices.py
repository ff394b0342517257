"""The tables of choices are data the code answers from, and the book renders every row.

Each row of :data:`ocpi_ref.flow.decision.OUTCOMES` is reached by one StartSession against the
demo topology, so the table has no row the decision never gives; the reference CPO's whole table
(:data:`ocpi_ref.cpo.CHOICES`) and the result table reach the Decisions page row for row.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ocpi_ref.cpo import CHOICES, demo_config
from ocpi_ref.flow import decision as d
from ocpi_ref.flow.results import RESULTS, Answer, result_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import decisions  # noqa: E402  (the book's extension, importable without Sphinx)

LOCATIONS = demo_config().locations


def _body(start_session, **changes):
    body = {**start_session, **changes}
    return {k: v for k, v in body.items() if v is not None}


SCENARIOS = {
    d.INVALID_BODY: ({"location_id": None}, "2.2.1"),
    d.FOREIGN_TOKEN: ({"token": "foreign"}, "2.2.1"),
    d.URL_USERINFO: ({"response_url": "https://user:pw@emsp.example.com/x"}, "2.2.1"),
    d.URL_NOT_ALLOWED: ({"response_url": "ftp://emsp.example.com/x"}, "2.2.1"),
    d.NO_LOCATION: ({"location_id": "LOC-9999"}, "2.2.1"),
    d.NO_EVSE: ({"evse_uid": "EVSE-NONE"}, "2.2.1"),
    d.CONNECTOR_MISSING: ({"evse_uid": "EVSE-CR-1", "connector_id": None}, "2.2.1"),
    d.CONNECTOR_UNSAYABLE: ({"evse_uid": "EVSE-CR-1", "connector_id": None}, "2.2"),
    d.NO_CHOOSER: ({"location_id": "LOC-0003", "evse_uid": None, "connector_id": None}, "2.2.1"),
    d.CHOOSER: ({"location_id": "LOC-0002", "evse_uid": None, "connector_id": None}, "2.2.1"),
    d.FORWARDED: ({"evse_uid": "EVSE-ACC-1", "connector_id": None}, "2.2.1"),
}


def test_every_outcome_has_a_scenario():
    assert set(SCENARIOS) == set(d.OUTCOMES)


@pytest.mark.rule(
    "start-session.location-of-receiver", "start-session.evse-optional", "commands.response-url-no-userinfo"
)
@pytest.mark.parametrize("row", d.OUTCOMES, ids=lambda row: row.situation)
def test_each_row_of_the_decision_table_is_what_the_decision_answers(row, start_session):
    changes, version = SCENARIOS[row]
    if changes.get("token") == "foreign":
        changes = {"token": {**start_session["token"], "party_id": "XYZ"}}
    decision = d.decide_start_session(
        _body(start_session, **changes), sender="DE-TNM", locations=LOCATIONS, version=version
    )
    assert decision.outcome is row
    assert (decision.status_code, decision.result) == (row.status_code, row.result)
    assert decision.rule == (row.rule or decision.report.errors[0].rule)


def test_the_result_table_maps_every_answer_and_silence():
    assert {result_for(a).answer for a in (*Answer, None)} == {*Answer, None}
    assert all(row.text for row in RESULTS)


@pytest.mark.parametrize("which", ["cpo", "results", "demo", "versions-module"])
def test_the_decisions_page_renders_every_row(which):
    source = decisions.list_table(which)
    head, rows = decisions._rows(which)
    assert source.count("   * - ") == len(rows) + 1
    expected = {"cpo": CHOICES, "results": RESULTS}.get(which)
    if expected is not None:
        assert len(rows) == len(expected)
        assert all(row.situation in source for row in expected)
