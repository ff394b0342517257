"""The audit live: mitmproxy in reverse mode between the reference eMSP and CPO on loopback,
with the audit addon; the HAR mitmproxy itself writes round-trips through ``ocpi-ref audit``."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("mitmproxy", reason="the proxy extra is not installed")

from ocpi_ref.audit import addon, audit_file  # noqa: E402
from ocpi_ref.audit.live import start_proxy  # noqa: E402
from ocpi_ref.cpo.demo import TNM_TOKEN, demo_config  # noqa: E402
from ocpi_ref.emsp import EmspClient  # noqa: E402
from ocpi_ref.harness import loopback  # noqa: E402
from ocpi_ref.recordings import DEMO_TOKEN, _token  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def through_proxy(tmp_path, out: io.StringIO, version: str = "2.2.1"):
    p_cpo, p_emsp = free_port(), free_port()
    config = demo_config(command_timeout=30, charge_point_deadline=0.2, public_url=f"http://127.0.0.1:{p_cpo}")
    async with loopback(config, partners=["TNM"]) as lb:
        base = lb.emsps["TNM"]
        proxy = start_proxy(lb.root_url, base.callback_url, cpo_port=p_cpo, emsp_port=p_emsp, out=out,
                            audit_har=str(tmp_path / "ours.har"), audit_report=str(tmp_path / "report.json"),
                            hardump=str(tmp_path / "mitmproxy.har"), save_stream_file=str(tmp_path / "flows"))
        running = asyncio.ensure_future(proxy.master.run())
        await asyncio.sleep(0.5)  # the listeners bind
        emsp = EmspClient(f"http://127.0.0.1:{p_cpo}/ocpi/versions", TNM_TOKEN, ["DE-TNM"],
                          f"http://127.0.0.1:{p_emsp}", base.tracker, version=version)
        try:
            start = await emsp.start_session(_token(version, DEMO_TOKEN), "LOC-0001", evse_uid="EVSE-ACC-1",
                                             authorization_reference=None if version == "2.1.1" else "Ref-1")
            await lb.cpo.drain()
            if version == "2.2.1":  # the reference CPO lists Sessions and CDRs in 2.2.1
                sessions = (await emsp.get("sessions", {"date_from": "2020-01-01T00:00:00Z"})).json()["data"]
                await emsp.stop_session(sessions[0]["id"])
                await lb.cpo.drain()
                await emsp.get("cdrs")
        finally:
            await emsp.aclose()
            proxy.master.shutdown()
            await asyncio.wait_for(running, 10)
    return start, proxy


@pytest.mark.rule("commands.result-after-accepted", "start-session.token-in-session-and-cdr")
def test_the_addon_audits_the_reference_pair_live_and_both_hars_round_trip(tmp_path):
    out = io.StringIO()
    start, proxy = asyncio.run(through_proxy(tmp_path, out))
    assert start.outcome == "ACCEPTED"
    report = proxy.addon.report
    assert [(ex.command, ex.findings) for ex in report.exchanges] == [("START_SESSION", [])]
    [ex] = report.exchanges
    assert len(ex.stops) == 1 and len(ex.start.results) == 1 and [k for k, *_ in ex.objects] == ["session", "cdr"]
    printed = out.getvalue()
    assert "x1 START_SESSION 2.2.1 entries 2-7 (6): clean" in printed  # printed as the CDR closed it
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["conforms"] is True and saved["exchanges"][0]["entries"] == [2, 3, 4, 5, 6, 7]
    for har in ("ours.har", "mitmproxy.har", "flows"):  # ours masks credentials; mitmproxy's is in response order
        again = audit_file(tmp_path / har)
        assert [(e.command, e.findings) for e in again.exchanges] == [("START_SESSION", [])], har
        assert len(again.exchanges[0].entries) == 6
    assert TNM_TOKEN not in (tmp_path / "ours.har").read_text() + printed
    assert "dG5tLWNhbGxzLXJlZg==" not in (tmp_path / "ours.har").read_text()


@pytest.mark.rule("commands.result-after-accepted")
@pytest.mark.parametrize("version", ["2.1.1", "2.2", "2.3.0"])
def test_the_addon_audits_every_version_clean(tmp_path, version):
    start, proxy = asyncio.run(through_proxy(tmp_path, io.StringIO(), version))
    assert start.outcome == "ACCEPTED"
    [ex] = proxy.addon.report.exchanges
    assert (ex.version, ex.findings, len(ex.start.results)) == (version, [], 1)
    assert [(e.command, e.findings) for e in audit_file(tmp_path / "mitmproxy.har").exchanges] == [("START_SESSION", [])]


def test_proxy_cli_runs_until_interrupted_and_writes_its_report(tmp_path):
    p_cpo, p_emsp = free_port(), free_port()
    cli = Path(sys.executable).with_name("ocpi-ref")
    proc = subprocess.Popen(
        [str(cli), "proxy", "--cpo", "http://127.0.0.1:9", "--emsp", "http://127.0.0.1:9", "--cpo-port", str(p_cpo),
         "--emsp-port", str(p_emsp), "--report", str(tmp_path / "r.json"), "--har", str(tmp_path / "r.har")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert "Ctrl-C to stop" in proc.stderr.readline()
        for _ in range(600):  # the listener binds once mitmproxy runs (slow on a loaded machine)
            try:
                socket.create_connection(("127.0.0.1", p_cpo), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "0 exchange(s), 0 finding(s): conforms" in out
    assert json.loads((tmp_path / "r.json").read_text()) == {"conforms": True, "exchanges": [], "unmatched": []}
    assert json.loads((tmp_path / "r.har").read_text())["log"]["entries"] == []


def test_proxy_cli_exits_2_when_a_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        cli = Path(sys.executable).with_name("ocpi-ref")
        done = subprocess.run([str(cli), "proxy", "--cpo", "http://127.0.0.1:9", "--emsp", "http://127.0.0.1:9",
                               "--cpo-port", str(taken.getsockname()[1]), "--emsp-port", str(free_port())],
                              capture_output=True, text=True, timeout=90)
    assert done.returncode == 2, done.stderr
    assert "mitmproxy could not start" in done.stderr and "Traceback" not in done.stderr
    assert "address already in use" in done.stderr.lower()


def test_mitmdump_runs_the_addon_as_a_script_over_a_flow_file(tmp_path):
    asyncio.run(through_proxy(tmp_path, io.StringIO()))
    mitmdump = Path(sys.executable).with_name("mitmdump")
    done = subprocess.run(
        [str(mitmdump), "-q", "-n", "-r", str(tmp_path / "flows"), "-s", addon.__file__,
         "--set", f"ocpi_audit_report={tmp_path / 'again.json'}"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "x1 START_SESSION 2.2.1 entries 2-7 (6): clean" in done.stdout
    assert json.loads((tmp_path / "again.json").read_text())["conforms"] is True
    assert TNM_TOKEN not in done.stdout + done.stderr


def test_proxy_cli_cannot_run_without_its_arguments(capsys):
    from ocpi_ref.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["proxy", "--cpo", "http://127.0.0.1:1"])
    assert exc.value.code == 2 and "--emsp" in capsys.readouterr().err


