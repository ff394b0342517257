"""``ocpi-ref cpo`` and ``ocpi-ref emsp start-session``: a whole exchange from the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ocpi_ref.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cpo.toml"


@pytest.fixture(scope="module")
def cpo_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "ocpi_ref", "cpo", "--config", str(EXAMPLE), "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # printed before serving
        match = re.search(r"serving (http://\S+)", line)
        assert match, line + proc.stderr.read()
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _emsp(cpo_url: str, *extra: str) -> list[str]:
    return ["emsp", "start-session", "--cpo", cpo_url, "--credentials", "tnm-calls-ref",
            "--role", "DE-TNM", "--callback-token", "ref-calls-tnm", *extra]


@pytest.mark.rule("start-session.token-in-session-and-cdr", "commands.result-after-accepted")
def test_emsp_cli_runs_start_session_to_cdr(cpo_url, capsys) -> None:
    code = main(_emsp(cpo_url, "--token-uid", "CLI-1", "--location", "LOC-0001", "--evse", "EVSE-ACC-1",
                      "--authorization-reference", "cli-ref", "--stop"))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "CommandResponse ACCEPTED" in out and "CommandResult ACCEPTED" in out
    assert '"uid": "CLI-1"' in out and '"auth_method": "COMMAND"' in out
    assert "CDR: {" in out and '"authorization_reference": "cli-ref"' in out


@pytest.mark.rule("start-session.location-of-receiver")
def test_emsp_cli_reports_a_refusal_with_exit_1(cpo_url, capsys) -> None:
    code = main(_emsp(cpo_url, "--token-uid", "CLI-2", "--location", "LOC-NOPE"))
    out = capsys.readouterr().out
    assert code == 1 and "status 2003" in out and "unknown location LOC-NOPE" in out


def test_cpo_cli_with_a_bad_config_exits_2(tmp_path, capsys) -> None:
    bad = tmp_path / "cpo.toml"
    bad.write_text('[cpo]\ncountry_code = "BE"\n')
    assert main(["cpo", "--config", str(bad)]) == 2
    assert "/cpo/party_id: missing" in capsys.readouterr().err


@pytest.mark.rule("start-session.token-in-session-and-cdr")
def test_emsp_cli_stop_finds_the_session_of_its_own_start_only(cpo_url, capsys) -> None:
    """An ACTIVE Session of the same Token on another EVSE, from an earlier exchange, is not ours.

    The first exchange (2.1.1, as in the README) leaves a Session on EVSE-ACC-1; the second
    starts on EVSE-NOCAR-1, where no car plugs in, so ``--stop`` must find no Session at all.
    """
    versions_url = cpo_url.replace("/cpo/2.2.1", "/versions")
    first = main(_emsp(versions_url, "--version", "2.1.1", "--wait", "10", "--token-uid", "CLI-3",
                       "--location", "LOC-0001", "--evse", "EVSE-ACC-1"))
    assert first == 0, capsys.readouterr().out
    capsys.readouterr()
    code = main(_emsp(cpo_url, "--token-uid", "CLI-3", "--location", "LOC-0001", "--evse", "EVSE-NOCAR-1", "--stop"))
    out = capsys.readouterr().out
    assert code == 1, out
    assert "no Session of this StartSession appeared" in out
    assert "STOP_SESSION" not in out and "CDR:" not in out


@pytest.mark.rule("type.country-code")
def test_emsp_cli_words_a_bad_token_as_the_checker_does(capsys) -> None:
    """No raw pydantic message: a code-list field's would quote its whole pattern."""
    code = main(["emsp", "start-session", "--cpo", "http://127.0.0.1:9/ocpi/versions", "--credentials", "x",
                 "--role", "ZZ-ABC", "--token-uid", "1", "--location", "L"])
    err = capsys.readouterr().err
    assert code == 2
    assert "/country_code:" in err and "ISO 3166-1 alpha-2" in err and "[type.country-code]" in err
    assert "pattern" not in err and len(err) < 400


def test_a_wrong_callback_token_is_reported_at_once_not_as_a_timeout(cpo_url, capsys) -> None:
    """The CPO's CommandResult gets 401 at our callback: the eMSP says so and why, and stops
    waiting then, instead of printing 'no result within the advertised 30 s' half a minute later."""
    args = _emsp(cpo_url, "--token-uid", "CLI-4", "--location", "LOC-0001", "--evse", "EVSE-ACC-1")
    args[args.index("ref-calls-tnm")] = "not-what-the-cpo-has"
    code = main(args)
    out = capsys.readouterr().out
    assert code == 1, out
    assert "CommandResponse ACCEPTED" in out
    assert "our callback refused the CPO's START_SESSION answer (HTTP 401)" in out
    assert "--callback-token" in out and "no result within" not in out


def _start(cpo: str, *extra: str) -> list[str]:
    return ["emsp", "start-session", "--cpo", cpo, "--credentials", "x", "--role", "DE-TNM", "--location", "L", *extra]


@pytest.mark.parametrize("cpo", ["notaurl", "ftp://host/ocpi/versions", "http://[::1", "http://host:99999/ocpi/versions"])
def test_emsp_cli_says_a_cpo_url_is_not_one(cpo, capsys) -> None:
    assert main(_start(cpo, "--token-uid", "1")) == 2
    err = capsys.readouterr().err
    assert "not an http:// or https:// URL" in err and "UnsupportedProtocol" not in err


def test_emsp_cli_words_an_unreachable_cpo(capsys) -> None:
    assert main(_start("http://127.0.0.1:9/ocpi/versions", "--token-uid", "1")) == 1  # port 9: nobody there
    out = capsys.readouterr().out
    assert "nothing answered there" in out and "ConnectError" not in out


@pytest.mark.parametrize(("content", "words"), [
    (None, "cannot read {path}: No such file or directory"),
    (b"nope", "not JSON: Expecting value at line 1 column 1 [json.syntax"),
    (b"", "not JSON: the document is empty [json.syntax"),
    (b'{"uid": 1}', "/uid: error: uid must be a JSON string"),
])
def test_emsp_cli_words_a_token_file_as_check_does(tmp_path, capsys, content, words) -> None:
    path = tmp_path / "token.json"
    if content is not None:
        path.write_bytes(content)
    assert main(_start("http://127.0.0.1:9/ocpi/versions", "--token", str(path))) == 2
    err = capsys.readouterr().err
    assert words.format(path=path) in err and "\n" == err[-1] and err.count("\n") == 1
    assert main(["check", str(path), "--object", "token"]) in (1, 2)
    assert words.format(path=path) in "".join(capsys.readouterr())


def test_convert_escapes_a_lone_surrogate_on_stderr_like_the_checker(tmp_path, monkeypatch) -> None:
    import argparse
    import io

    from ocpi_ref.cli import convert

    doc = tmp_path / "s.json"
    doc.write_text('{"response_url": "http://x/y", "token": {"\\ud800x": "\\ud800"}, "location_id": "L"}')
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # strict: a raw surrogate cannot be written
    monkeypatch.setattr("sys.stderr", err)
    code = convert.run(argparse.Namespace(file=str(doc), source="2.2.1", target="2.1.1", owner=None))
    err.flush()
    text = err.buffer.getvalue().decode("utf-8")
    assert code == 1 and "/token/\\ud800x: error:" in text


def _forwarder(to_port: int) -> tuple[int, list[bytes]]:
    """A TCP forwarder on a free port to 127.0.0.1:*to_port* (a proxy in front of the callback),
    in a daemon thread; the list collects the first bytes of each connection it carried."""
    import socket
    import threading

    seen: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def pipe(src: socket.socket, dst: socket.socket, first: bool) -> None:
        with src, dst:
            while data := src.recv(65536):
                if first:
                    seen.append(data)
                    first = False
                dst.sendall(data)

    def serve() -> None:
        while True:
            conn, _ = listener.accept()
            upstream = socket.create_connection(("127.0.0.1", to_port))
            threading.Thread(target=pipe, args=(conn, upstream, True), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, conn, False), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], seen


@pytest.mark.rule("commands.result-after-accepted")
def test_emsp_cli_callback_url_is_where_the_cpo_posts_the_result(cpo_url, capsys) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proxy, seen = _forwarder(port)
    reached = f"http://localhost:{proxy}"  # the CPO reaches the callback only through the proxy
    code = main(_emsp(cpo_url, "--token-uid", "CLI-3", "--location", "LOC-0001", "--evse", "EVSE-NOCAR-1",
                      "--callback-port", str(port), "--callback-url", reached + "/"))
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"reached at {reached}" in out and "CommandResult ACCEPTED" in out
    assert any(first.startswith(b"POST /ocpi/emsp/2.2.1/commands/START_SESSION/") for first in seen)


def test_emsp_cli_refuses_a_callback_url_that_is_no_http_url(cpo_url, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(_emsp(cpo_url, "--token-uid", "CLI-4", "--location", "LOC-0001", "--callback-url", "ftp://x"))
    assert exit_.value.code == 2 and "--callback-url" in capsys.readouterr().err
