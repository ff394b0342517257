"""Speed and memory of ``ocpi-ref audit`` on JSON Lines logs, as ratios measured in one run.

A log is generated, streamed to a temporary file, from one recording of the reference eMSP and
CPO (StartSession, result, Sessions GET, StopSession, result, CDRs GET: six records per
exchange), each exchange with its own ids, Token, reference and partner, one second after the
last. Then, on the same log:

* parse floor: ``orjson.loads`` of every line;
* one by one: every line parsed and its messages checked with the existing checkers
  (``check_start_session`` for a StartSession, ``check_command_response`` for its answer,
  ``check_command_result`` for a result), no correlation;
* audit: ``ocpi_ref.audit`` over the log (read, correlate, check every exchange);
* parallel: :func:`ocpi_ref.audit.parallel.audit_parallel` with one and with every core;
* RSS: the audit of a log of ``--rss-records`` records in a child process, its peak RSS.

Targets: audit / one by one <= 1.5; parallel on 2 cores >= 1.6x one core; RSS < 500 MB for
a million records. A benchmark, not a test: figures vary with the machine, ratios much less.
The three single-process contenders take turns, round by round, and each keeps its best
round, so a passing load slows them alike. Usage:
``python benchmarks/bench_audit.py [--records N] [--rss-records N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import orjson

from ocpi_ref.audit import Partners, audit, audit_records
from ocpi_ref.audit.parallel import audit_parallel
from ocpi_ref.audit.records import read_jsonl, to_har_entry
from ocpi_ref.checker import check_start_session
from ocpi_ref.cpo.demo import TNM_CALLBACK, TNM_TOKEN
from ocpi_ref.objects import check_command_response, check_command_result
from ocpi_ref.recordings import record_exchange

PARTNERS = 16


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def template() -> tuple[list[str], list[float]]:
    """The six lines of one exchange, with the values each exchange replaces, and their offsets in seconds."""
    records = record_exchange("2.2.1")[2:]
    start = json.loads(records[0].request_body)
    stop = json.loads(records[3].request_body)
    t0 = records[0].started
    lines, offsets = [], []
    for rec in records:
        entry = to_har_entry(rec)
        offsets.append((rec.started - t0).total_seconds())
        entry["startedDateTime"] = "@WHEN@"
        line = json.dumps(entry)
        for old, new in ((start["response_url"].rsplit("/", 1)[1], "@S@"), (stop["response_url"].rsplit("/", 1)[1], "@T@"),
                         ("SES-00001", "SES-@N@"), ("CDR-00001", "CDR-@N@"), ("Ref-567890", "R@N@"),
                         ("012345678", "U@N@"), (_b64(TNM_TOKEN), "@EMSP@"), (_b64(TNM_CALLBACK), "@CPO@")):
            line = line.replace(old, new)
        lines.append(line)
    return lines, offsets


def partners() -> Partners:
    out = Partners()
    for p in range(PARTNERS):
        out.add(f"emsp-{p}", ("DE-TNM",), f"cpo-{p}")
    return out


def generate(path: Path, records: int) -> int:
    """Write at least *records* records to *path*, streamed; return how many."""
    lines, offsets = template()
    from datetime import datetime, timezone

    base = datetime(2025, 3, 1, tzinfo=timezone.utc)
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        n = 0
        while written < records:
            p = n % PARTNERS
            for line, off in zip(lines, offsets):
                when = (base + timedelta(seconds=n + off)).isoformat().replace("+00:00", "Z")
                fh.write(line.replace("@WHEN@", when).replace("@S@", f"s{n:031x}").replace("@T@", f"t{n:031x}")
                         .replace("@N@", str(n)).replace("@EMSP@", _b64(f"emsp-{p}")).replace("@CPO@", _b64(f"cpo-{p}")) + "\n")
            written += len(lines)
            n += 1
    return written


def parse_floor(path: Path) -> None:
    with open(path, "rb") as fh:
        for line in fh:
            orjson.loads(line)


def one_by_one(path: Path) -> None:
    """Each record's messages through the existing checkers, without correlating anything."""
    with open(path, "rb") as fh:
        for rec in read_jsonl(fh):
            if rec.path.endswith("/START_SESSION") or rec.path.endswith("/STOP_SESSION"):
                if rec.path.endswith("/START_SESSION"):
                    check_start_session(rec.request_body, sender=["DE-TNM"])
                check_command_response(rec.response_body)
            elif "/commands/" in rec.path:
                check_command_result(rec.request_body)


def audited(path: Path) -> None:
    with open(path, "rb") as fh:
        report = audit(read_jsonl(fh), partners=partners())
    assert report.findings == [], report.text()[:2000]


def timed(run, path: Path) -> float:
    began = time.perf_counter()
    run(path)
    return time.perf_counter() - began


def rss_child(path: Path) -> None:
    """Run in a child: audit the log with the streamed engine (each exchange checked and let go
    as it closes), print the exchanges, findings and the peak RSS in MB."""
    exchanges = findings = 0
    with open(path, "rb") as fh:
        for done in audit_records(read_jsonl(fh), partners=partners()):
            exchanges += 1
            findings += len(done.findings)
    print(exchanges, findings, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--rss-records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three contenders, taking turns")
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(Path(args.rss_child))
        return
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log.jsonl"
        n = generate(log, args.records)
        print(f"log: {n} records, {log.stat().st_size / 1e6:.1f} MB")
        rounds = [[timed(f, log) for f in (parse_floor, one_by_one, audited)] for _ in range(args.rounds)]
        floor, single, full = (min(r[i] for r in rounds) for i in range(3))  # turns, best of each
        for name, t in (("orjson.loads", floor), ("one by one", single), ("audit", full)):
            print(f"{name:>14}: {t / n * 1e6:8.2f} us/record  {n / t:10.0f} records/s")
        print(f"audit / one by one: {full / single:.2f}x (target <= 1.5)   audit / orjson.loads: {full / floor:.1f}x")
        cores = multiprocessing.cpu_count()
        t1 = timed(lambda p: audit_parallel(p, partners=partners(), workers=1), log)
        tn = timed(lambda p: audit_parallel(p, partners=partners(), workers=cores), log)
        print(f"parallel: 1 core {n / t1:.0f} records/s, {cores} cores {n / tn:.0f} records/s: {t1 / tn:.2f}x (target >= 1.6 on 2)")
        big = Path(tmp) / "big.jsonl"
        m = generate(big, args.rss_records)
        log.unlink()
        began = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--rss-child", str(big)], capture_output=True, text=True, check=True)
        exchanges, found, peak = done.stdout.split()
        print(f"RSS: {m} records ({big.stat().st_size / 1e6:.0f} MB), {exchanges} exchanges, {found} findings, "
              f"streamed in {time.perf_counter() - began:.0f} s: peak RSS {float(peak):.0f} MB (target < 500)")


if __name__ == "__main__":
    main()
