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
def test_version_details_without_a_receiver_commands_endpoint_conform_with_a_warning(version):
    assert check_version_details(details([COMMANDS], version), version=version).findings == ()
    tokens = {**COMMANDS, "identifier": "tokens"}
    for endpoints in ([tokens], [{**COMMANDS, "role": "SENDER"}]):
        report = check_version_details(details(endpoints, version), version=version)
        assert report.rules == {"object.commands-endpoint"} and report.conforms is True and not report.errors
        assert all(f.severity.value == "warning" for f in report.findings)
    assert check_version_details(details([tokens], version), version=version, commands=False).findings == ()


@pytest.mark.rule("object.commands-endpoint")
def test_211_endpoints_have_no_role():
    plain = {"identifier": "commands", "url": "https://cpo.example.com/ocpi/2.1.1/commands"}
    assert check_version_details(details([plain], "2.1.1"), version="2.1.1").findings == ()
    report = check_version_details(details([plain]), version="2.2.1")
    assert [(f.pointer, f.rule) for f in report.findings] == [
        ("/data/endpoints/0/role", "field.required"),
        ("/data/endpoints", "object.commands-endpoint"),
    ]
    assert [f.rule for f in report.errors] == ["field.required"]
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
    assert "[object.envelope-data · spec definition]" in out
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


# ---- the classes of the object checkers, each decided by a sentence of the spec ----------

@pytest.mark.rule("object.envelope-data")
def test_a_star_list_may_be_null_or_omitted():
    """Cardinality * (OCPI 2.2.1 §2.8): a list of zero or more, which may be null or omitted."""
    for body in (envelope(None), {"status_code": 1000, "timestamp": TS}, envelope([])):
        assert check_envelope(body, expect="list").conforms is True, body
    result = {"result": "ACCEPTED", "message": None}
    assert check_command_result(result).conforms is True
    response = envelope({"result": "ACCEPTED", "timeout": 30})  # message (*) omitted
    assert check_command_response(response).findings == ()
    assert check_envelope(envelope(None), expect="non-empty list").rules == {"object.envelope-data"}


@pytest.mark.rule("object.status-code-listed")
@pytest.mark.parametrize(("version", "code", "conforms"), [
    ("2.2.1", 2004, True), ("2.2.1", 4000, True), ("2.2", 4000, False), ("2.2.1", 2005, False),
    ("2.3.0", 1001, False), ("2.1.1", 2004, True), ("2.1.1", 3003, True),
])
def test_only_the_status_codes_a_version_lists_exist(version, code, conforms):
    """The status codes chapter lists the codes; 4000 'Generic error' is new in 2.2.1, 2004 in 2.2."""
    report = check_envelope({"status_code": code, "timestamp": TS}, version=version)
    assert report.conforms is conforms, str(report)
    if version == "2.1.1" and code == 2004:  # not listed in 2.1.1, whose lists may be open: a warning
        assert [f.severity.value for f in report.findings] == ["warning"] and report.rules == {"object.status-code-listed"}


@pytest.mark.rule("object.status-code-custom")
@pytest.mark.parametrize("code", [1900, 2999, 3950, 4901])
def test_a_code_of_a_reserved_custom_range_conforms_with_a_warning(code):
    """'Reserved range for custom ... status codes (1900-1999)' and its siblings, 2.2 and later."""
    report = check_envelope({"status_code": code, "timestamp": TS})
    assert report.conforms is True and report.rules == {"object.status-code-custom"}
    assert check_envelope({"status_code": code, "timestamp": TS}, version="2.1.1").rules == {"object.status-code-listed"}


@pytest.mark.rule("type.json", "object.envelope-data")
def test_data_is_an_array_an_object_or_a_string():
    """The envelope's table types data 'Array, Object or String'; on an error answer data is
    'unspecified' (status codes §5), so another type there only warns."""
    for data in ([], {}, "text"):
        assert check_envelope(envelope(data)).conforms is True
    for data in (5, True, 1.5):
        assert check_envelope(envelope(data)).rules == {"type.json"} and not check_envelope(envelope(data)).conforms
        failed = check_envelope(envelope(data, status=2001))
        assert failed.conforms is True and failed.rules == {"object.envelope-data"}


@pytest.mark.rule("commands.v211-response-either-shape")
def test_a_211_bare_string_error_points_at_a_member_that_exists():
    """RFC 6901 §7: a pointer that names no value is an error, so the finding is at /data."""
    report = check_command_response(envelope("ACCEPTD"), version="2.1.1")
    assert [(f.pointer, f.rule) for f in report.errors] == [("/data", "type.enum")]
    assert not any(f.pointer.startswith("/data/result") for f in report.findings)
    assert check_command_result("ACCEPTD", version="2.1.1").errors[0].pointer == ""


@pytest.mark.rule("object.display-text-no-markup")
@pytest.mark.parametrize(("text", "conforms"), [
    ("Standard Tariff", True),  # the spec's own DisplayText example
    ("<b>Charging</b> started", False), ("line<br/>break", False), ("Caf&eacute;", False), ("&#233;t&#xE9;", False),
    ("<!-- note -->", False), ("1 < 2 and 3 > 2", True), ("A&B; *bold* _x_", True),
])
def test_display_text_has_no_markup(text, conforms):
    """DisplayText.text: 'No markup, html etc. allowed.' (types chapter, every version)."""
    result = {"result": "REJECTED", "message": [{"language": "en", "text": text}]}
    report = check_command_result(result)
    assert report.conforms is conforms
    if not conforms:
        assert [(f.pointer, f.rule) for f in report.errors] == [("/message/0/text", "object.display-text-no-markup")]
    response = envelope({"result": "REJECTED", "timeout": 30, "message": [{"language": "en", "text": text}]})
    assert check_command_response(response).conforms is conforms


@pytest.mark.rule("object.version-number")
def test_version_numbers_are_the_listed_ones_before_2_3_0():
    """VersionNumber is an enum in 2.2 and 2.2.1 and an OpenEnum in 2.3.0."""
    def listing(number, version):
        return check_version_list(envelope([{"version": number, "url": "https://cpo.example.com/v"}]), version=version)

    assert listing("2.2.1", "2.2.1").findings == ()
    assert not listing("1.9", "2.2.1").conforms and listing("1.9", "2.2").rules == {"object.version-number"}
    assert listing("2.3.0", "2.2.1").findings == ()  # a later published version: the list serves every version
    open_enum = listing("2.4", "2.3.0")
    assert open_enum.conforms is True and [f.severity.value for f in open_enum.findings] == ["info"]
    assert listing("1.9", "2.1.1").conforms is True  # read from the 2.1.1 changelog: a warning
    assert not check_version_details(details([COMMANDS], "9.9"), version="2.2.1").conforms


@pytest.mark.rule("object.envelope-data")
@pytest.mark.parametrize("version", ["2.1.1", "2.2"])
def test_a_version_list_shaped_as_the_2_2_data_table_conforms_there(version):
    """The 2.2 (and 2.1.1) Data table declares a property 'versions'; 2.2.1 removed it."""
    listed = [{"version": version, "url": "https://cpo.example.com/v"}]
    shaped = check_version_list(envelope({"versions": listed}), version=version)
    assert shaped.conforms is True and [f.severity.value for f in shaped.findings] == ["info"]
    broken = check_version_list(envelope({"versions": [{"version": version, "url": "not a url"}]}), version=version)
    assert [(f.pointer, f.rule) for f in broken.errors] == [("/data/versions/0/url", "type.url")]
    assert check_version_list(envelope({"versions": []}), version=version).errors[0].pointer == "/data/versions"
    assert check_version_list(envelope({"versions": listed}), version="2.2.1").conforms is False
