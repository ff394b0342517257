"""The checkers of the other objects of the exchange: envelope, CommandResponse, CommandResult,
Token, version list and version details, in every version; and ``ocpi-ref check --object``."""

from __future__ import annotations

import json

import pytest

from ocpi_ref.cli import main
from ocpi_ref.objects import (
    OBJECTS,
    check_command_response,
    check_command_result,
    check_envelope,
    check_token,
    check_version_details,
    check_version_list,
)
from ocpi_ref.versions import VERSIONS

TS = "2024-05-01T12:00:00Z"


def envelope(data, status=1000, **extra):
    return {"data": data, "status_code": status, "timestamp": TS, **extra}


def details(endpoints, version="2.2.1"):
    return envelope({"version": version, "endpoints": endpoints})


COMMANDS = {"identifier": "commands", "role": "RECEIVER", "url": "https://cpo.example.com/ocpi/2.2.1/commands"}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_conforming_command_response_conforms(version):
    data = {"result": "ACCEPTED"} if version == "2.1.1" else {"result": "ACCEPTED", "timeout": 30}
    assert check_command_response(envelope(data), version=version).findings == ()


@pytest.mark.rule("object.envelope-data")
@pytest.mark.parametrize("version", VERSIONS)
def test_a_list_wrapped_command_response_is_an_error_of_envelope_data(version):
    report = check_command_response(envelope([{"result": "ACCEPTED", "timeout": 30}]), version=version)
    assert not report.conforms
    assert [(f.pointer, f.rule) for f in report.errors] == [("/data", "object.envelope-data")]


@pytest.mark.rule("object.envelope-data")
def test_a_success_without_data_and_an_empty_version_list_are_errors():
    assert check_command_response(envelope(None)).rules == {"object.envelope-data"}
    assert check_version_list(envelope([])).rules == {"object.envelope-data"}


def test_an_error_answer_may_leave_data_out():
    report = check_command_response({"status_code": 2001, "status_message": "bad", "timestamp": TS})
    assert report.findings == ()


@pytest.mark.rule("commands.response-envelope")
def test_a_framework_error_body_is_no_envelope():
    report = check_envelope(b'{"detail": [{"loc": ["body", "token"], "msg": "Field required"}]}')
    assert {(f.pointer, f.rule) for f in report.errors} == {("/status_code", "field.required"), ("/timestamp", "field.required")}
    assert report.at("/detail")[0].rule == "field.unknown"


def test_envelope_timestamp_and_status_code_are_checked():
    report = check_envelope({"status_code": 10, "timestamp": "2024-05-01T12:00:00+00:00"})
    assert {f.rule for f in report.errors} == {"type.range", "type.datetime"}


@pytest.mark.rule("commands.v211-response-either-shape")
def test_a_211_bare_string_command_response_is_read_and_noted():
    report = check_command_response(envelope("ACCEPTED"), version="2.1.1")
    assert report.conforms and report.rules == {"commands.v211-response-either-shape"}
    assert not check_command_response(envelope("MAYBE"), version="2.1.1").conforms


@pytest.mark.rule("commands.result-bare-body")
def test_a_wrapped_command_result_breaks_the_bare_body_rule():
    assert check_command_result({"result": "ACCEPTED"}).findings == ()
    report = check_command_result(envelope({"result": "ACCEPTED"}))
    assert [f.rule for f in report.errors] == ["commands.result-bare-body"]
    report = check_command_result(envelope({"result": "NOPE"}))
    assert {(f.pointer, f.rule) for f in report.errors} == {("", "commands.result-bare-body"), ("/data/result", "type.enum")}


def test_command_result_in_211_is_a_command_response():
    assert check_command_result({"result": "UNKNOWN_SESSION"}, version="2.1.1").conforms
    assert check_command_result(b'"TIMEOUT"', version="2.1.1").conforms  # either shape
    assert check_command_result({"result": "UNKNOWN_SESSION"}, version="2.2.1").rules == {"type.enum"}


def test_token_checker(rfid_token):
    assert check_token(rfid_token).findings == ()
    broken = {**rfid_token, "valid": "yes", "uid": "x" * 37}
    assert {f.pointer for f in check_token(broken).errors} == {"/valid", "/uid"}
    assert check_token(rfid_token, version="2.1.1").rules >= {"field.required", "field.unknown"}


@pytest.mark.rule("object.commands-endpoint")
@pytest.mark.parametrize("version", ["2.2", "2.2.1", "2.3.0"])
def test_version_details_must_list_the_receiver_commands_endpoint(version):
    assert check_version_details(details([COMMANDS], version), version=version).findings == ()
    tokens = {**COMMANDS, "identifier": "tokens"}
    assert check_version_details(details([tokens], version), version=version).rules == {"object.commands-endpoint"}
    sender = {**COMMANDS, "role": "SENDER"}
    assert check_version_details(details([sender], version), version=version).rules == {"object.commands-endpoint"}
    assert check_version_details(details([tokens], version), version=version, commands=False).findings == ()


@pytest.mark.rule("object.commands-endpoint")
def test_211_endpoints_have_no_role():
    plain = {"identifier": "commands", "url": "https://cpo.example.com/ocpi/2.1.1/commands"}
    assert check_version_details(details([plain], "2.1.1"), version="2.1.1").findings == ()
    report = check_version_details(details([plain]), version="2.2.1")
    assert [(f.pointer, f.rule) for f in report.errors] == [
        ("/data/endpoints/0/role", "field.required"),
        ("/data/endpoints", "object.commands-endpoint"),
    ]
    assert check_version_details(details([], "2.1.1"), version="2.1.1").rules == {"field.required", "object.commands-endpoint"}


def test_version_list_items_are_checked():
    report = check_version_list(envelope([{"version": "2.2.1", "url": "not a url"}, "2.1.1"]))
    assert {(f.pointer, f.rule) for f in report.errors} == {("/data/0/url", "type.url"), ("/data/1", "type.json")}


@pytest.mark.parametrize("kind", list(OBJECTS))
@pytest.mark.parametrize("data", [b"\xff\xfe", b"{", b"[]", b"null", b"1e999999", b'{"data": {"data": []}}'])
def test_no_checker_raises(kind, data):
    report = OBJECTS[kind](data, version="2.2.1")
    assert report.findings and not report.conforms or report.conforms


def test_cli_check_object(tmp_path, capsys):
    body = tmp_path / "answer.json"
    body.write_text(json.dumps(envelope([{"result": "ACCEPTED", "timeout": 30}])))
    assert main(["check", str(body), "--object", "command-response"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "OCPI 2.2.1 CommandResponse in its envelope: does not conform (1 error)"
    assert "[object.envelope-data]" in out
    body.write_text(json.dumps({"result": "ACCEPTED"}))
    assert main(["check", str(body), "--object", "command-result", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["conforms"] is True
    assert main(["check", str(body), "--object", "token", "--sender", "DE-TNM"]) == 2


@pytest.mark.rule("checker.internal-error")
def test_an_object_checker_that_fails_claims_no_conformance(monkeypatch):
    """Found in review: a failed object check said ``conforms`` True (its finding is a policy
    error and the report was marked complete); it must say unknown, as the StartSession checker does."""
    from ocpi_ref.objects import check as object_check

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(object_check, "_envelope", boom)
    report = object_check.check_envelope(b'{"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}')
    assert [f.rule for f in report.findings] == ["checker.internal-error"]
    assert report.conforms is None and report.accepted is False
