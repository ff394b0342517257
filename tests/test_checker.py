"""check_start_session: every finding, right pointers, never an exception."""

from __future__ import annotations

import json

import pytest

from ocpi_ref import PartyId, Severity, check_start_session
from ocpi_ref.findings import pointer


def _bytes(doc) -> bytes:
    return json.dumps(doc).encode()


def test_conforming_payload_has_no_findings(start_session):
    report = check_start_session(_bytes(start_session), sender="DE-TNM")
    assert report.conforms and report.findings == ()
    assert report.to_dict() == {"version": "2.2.1", "conforms": True, "accepted": True, "findings": []}


def test_reports_all_findings_not_the_first(start_session):
    start_session["location_id"] = 7
    start_session["evse_uid"] = None
    start_session["token"]["valid"] = "yes"
    start_session["token"]["last_updated"] = "2015-06-29T20:39:09+00:00"
    report = check_start_session(_bytes(start_session))
    assert {(f.rule, f.pointer) for f in report.errors} == {
        ("type.json", "/location_id"),
        ("type.json", "/token/valid"),
        ("type.datetime", "/token/last_updated"),
        ("start-session.connector-requires-evse", "/evse_uid"),
    }


def test_accepts_bytes_text_and_parsed_objects_alike(start_session):
    start_session["connector_id"] = "1"
    start_session["evse_uid"] = None
    reports = [check_start_session(x) for x in (_bytes(start_session), json.dumps(start_session), start_session)]
    assert len({r.to_json() for r in reports}) == 1 and not reports[0].conforms


# ---- clause rules on the payload ---------------------------------------------------------

@pytest.mark.rule("start-session.connector-requires-evse")
@pytest.mark.parametrize("how", ["null", "omitted"])
def test_connector_without_evse_is_an_error(start_session, how):
    if how == "null":
        start_session["evse_uid"] = None
    else:
        del start_session["evse_uid"]
    report = check_start_session(start_session)
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("start-session.connector-requires-evse", "/evse_uid")
    assert how.replace("omitted", "missing") in finding.message


@pytest.mark.rule("start-session.connector-requires-evse")
def test_connector_with_evse_or_neither_is_fine(start_session):
    assert check_start_session(start_session).conforms
    del start_session["connector_id"], start_session["evse_uid"]
    assert check_start_session(start_session).conforms
    start_session["connector_id"] = None
    assert check_start_session(start_session).conforms  # null connector_id is not set


@pytest.mark.rule("start-session.connector-requires-evse")
def test_connector_rule_runs_even_when_the_token_is_broken(start_session):
    start_session["token"] = "not an object"
    start_session["evse_uid"] = None
    report = check_start_session(start_session)
    assert {f.rule for f in report.errors} == {"type.json", "start-session.connector-requires-evse"}


@pytest.mark.rule("start-session.evse-optional")
def test_evse_may_be_omitted(start_session):
    del start_session["evse_uid"], start_session["connector_id"]
    report = check_start_session(start_session, sender="DE-TNM", evse_capabilities=[])
    assert report.conforms and report.findings == ()


@pytest.mark.rule("start-session.emsp-authorizes-token")
def test_token_marked_invalid_gets_a_warning_not_an_error(start_session):
    start_session["token"]["valid"] = False
    report = check_start_session(start_session)
    (finding,) = report.findings
    assert finding.severity is Severity.WARNING and finding.pointer == "/token/valid"
    assert finding.rule == "start-session.emsp-authorizes-token"
    assert report.conforms  # the CPO must still forward it (start-session.cpo-no-validity-check)


# ---- clause rules with context -----------------------------------------------------------

@pytest.mark.rule("start-session.own-tokens-only")
@pytest.mark.parametrize("sender", ["DE-TNM", "de-tnm", ("DE", "tnm"), ["NL-ABC", "DE-TNM"], PartyId("De", "Tnm")])
def test_own_token_passes_case_insensitively(start_session, sender):
    assert check_start_session(start_session, sender=sender).conforms


@pytest.mark.rule("start-session.own-tokens-only")
@pytest.mark.parametrize("sender", ["NL-TNM", "DE-TNX", ["NL-ABC", "BE-TNM"]])
def test_foreign_token_is_an_error(start_session, sender):
    report = check_start_session(start_session, sender=sender)
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("start-session.own-tokens-only", "/token")
    assert "DE-TNM" in finding.message


@pytest.mark.rule("start-session.own-tokens-only")
def test_ownership_is_not_checked_without_a_sender(start_session):
    start_session["token"]["country_code"] = "NL"
    assert check_start_session(start_session).conforms


@pytest.mark.rule("start-session.connector-required-by-evse")
def test_connector_required_by_evse(start_session):
    caps = ["RESERVABLE", "START_SESSION_CONNECTOR_REQUIRED"]
    assert check_start_session(start_session, evse_capabilities=caps).conforms
    del start_session["connector_id"]
    report = check_start_session(start_session, evse_capabilities=caps)
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("start-session.connector-required-by-evse", "/connector_id")
    assert check_start_session(start_session, evse_capabilities=["RESERVABLE"]).conforms


# ---- pointers ----------------------------------------------------------------------------

def test_pointer_escaping():
    assert pointer("a/b", "m~n", 0) == "/a~1b/m~0n/0"


@pytest.mark.rule("field.unknown")
def test_unknown_field_pointers_are_escaped(start_session):
    start_session["a/b"] = 1
    start_session["token"]["m~n"] = 2
    report = check_start_session(start_session)
    assert sorted(f.pointer for f in report.findings) == ["/a~1b", "/token/m~0n"]


def test_list_items_have_index_pointers():
    from ocpi_ref import CommandResult
    from ocpi_ref.errors import findings_from_error
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as exc:
        CommandResult.model_validate({"result": "ACCEPTED", "message": [{"language": "en", "text": "ok"}, {"language": "en"}]})
    (finding,) = findings_from_error(CommandResult, exc.value)
    assert (finding.rule, finding.pointer) == ("field.required", "/message/1/text")


# ---- hostile input -----------------------------------------------------------------------

@pytest.mark.rule("json.syntax")
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"location_id": "\xc3\x28"}', "not UTF-8"),
        (b"{", "not JSON"),
        (b"", "not JSON"),
        ("{'single': 'quotes'}", "not JSON"),
    ],
)
def test_not_json(data, fragment):
    report = check_start_session(data)
    (finding,) = report.findings
    assert (finding.rule, finding.pointer) == ("json.syntax", "")
    assert fragment in finding.message


@pytest.mark.rule("json.syntax")
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(start_session, literal):
    raw = json.dumps(start_session)[:-1] + f', "score": {literal}}}'
    report = check_start_session(raw)
    assert [(f.rule, f.pointer) for f in report.errors] == [("json.syntax", "/score")]


@pytest.mark.rule("json.syntax")
def test_lone_surrogates_are_reported_where_they_are(start_session):
    raw = json.dumps(start_session).replace('"Greenpeace Energy eG"', '"Green\\ud800"')
    report = check_start_session(raw.encode())
    assert [(f.rule, f.pointer) for f in report.errors] == [("json.syntax", "/token/energy_contract/supplier_name")]


# Duplicate names, depth, size and digit limits: tests/test_verdicts.py (two verdicts).


@pytest.mark.rule("type.json")
@pytest.mark.parametrize(("doc", "got"), [([1, 2], "array"), ("text", "string"), (None, "null"), (3.5, "number")])
def test_document_must_be_an_object(doc, got):
    report = check_start_session(json.dumps(doc))
    (finding,) = report.findings
    assert (finding.rule, finding.pointer) == ("type.json", "")
    assert finding.message.endswith(f"got {got}")


@pytest.mark.rule("type.json")
def test_parsed_objects_that_json_cannot_hold(start_session):
    start_session["token"]["valid"] = {1, 2}
    start_session[3] = "int key"
    report = check_start_session(start_session)
    assert ("type.json", "/token/valid") in {(f.rule, f.pointer) for f in report.errors}
    assert any(f.pointer == "" and "member name 3" in f.message for f in report.errors)


@pytest.mark.rule("checker.internal-error")
def test_an_internal_failure_is_a_finding_not_an_exception(start_session, monkeypatch):
    from ocpi_ref import checker

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(checker, "unknown_fields", boom)
    report = check_start_session(start_session)
    (finding,) = report.findings
    assert (finding.rule, finding.pointer) == ("checker.internal-error", "")
    assert "RuntimeError" in finding.message and not report.conforms


def test_bad_sender_argument_raises_for_the_caller(start_session):
    with pytest.raises(ValueError):
        check_start_session(start_session, sender="not a party")


def test_text_rendering_puts_the_pointer_first(start_session):
    start_session["location_id"] = 1
    lines = str(check_start_session(start_session)).splitlines()
    assert lines[0] == "OCPI 2.2.1 StartSession: does not conform (1 error)"
    assert lines[1].strip().startswith("/location_id: error:")


# ---- a cap on findings per report (a document can hold more than anyone reads) --------------

def test_findings_are_capped_with_a_count_of_those_left_out(start_session):
    from ocpi_ref.report import MAX_FINDINGS

    start_session.update({f"x_{i}": i for i in range(MAX_FINDINGS + 500)})
    start_session["location_id"] = 7  # the violation sits among thousands of infos
    for form in (start_session, json.dumps(start_session)):
        report = check_start_session(form)
        assert len(report.findings) <= MAX_FINDINGS + 2
        assert report.omitted == MAX_FINDINGS + 501 - len(report.findings)
        assert report.conforms is False and ("type.json", "/location_id") in {(f.rule, f.pointer) for f in report.errors}
        assert report.to_dict()["omitted"] == report.omitted and "more findings, left out" in str(report)


def test_the_cap_keeps_the_verdicts_of_all_findings():
    from ocpi_ref import Finding, Report

    infos = [Finding("field.unknown", Severity.INFO, f"/x{i}", "m") for i in range(10)]
    violation = Finding("type.json", Severity.ERROR, "/a", "m")
    refusal = Finding("json.limits", Severity.ERROR, "/b", "m")
    report = Report.capped("2.2.1", [*infos, violation, refusal], limit=3)
    assert report.findings == (*infos[:3], violation, refusal) and report.omitted == 7
    assert report.conforms is False and not report.accepted
    assert Report("2.2.1", ()).omitted == 0 and Report("2.2.1", (), True) == Report.capped("2.2.1", ())
