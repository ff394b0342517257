"""The conformance suite against the reference CPO (every scenario passes or skips) and against
mutants of it, each breaking one rule: the matching scenario fails and no other changes.

Everything runs over loopback with the demo's short deadlines; see ``tests/mutants.py``.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from mutants import MUTANTS, serve_mutant
from ocpi_ref.cli import main
from ocpi_ref.conformance import Status, Target, render_text, run_suite, select, to_json
from ocpi_ref.conformance import model
from ocpi_ref.conformance.model import verdict
from ocpi_ref.cpo import demo_config
from ocpi_ref.cpo.demo import TNM_CALLBACK, TNM_TOKEN
from ocpi_ref.harness import loopback
from ocpi_ref.versions import VERSIONS

SETTLE = 0.3


def short_config():
    return demo_config(command_timeout=2, charge_point_deadline=1)


def target(url: str, version: str = "2.2.1", **kw) -> Target:
    kw.setdefault("silent_evse", "EVSE-SIL-1")
    return Target(url, TNM_TOKEN, ["DE-TNM"], "LOC-0001", "EVSE-ACC-1", version=version,
                  callback_token=TNM_CALLBACK, settle=SETTLE, **kw)


async def _against_reference(version: str, **kw):
    async with loopback(short_config(), partners=()) as lb:
        started = time.monotonic()
        spoken, outcomes = await run_suite(target(lb.versions_url, version, **kw))
        return spoken, outcomes, time.monotonic() - started


#: Scenarios the reference CPO skips in each version: no Sessions, Tokens or CDRs modules outside
#: 2.2.1, and the rules a version does not have.
SKIPPED = {
    "2.1.1": {"transport.request-ids", "transport.token-encoding", "start-session.foreign-token", "start-session.connector-without-evse",
              "session.token-in-session", "session.case-preserved", "tokens.not-returned", "session.stop-and-cdr"},
    "2.2": {"transport.token-encoding", "start-session.connector-without-evse", "session.token-in-session", "session.case-preserved",
            "tokens.not-returned", "session.stop-and-cdr"},
    "2.2.1": set(),
    "2.3.0": {"session.token-in-session", "session.case-preserved", "tokens.not-returned", "session.stop-and-cdr"},
}


@pytest.fixture(scope="module")
def reference_runs():
    """The full suite against the reference CPO in every version, the four runs at once."""
    async def all_versions():
        return await asyncio.gather(*(_against_reference(v) for v in VERSIONS))

    return dict(zip(VERSIONS, asyncio.run(all_versions())))


@pytest.fixture(scope="module")
def mutant_runs():
    """The full 2.2.1 suite against each mutant, all at once (each run mostly waits)."""
    async def one(mutant):
        async with serve_mutant(short_config(), mutant) as url:
            return await run_suite(target(url))

    async def all_mutants():
        return await asyncio.gather(*(one(m) for m in MUTANTS))

    return dict(zip((m.name for m in MUTANTS), asyncio.run(all_mutants())))


@pytest.mark.rule("commands.response-envelope", "commands.credentials-required", "json.syntax", "object.invalid-object-2001",
                  "commands.request-ids-echoed", "commands.result-after-accepted", "commands.result-bare-body",
                  "start-session.own-tokens-only", "start-session.cpo-no-validity-check", "start-session.location-of-receiver",
                  "start-session.token-in-session-and-cdr", "start-session.unknown-token-not-stored")
@pytest.mark.parametrize("version", VERSIONS)
def test_the_reference_cpo_passes_every_scenario(version, reference_runs):
    spoken, outcomes, seconds = reference_runs[version]
    assert spoken == version
    text = render_text(spoken, outcomes)
    assert {o.name for o in outcomes if o.status is Status.SKIP} == SKIPPED[version], text
    assert all(o.status is Status.PASS for o in outcomes if o.name not in SKIPPED[version]), text
    assert seconds < 30


def test_the_version_is_chosen_from_the_peer_list():
    async def run():
        async with loopback(short_config(), partners=()) as lb:
            return await run_suite(target(lb.versions_url, None, read_only=True), ["discovery.version-list"])

    spoken, [outcome] = asyncio.run(run())
    assert spoken == "2.3.0" and outcome.status is Status.PASS


def test_read_only_runs_no_writing_scenario_and_is_fast():
    spoken, outcomes, seconds = asyncio.run(_against_reference("2.2.1", read_only=True))
    for o in outcomes:
        assert (o.status is Status.SKIP) == o.scenario.writes, o.name
    assert seconds < 5


@pytest.mark.rule("object.invalid-object-2001", "commands.credentials-required", "start-session.own-tokens-only",
                  "start-session.cpo-no-validity-check", "audit.one-result", "audit.result-within-timeout",
                  "object.envelope-data", "type.cistring", "object.commands-endpoint", "conformance.request-ids-on-requests",
                  "commands.timeout-when-silent")
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutant_fails_its_scenario_and_no_other(mutant, mutant_runs):
    spoken, outcomes = mutant_runs[mutant.name]
    text = render_text(spoken, outcomes)
    got = {o.name: o.status for o in outcomes}
    # FAIL only where the rule is a MUST/SHALL addressed to the CPO (decided by its record)
    assert got[mutant.scenario].value == (mutant.status or verdict(mutant.rule, spoken).value), text
    assert mutant.rule in {c.rule for o in outcomes if o.name == mutant.scenario for c in o.checks if c.status is not Status.PASS}, text
    others = {name: s for name, s in got.items() if name != mutant.scenario}
    assert not {name: s.value for name, s in others.items() if s in (Status.FAIL, Status.WARN)}, text
    if mutant.name == "no commands endpoint":  # nothing that needs the endpoint can run
        assert {n for n, s in others.items() if s is Status.SKIP} >= {"start-session.accepted", "transport.malformed-json"}
    else:
        assert all(s is Status.PASS for s in others.values()), text


def test_a_result_for_a_command_never_sent_is_reported_not_a_crash():
    async def run():
        async with loopback(short_config(), partners=()) as lb:
            from ocpi_ref.conformance.probe import Probe
            from ocpi_ref.conformance.suite import run_scenario

            async with Probe(target(lb.versions_url, read_only=True)) as probe:
                url = probe.response_url("START_SESSION", "nobody-sent-this")
                await probe.call("POST", url, body='{"result": "ACCEPTED"}', headers={"Content-Type": "application/json"})
                [late] = select(["commands.unexpected-results"])
                return await run_scenario(probe, late)

    outcome = asyncio.run(run())
    assert outcome.status is verdict("commands.result-after-accepted", "2.2.1")
    assert "'nobody-sent-this', which we never sent" in outcome.summary


def test_an_unreachable_peer_is_the_testers_mistake_not_a_verdict():
    with pytest.raises(model.TesterMistake, match=r"cannot reach the CPO at http://127.0.0.1:9/ocpi/versions .*check --cpo"):
        asyncio.run(run_suite(target("http://127.0.0.1:9/ocpi/versions", read_only=True, http_timeout=1)))


def _cli(url: str, *extra: str) -> list[str]:
    return ["conformance", "cpo", "--cpo", url, "--credentials", TNM_TOKEN, "--role", "DE-TNM", "--location", "LOC-0001",
            "--evse", "EVSE-ACC-1", "--callback-token", TNM_CALLBACK, "--settle", str(SETTLE), *extra]


@pytest.mark.rule("commands.credentials-required")
def test_cli_runs_the_suite_through_pytest_and_writes_junit_and_json(tmp_path, capsys):
    from mutants import Wrapper, credentials_403
    from ocpi_ref.cpo.app import create_cpo_app
    from ocpi_ref.transport.servers import serve_in_thread

    junit, report = tmp_path / "conformance.xml", tmp_path / "conformance.json"
    with serve_in_thread(create_cpo_app(short_config())) as cpo:
        code = main(_cli(cpo.url + "/ocpi/versions", "--version", "2.2.1", "--read-only", "--junit", str(junit), "--json", str(report)))
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[0] == "OCPI 2.2.1 conformance: 22 scenarios"
    assert out.splitlines()[-1].startswith("11 passed, 0 failed, 0 warned, 11 skipped in ")
    xml = junit.read_text()
    assert 'classname="ocpi-conformance" name="transport.invalid-object"' in xml and 'tests="22"' in xml
    assert '<property name="seconds" value="' in xml  # per-scenario durations, besides the testcase time
    doc = json.loads(report.read_text())
    assert doc["summary"] == {"pass": 11, "fail": 0, "warn": 0, "skip": 11} and doc["version"] == "2.2.1"
    assert all(isinstance(s["seconds"], float) for s in doc["scenarios"])
    assert all(c["basis"] for s in doc["scenarios"] for c in s["checks"])

    with serve_in_thread(Wrapper(create_cpo_app(short_config()), after=credentials_403)) as cpo:
        code = main(_cli(cpo.url + "/ocpi/versions", "--read-only", "--scenario", "transport.unknown-credentials"))
    out = capsys.readouterr().out
    status = verdict("commands.credentials-required", "2.3.0")
    assert code == (1 if status is Status.FAIL else 0), out
    mark = "FAIL" if status is Status.FAIL else "warn"
    assert f"{mark}  transport.unknown-credentials  unknown credentials token at GET /ocpi/versions: HTTP 403, expected 401" in out
    assert "the spec: commands.credentials-required: Requests need known credentials (OCPI 2.3.0 §4.1.2)" in out
    assert "        basis: spec sentence (SHALL, addressed to the " in out


def test_cli_lists_scenarios_and_refuses_bad_arguments(capsys):
    assert main(["conformance", "cpo", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(select()) and lines[0].startswith("discovery.version-list")
    assert main(["conformance", "cpo", "--cpo", "http://127.0.0.1:9/ocpi/versions"]) == 2
    assert "needs --credentials, --role, --location" in capsys.readouterr().err
    assert main(_cli("http://127.0.0.1:9/ocpi/versions", "--foreign-owner", "DE-TNM")) == 2
    assert main(_cli("http://127.0.0.1:9/ocpi/versions", "--scenario", "no.such")) == 2


def test_the_plugin_adds_the_scenarios_to_a_users_own_suite(tmp_path):
    import subprocess
    import sys

    from ocpi_ref.cpo.app import create_cpo_app
    from ocpi_ref.transport.servers import serve_in_thread

    (tmp_path / "test_mine.py").write_text("def test_my_own():\n    assert True\n")
    junit = tmp_path / "out.xml"
    with serve_in_thread(create_cpo_app(short_config())) as cpo:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", str(tmp_path), "--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-q",
             "--ocpi-cpo", cpo.url + "/ocpi/versions", "--ocpi-token", TNM_TOKEN, "--ocpi-role", "DE-TNM",
             "--ocpi-location", "LOC-0001", "--ocpi-evse", "EVSE-ACC-1", "--ocpi-read-only", "--ocpi-settle", "0.1",
             "--junitxml", str(junit)],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "12 passed, 11 skipped" in proc.stdout  # the user's test and the read-only scenarios
    assert "OCPI conformance" in proc.stdout and "pass  transport.invalid-object" in proc.stdout
    xml = junit.read_text()
    assert 'name="test_my_own"' in xml and 'classname="ocpi-conformance" name="start-session.accepted"' in xml
