"""Batch mode: one result per line, in order, with line numbers, the same on one core or many;
bad lines are results, never crashes; ``ocpi-ref check --jsonl`` exits as ``check`` does."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from ocpi_ref.batch import check_lines, check_record, summary
from ocpi_ref.checker import check_start_session


def _doc(i: int, bad: bool = False) -> bytes:
    token = {"country_code": "DE", "party_id": "TNM", "uid": str(i), "type": "RFID", "contract_id": "C1",
             "issuer": "I", "valid": True, "whitelist": "ALLOWED", "last_updated": "2026-01-01T00:00:00Z"}
    doc = {"response_url": f"https://x.example.com/cb/{i}", "token": token,
           "location_id": "X" * 40 if bad else f"L{i}", "evse_uid": "E1"}
    return json.dumps(doc).encode()


def _stream(n: int = 300) -> bytes:
    lines = [_doc(i, bad=i % 3 == 0) for i in range(n)]
    lines[10] = b"not json"
    lines[20] = b"   "
    return b"\n".join(lines) + b"\n"


def test_a_record_is_the_checker_s_report_as_a_dict():
    data = _doc(1, bad=True)
    assert check_record(data, line=4) == {"line": 4, **check_start_session(data).to_dict()}


def test_results_keep_order_and_line_numbers_on_one_core_and_many():
    one = list(check_lines(io.BytesIO(_stream()), workers=1, chunk=7))
    many = list(check_lines(io.BytesIO(_stream()), workers=2, chunk=7))
    assert one == many
    assert [r["line"] for r in one] == [n for n in range(1, 301) if n != 21]  # the blank line is skipped
    assert one[10]["conforms"] is False and one[10]["findings"][0]["rule"] == "json.syntax"
    assert [r["conforms"] for r in one[:4]] == [False, True, True, False]


def test_a_line_too_long_is_a_result_and_not_read_whole():
    stream = io.BytesIO(_doc(1) + b"\n" + b"x" * 5000 + b"\n" + _doc(2) + b"\n")
    results = list(check_lines(stream, workers=1, max_bytes=1000))
    assert [r["line"] for r in results] == [1, 2, 3]
    assert results[1]["conforms"] is None and results[1]["findings"][0]["rule"] == "json.limits"
    assert results[0]["conforms"] and results[2]["conforms"]


def test_other_object_kinds_and_a_summary():
    stream = io.BytesIO(b'{"result": "ACCEPTED"}\n{"result": "NOPE"}\n')
    results = list(check_lines(stream, kind="command-result", workers=1))
    assert [r["conforms"] for r in results] == [True, False]
    assert summary(results)["does_not_conform"] == 1


def _cli(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "ocpi_ref", "check", *args], input=stdin, capture_output=True, timeout=120)


def test_cli_jsonl_streams_results_and_exits_like_check():
    done = _cli("--jsonl", "-", stdin=_stream(30))
    assert done.returncode == 1
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    assert len(lines) == 29 and lines[0]["line"] == 1
    assert _cli("--jsonl", "-", stdin=_doc(1) + b"\n" + _doc(2) + b"\n").returncode == 0
    done = _cli("--jsonl", "-", "--summary", stdin=_stream(30))
    assert json.loads(done.stdout)["lines"] == 29
    assert _cli("--jsonl", "/nonexistent/file", stdin=b"").returncode == 2
