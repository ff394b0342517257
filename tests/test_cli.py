"""The ``ocpi-ref`` command line, run as a subprocess: output formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from ocpi_ref.schema import start_session_schema


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "ocpi_ref", *args], input=stdin, capture_output=True, timeout=60
    )


@pytest.fixture
def payload(tmp_path, start_session):
    path = tmp_path / "start.json"
    path.write_text(json.dumps(start_session))
    return path


def test_conforming_file_exits_0(payload):
    done = run("check", str(payload), "--sender", "DE-TNM")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("OCPI 2.2.1 StartSession: conforms")


@pytest.mark.rule("start-session.own-tokens-only")
def test_foreign_token_exits_1_with_the_pointer_first(payload):
    done = run("check", str(payload), "--sender", "NL-ABC", "--sender", "BE-XYZ")
    assert done.returncode == 1
    lines = done.stdout.decode().splitlines()
    assert lines[1].strip().startswith("/token: error:") and "[start-session.own-tokens-only · spec sentence, SHALL, eMSP]" in lines[1]


@pytest.mark.rule("json.syntax")
def test_invalid_json_on_stdin_exits_1_in_json_format():
    done = run("check", "-", "--format", "json", stdin=b'{"location_id": ')
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["version"] == "2.2.1" and out["conforms"] is False
    assert out["findings"][0]["rule"] == "json.syntax" and out["findings"][0]["pointer"] == ""
    assert set(out["findings"][0]) == {"rule", "severity", "pointer", "message", "policy", "basis", "keyword", "addresses"}
    assert (out["findings"][0]["basis"], out["findings"][0]["keyword"]) == ("spec sentence", "MUST")
    assert out["accepted"] is False and out["findings"][0]["policy"] is False


@pytest.mark.rule("start-session.connector-required-by-evse")
def test_evse_capability_option(payload, start_session):
    del start_session["connector_id"]
    payload.write_text(json.dumps(start_session))
    assert run("check", str(payload)).returncode == 0
    done = run("check", str(payload), "--evse-capability", "START_SESSION_CONNECTOR_REQUIRED", "--format", "json")
    assert done.returncode == 1
    assert [f["pointer"] for f in json.loads(done.stdout)["findings"]] == ["/connector_id"]


@pytest.mark.parametrize(
    "args",
    [
        ("check", "no-such-file.json"),
        ("check",),
        ("check", "x.json", "--sender", "not-a-party"),
        ("check", "x.json", "--format", "xml"),
        ("frobnicate",),
    ],
)
def test_cannot_run_exits_2_with_one_line_on_stderr(args):
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == b""
    assert len(done.stderr.decode().strip().splitlines()) == 1


def test_schema_command_prints_the_schema():
    done = run("schema", "start-session")
    assert done.returncode == 0
    assert json.loads(done.stdout) == start_session_schema()


@pytest.mark.rule("start-session.connector-requires-evse", "field.required", "type.cistring")
def test_schema_expresses_the_field_table_and_the_connector_rule(start_session):
    validator = jsonschema.Draft202012Validator(start_session_schema())
    assert validator.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(validator.iter_errors(start_session)) == []
    for broken in (
        dict(start_session, evse_uid=None),
        {k: v for k, v in start_session.items() if k != "evse_uid"},
        dict(start_session, location_id="x" * 37),
        {k: v for k, v in start_session.items() if k != "response_url"},
    ):
        assert list(validator.iter_errors(broken)), broken
    without_connector = {k: v for k, v in start_session.items() if k not in ("connector_id", "evse_uid")}
    assert list(validator.iter_errors(dict(without_connector, connector_id=None))) == []


@pytest.fixture
def payload_2_1_1(tmp_path):
    from ocpi_ref.v2_1_1.examples import spec_example

    path = tmp_path / "start-2.1.1.json"
    doc = {"response_url": "https://emsp.example.com/cb/1", "token": spec_example("token_object_example"), "location_id": "LOC1"}
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.rule("field.required")
def test_version_option_and_the_hint_naming_the_versions_a_payload_fits(payload_2_1_1):
    assert run("check", str(payload_2_1_1), "--version", "2.1.1").returncode == 0
    done = run("check", str(payload_2_1_1))
    assert done.returncode == 1
    out = done.stdout.decode()
    assert out.startswith("OCPI 2.2.1 StartSession: does not conform")
    assert out.rstrip().splitlines()[-1] == "hint: this payload conforms to OCPI 2.1.1; check with --version"
    assert run("check", str(payload_2_1_1), "--version", "2.4").returncode == 2


@pytest.mark.rule("start-session.connector-requires-evse")
@pytest.mark.parametrize("version", ["2.1.1", "2.2", "2.2.1", "2.3.0"])
def test_schema_per_version(version, start_session):
    done = run("schema", "start-session", "--version", version)
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema == start_session_schema(version)
    assert schema["$id"] == f"urn:ocpi-ref:{version}:start-session"
    assert ("connector_id" in schema["properties"]) is (version in ("2.2.1", "2.3.0"))
    assert ("if" in schema) is (version in ("2.2.1", "2.3.0"))


@pytest.mark.rule("type.open-enum", "type.enum")
def test_2_3_0_schema_admits_unlisted_token_types_and_2_2_1_does_not(start_session):
    doc = {**start_session, "token": {**start_session["token"], "type": "NEW_KIND"}}
    assert not list(jsonschema.Draft202012Validator(start_session_schema("2.3.0")).iter_errors(doc))
    assert list(jsonschema.Draft202012Validator(start_session_schema("2.2.1")).iter_errors(doc))


@pytest.mark.rule("convert.owner-from-context", "convert.field-dropped")
def test_convert_command_exit_codes(payload_2_1_1, payload):
    up = run("convert", str(payload_2_1_1), "--from", "2.1.1", "--to", "2.2.1", "--owner", "NL-TNM")
    assert up.returncode == 0 and up.stderr == b""
    assert json.loads(up.stdout)["token"]["party_id"] == "TNM"
    refused = run("convert", str(payload_2_1_1), "--from", "2.1.1", "--to", "2.2.1")
    assert refused.returncode == 1 and refused.stdout == b""
    assert "[convert.owner-from-context · our choice]" in refused.stderr.decode() and "--owner" in refused.stderr.decode()
    lossy = run("convert", str(payload), "--from", "2.2.1", "--to", "2.2")
    assert lossy.returncode == 1
    assert "connector_id" not in json.loads(lossy.stdout)
    assert "/connector_id: warning: dropped '1'" in lossy.stderr.decode()
    assert run("convert", str(payload), "--from", "2.2.1").returncode == 2


def test_program_version_option():
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.decode().startswith("ocpi-ref ")
    assert done.stdout.decode().split()[1][0].isdigit()


@pytest.mark.rule("start-session.own-tokens-only")
def test_the_hint_checks_other_versions_with_the_same_sender(payload):
    """A foreign Token breaks the rule in every version that has owners: no version is suggested.

    2.1.1 has no owner (its Token fields differ), so it cannot be the hint either: the payload's
    owner fields are known fields of 2.2.1 that 2.1.1 would carry as unknown ones.
    """
    done = run("check", str(payload), "--sender", "NL-ABC")
    assert done.returncode == 1
    assert "hint:" not in done.stdout.decode()


@pytest.mark.rule("start-session.connector-requires-evse")
def test_the_hint_names_the_fix_for_a_connector_without_evse(tmp_path, start_session):
    doc = {k: v for k, v in start_session.items() if k != "evse_uid"} | {"connector_id": "1"}
    path = tmp_path / "connector.json"
    path.write_text(json.dumps(doc))
    done = run("check", str(path))
    assert done.returncode == 1
    last = done.stdout.decode().rstrip().splitlines()[-1]
    assert last.startswith("hint: connector_id names a connector of one EVSE: add that EVSE's evse_uid")
    assert "2.2" not in last and "2.1.1" not in last


def test_top_level_help_names_every_version_the_cpo_serves():
    out = run("--help").stdout.decode() + run("cpo", "--help").stdout.decode()
    assert "2.1.1, 2.2, 2.2.1" in out
    assert "OCPI 2.2.1 commands, tokens, sessions, cdrs" not in out
    assert "one line per finding" in run("check", "--help").stdout.decode()


@pytest.mark.rule("json.syntax")
def test_a_lone_surrogate_in_a_pointer_or_message_is_printed_escaped(tmp_path, start_session):
    """Found by fuzzing: printing such a report raised UnicodeEncodeError. Now every form escapes it."""
    text = json.dumps(start_session)[:-1] + ', "\\ud800x": "\\udfff"}'
    path = tmp_path / "surrogate.json"
    path.write_text(text)
    for extra in ((), ("--format", "json")):
        done = run("check", str(path), *extra)
        assert done.returncode == 1 and not done.stderr, done.stderr
        assert b"\\ud800" in done.stdout
    json.loads(run("check", str(path), "--format", "json").stdout)  # valid JSON, UTF-8


def test_a_terminal_that_cannot_show_a_character_gets_an_escape(tmp_path, start_session):
    path = tmp_path / "zurich.json"
    token = {**start_session["token"], "issuer": "Stadtwerke Zürich"}  # string(64): any printable text
    path.write_text(json.dumps({**start_session, "token": token}, ensure_ascii=False))
    done = subprocess.run([sys.executable, "-m", "ocpi_ref", "check", str(path), "--sender", "DE-TNM"],
                          capture_output=True, timeout=60, env={"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and not done.stderr, done.stderr


@pytest.mark.parametrize(
    ("version", "value", "code", "words"),
    [
        ("2.2.1", "START_SESSION_CONNECTOR_REQUIRD", 2, "did you mean START_SESSION_CONNECTOR_REQUIRED?"),
        ("2.2.1", "FLIES", 2, "a closed list"),
        ("2.2", "START_SESSION_CONNECTOR_REQUIRED", 2, "OCPI 2.2.1, 2.3.0 has it"),
        ("2.3.0", "START_SESSION_CONNECTOR_REQUIRD", 2, "did you mean START_SESSION_CONNECTOR_REQUIRED?"),
        ("2.3.0", "X_OUR_OWN_CAPABILITY", 0, ""),  # an OpenEnum in 2.3.0: another value is allowed
        ("2.2.1", "RFID_READER", 0, ""),
    ],
)
def test_an_unknown_evse_capability_is_a_usage_error_unless_the_list_is_open(payload, version, value, code, words):
    done = run("check", str(payload), "--version", version, "--evse-capability", value)
    assert done.returncode == code, done.stderr
    if code == 2:
        err = done.stderr.decode()
        assert err.startswith("ocpi-ref check: --evse-capability: ") and words in err and err.count("\n") == 1


@pytest.mark.rule("start-session.connector-required-by-evse")
def test_the_hint_names_the_fix_for_an_evse_that_requires_a_connector(payload, start_session):
    """Not 'conforms to OCPI 2.2; check with --version': a downgrade is no fix."""
    del start_session["connector_id"]
    payload.write_text(json.dumps(start_session))
    done = run("check", str(payload), "--evse-capability", "START_SESSION_CONNECTOR_REQUIRED")
    assert done.returncode == 1
    last = done.stdout.decode().rstrip().splitlines()[-1]
    assert last.startswith("hint: the EVSE has START_SESSION_CONNECTOR_REQUIRED: add connector_id")
    assert "--version" not in last


@pytest.mark.parametrize(
    "args",
    [("cpo", "--config", "examples/cpo.toml", "--port", "99999"), ("cpo", "--config", "examples/cpo.toml", "--port", "-1"),
     ("emsp", "start-session", "--cpo", "http://127.0.0.1:9/ocpi/versions", "--credentials", "x", "--role", "DE-TNM",
      "--token-uid", "1", "--location", "L", "--callback-port", "99999"),
     ("conformance", "cpo", "--callback-port", "99999")],
)
def test_a_port_out_of_range_is_one_line_and_exit_2(args):
    done = run(*args)
    err = done.stderr.decode()
    assert done.returncode == 2 and err.count("\n") == 1 and "is not a port: 0 to 65535" in err, err


@pytest.mark.parametrize("args", [(), ("emsp",), ("conformance",)])
def test_a_missing_subcommand_prints_the_usage(args):
    done = run(*args)
    err = done.stderr.decode()
    assert done.returncode == 2 and err.startswith("usage: ocpi-ref") and "COMMAND" in err
    assert "_command" not in err and "required" not in err


@pytest.mark.rule("json.limits")
def test_convert_labels_a_size_refusal_as_check_does(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"a": "x" * 70000}))
    line = "(document): refused: the document is"
    assert line in run("check", str(big)).stdout.decode()
    assert line in run("convert", str(big), "--from", "2.2.1", "--to", "2.3.0").stderr.decode()


def test_the_command_response_report_is_titled_by_what_it_checks(tmp_path):
    path = tmp_path / "answer.json"
    path.write_text("{}")
    head = run("check", str(path), "--object", "command-response").stdout.decode().splitlines()[0]
    assert head.startswith("OCPI 2.2.1 CommandResponse in its envelope: ") and "answer" not in head
