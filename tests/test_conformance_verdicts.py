"""The suite's verdicts: no FAIL for a choice the spec allows, the tester's mistakes are exit 2
and not verdicts, no report carries the credentials token, every check says its basis.

Variants of the reference CPO (``tests/mutants.py``) each make one spec-allowed choice; the
suite must not FAIL them. Runs over loopback with the demo's short deadlines.
"""

from __future__ import annotations

import asyncio
import base64
import json
from urllib.parse import quote

import pytest

from mutants import VARIANTS, VERSIONS_OBJECT_22, Wrapper, serve_mutant
from ocpi_ref.cli import main
from ocpi_ref.conformance import Status, render_text, run_suite, to_json
from ocpi_ref.conformance.model import verdict
from ocpi_ref.conformance.secrets import Scrubber, redact_headers
from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.demo import TNM_CALLBACK, TNM_TOKEN
from ocpi_ref.rules import RULES, Party
from ocpi_ref.transport.servers import serve_in_thread
from test_conformance import _cli, short_config, target


@pytest.fixture(scope="module")
def variant_runs():
    async def one(variant):
        async with serve_mutant(short_config(), variant) as url:
            return await run_suite(target(url))

    async def every():
        return await asyncio.gather(*(one(v) for v in VARIANTS))

    return dict(zip((v.name for v in VARIANTS), asyncio.run(every())))


@pytest.mark.rule("start-session.own-tokens-only", "conformance.client-error-class", "conformance.unknown-location-status", "conformance.unknown-evse-refused",
                  "commands.auth-method-command", "start-session.unknown-token-not-stored")
@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_a_spec_allowed_choice_gets_no_fail(variant, variant_runs):
    spoken, outcomes = variant_runs[variant.name]
    text = render_text(spoken, outcomes)
    assert not [o.name for o in outcomes if o.status is Status.FAIL], text
    got = {o.name: o.status.value for o in outcomes}
    assert got[variant.scenario] == variant.status, text
    assert {o.name for o in outcomes if o.status is Status.WARN} <= {variant.scenario}, text
    if variant.status == "warn":
        assert variant.rule in {c.rule for o in outcomes for c in o.checks if c.status is Status.WARN}, text


def test_a_foreign_token_accepted_is_not_the_cpos_fault():
    rule = RULES["start-session.own-tokens-only"]
    assert not rule.obliges(Party.CPO, "2.2.1") and verdict(rule.id, "2.2.1") is Status.WARN


def _versions_object_22():
    async def run():
        async with serve_mutant(short_config(), VERSIONS_OBJECT_22) as url:
            return await run_suite(target(url, "2.2", read_only=True))

    return asyncio.run(run())


def test_a_22_version_list_shaped_as_the_22_table_is_read():
    spoken, outcomes = _versions_object_22()
    got = {o.name: o.status for o in outcomes}
    assert spoken == "2.2" and got["discovery.version-details"] is Status.PASS  # discovery read the list
    assert got["transport.malformed-json"] is Status.PASS


@pytest.mark.rule("object.envelope-data")
def test_a_22_version_list_shaped_as_the_22_table_gets_no_fail():
    spoken, outcomes = _versions_object_22()
    assert not [o.name for o in outcomes if o.status is Status.FAIL], render_text(spoken, outcomes)


@pytest.mark.rule("commands.request-ids-echoed")
def test_a_refused_conforming_start_session_is_the_root_not_five_failures():
    """A CPO that answers every StartSession with HTTP 500: the refusal scenarios name the root."""
    def refuse(w, call):
        if call.start_session:
            call.status, call.answer = 500, b'{"status_code": 3000, "timestamp": "2024-01-01T00:00:00Z"}'

    async def run():
        from mutants import Mutant

        async with serve_mutant(short_config(), Mutant("500", "", None, "", before=refuse)) as url:
            return await run_suite(target(url))

    spoken, outcomes = asyncio.run(run())
    got = {o.name: o for o in outcomes}
    for name in ("start-session.foreign-token", "start-session.token-not-validated", "start-session.unknown-location",
                 "start-session.unknown-evse", "start-session.connector-without-evse", "start-session.silent-charge-point",
                 "session.token-in-session", "tokens.not-returned"):
        assert got[name].status is Status.SKIP, name
        assert got[name].reason.startswith("not tested: the CPO refused a conforming StartSession (HTTP 500, status 3000, CommandResponse None), see start-session.accepted")
    accepted = got["start-session.accepted"]
    assert accepted.status is verdict("object.invalid-object-2001", "2.2.1")
    assert "object.invalid-object-2001" in {c.rule for c in accepted.checks if c.status is not Status.PASS}


# ---------------------------------------------------------------------- the tester's mistakes


def test_an_unreachable_cpo_exits_2_with_the_reason(capsys):
    assert main(_cli("http://127.0.0.1:9/ocpi/versions")) == 2
    captured = capsys.readouterr()
    assert "cannot reach the CPO at http://127.0.0.1:9/ocpi/versions" in captured.err and "check --cpo" in captured.err
    assert "FAIL" not in captured.out and len(captured.err.strip().splitlines()) == 1


def test_credentials_refused_at_the_start_exit_2(capsys):
    with serve_in_thread(create_cpo_app(short_config())) as cpo:
        args = _cli(cpo.url + "/ocpi/versions")
        args[args.index("--credentials") + 1] = "not-our-token"
        assert main(args) == 2
    err = capsys.readouterr().err
    assert "refused our credentials at its version list (HTTP 401): check --credentials" in err
    assert "not-our-token" not in err


def test_a_version_the_cpo_does_not_offer_exits_2(capsys):
    def only_221(w, call):
        if call.method == "GET" and call.path == "/ocpi/versions":
            doc = json.loads(call.answer)
            doc["data"] = [v for v in doc["data"] if v["version"] == "2.2.1"]
            call.answer = json.dumps(doc).encode()

    with serve_in_thread(Wrapper(create_cpo_app(short_config()), after=only_221)) as cpo:
        assert main(_cli(cpo.url + "/ocpi/versions", "--version", "2.3.0")) == 2
    err = capsys.readouterr().err
    assert "the CPO does not offer OCPI 2.3.0 (it lists 2.2.1): leave out --version" in err


def test_a_role_the_cpo_does_not_hold_for_the_credentials_exits_2(capsys):
    with serve_in_thread(create_cpo_app(short_config())) as cpo:
        args = _cli(cpo.url + "/ocpi/versions", "--version", "2.2.1")
        args[args.index("--role") + 1] = "NL-XYZ"
        assert main(args) == 2
    err = capsys.readouterr().err
    assert "does it hold another role for them than NL-XYZ? check --role" in err


# ---------------------------------------------------------------------- no secrets, full evidence


def _forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode(), base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode(), quote(secret, safe="")]


def test_no_report_carries_the_credentials_token_in_any_encoding(tmp_path, capsys):
    def echo_auth(w, call):
        """A CPO that quotes the caller's Authorization in its messages (people do)."""
        if call.answer and call.answer.startswith(b"{"):
            doc = json.loads(call.answer)
            doc["status_message"] = f"you sent {call.headers.get('authorization')}"
            call.answer = json.dumps(doc).encode()

    junit, report = tmp_path / "c.xml", tmp_path / "c.json"
    with serve_in_thread(Wrapper(create_cpo_app(short_config()), after=echo_auth)) as cpo:
        main(_cli(cpo.url + "/ocpi/versions", "--version", "2.2.1", "--silent-evse", "EVSE-SIL-1",
                  "--junit", str(junit), "--json", str(report)))
    out = capsys.readouterr()
    texts = {"stdout": out.out, "stderr": out.err, "junit": junit.read_text(), "json": report.read_text()}
    doc = json.loads(texts["json"])
    assert doc["scenarios"] and "Token <redacted: " in texts["json"]  # the headers are there, redacted
    for secret in (TNM_TOKEN, TNM_CALLBACK):
        for form in _forms(secret):
            for name, text in texts.items():
                assert form not in text, (name, form)


def test_the_json_keeps_the_whole_evidence(tmp_path):
    async def run():
        from ocpi_ref.harness import loopback

        async with loopback(short_config(), partners=()) as lb:
            return await run_suite(target(lb.versions_url, read_only=True), ["transport.malformed-json"])

    spoken, [outcome] = asyncio.run(run())
    long_body = "x" * 5000
    outcome.checks[0].exchange.response_body = long_body
    doc = json.loads(to_json(spoken, [outcome]))
    assert doc["scenarios"][0]["checks"][0]["exchange"]["response_body"] == long_body


def test_redaction_keeps_the_scheme_and_length_and_scrubs_every_form():
    assert redact_headers({"Authorization": "Token abc", "X-Request-ID": "1"}) == {"Authorization": "Token <redacted: 3 characters>", "X-Request-ID": "1"}
    scrub = Scrubber(["s3cret-token"])
    for form in _forms("s3cret-token"):
        assert "s3cret" not in scrub(f"a {form} b") and "<redacted>" in scrub(f"a {form} b")


@pytest.mark.rule("object.commands-endpoint")
def test_commands_url_aims_at_an_endpoint_discovery_does_not_yield():
    from mutants import MUTANTS

    hidden = next(m for m in MUTANTS if m.name == "no commands endpoint")

    async def run():
        async with serve_mutant(short_config(), hidden) as url:
            commands = url.removesuffix("/versions") + "/cpo/2.2.1/commands"
            return await run_suite(target(url, commands_url=commands),
                                   ["discovery.commands-endpoint", "transport.invalid-object", "start-session.accepted"])

    spoken, outcomes = asyncio.run(run())
    got = {o.name: o for o in outcomes}
    assert got["start-session.accepted"].status is Status.PASS and got["transport.invalid-object"].status is Status.PASS
    listed = got["discovery.commands-endpoint"]
    assert listed.status is verdict("object.commands-endpoint", "2.2.1")
    assert any("discovery does not list the commands endpoint; the run uses --commands-url" in c.message for c in listed.checks)


def test_a_peers_text_cannot_add_lines_to_the_text_report():
    def newline_result(w, call):
        if call.start_session:
            call.answer = json.dumps({"data": {"result": "NOPE\nFAIL  start-session.fake  forged", "timeout": 30},
                                      "status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}).encode()

    async def run():
        from mutants import Mutant

        async with serve_mutant(short_config(), Mutant("newline", "", None, "", after=newline_result)) as url:
            return await run_suite(target(url), ["start-session.accepted"])

    spoken, outcomes = asyncio.run(run())
    text = render_text(spoken, outcomes)
    assert "\nFAIL  start-session.fake" not in text and "\\u000aFAIL  start-session.fake" in text
