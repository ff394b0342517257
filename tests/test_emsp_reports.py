"""The reference eMSP against a non-conforming CPO: it prints the HTTP status, the trimmed body
and every finding on the envelope and the CommandResponse, not only "no CommandResponse"."""

from __future__ import annotations

import pytest

from mutants import Wrapper, list_data
from ocpi_ref.cli import main
from ocpi_ref.cpo import demo_config
from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.transport.servers import serve_in_thread


def _start(url: str, *extra: str) -> int:
    return main(["emsp", "start-session", "--cpo", url + "/ocpi/versions", "--credentials", "tnm-calls-ref",
                 "--role", "DE-TNM", "--token-uid", "12345678905880", "--location", "LOC-0001", "--evse", "EVSE-ACC-1", *extra])


@pytest.mark.rule("object.envelope-data")
def test_a_list_wrapped_command_response_is_shown_with_its_finding(capsys):
    with serve_in_thread(Wrapper(create_cpo_app(demo_config(command_timeout=2, charge_point_deadline=1)), after=list_data)) as cpo:
        assert _start(cpo.url) == 1
    out = capsys.readouterr().out
    assert "HTTP 200, status 1000, no readable CommandResponse; the body: {\"data\": [{\"result\": \"ACCEPTED\"" in out
    assert "  finding: /data: error: data is a list of 1; the answer is one CommandResponse, one JSON object [object.envelope-data]" in out


@pytest.mark.rule("commands.response-envelope")
def test_a_framework_422_body_is_shown_with_the_missing_envelope_fields(capsys):
    def always_422(w, call):
        if call.start_session:
            call.status, call.answer = 422, b'{"detail": [{"loc": ["body", "token"], "msg": "Field required"}]}'

    with serve_in_thread(Wrapper(create_cpo_app(demo_config()), before=always_422)) as cpo:
        assert _start(cpo.url) == 1
    out = capsys.readouterr().out
    assert 'HTTP 422, status None, no readable CommandResponse; the body: {"detail": [{"loc": ["body", "token"]' in out
    assert "  finding: /status_code: error: required field status_code (integer) is missing [field.required]" in out
    assert "  finding: /timestamp: error: required field timestamp (DateTime) is missing [field.required]" in out
