"""Throughput of the batch mode (``ocpi_ref.batch.check_lines``) against ``orjson.loads``.

The mix (issue 21): StartSessions, 70% valid, 30% with one to three errors, generated from a
fixed seed. Prints lines per second of ``orjson.loads`` over the same lines (one core), of the
batch on one worker and on every core, and the ratios: batch per core / orjson (target <= 10x)
and every core / one (target >= 1.8x on 2 cores). Rounds alternate, best of N is kept; on a
shared machine the figures are noisy, the ratios less so.
Usage: ``python benchmarks/bench_batch.py [--lines N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import time

import orjson

from ocpi_ref.batch import check_lines

BAD = [
    ("location_id", "X" * 40), ("location_id", 7), ("response_url", "not a url"),
    ("token.last_updated", "2015-06-29T20:39:09+00:00"), ("token.valid", "yes"), ("token.type", "rfid"),
    ("token.country_code", "ZZ"), ("token.uid", None),
]


def lines(n: int, seed: int = 21) -> bytes:
    """*n* StartSessions, one per line, 70% valid, 30% with errors, the same for a seed."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        token = {"country_code": "DE", "party_id": "TNM", "uid": f"{rng.randrange(10**12):012d}", "type": "RFID",
                 "contract_id": "DE8ACC12E46L89", "issuer": "TheNewMotion", "valid": True,
                 "whitelist": "ALLOWED", "last_updated": "2026-01-02T03:04:05Z"}
        doc = {"response_url": f"https://emsp.example.com/ocpi/cb/{i}", "token": token,
               "location_id": f"LOC-{rng.randrange(10**4)}", "evse_uid": "EVSE-1", "connector_id": "1"}
        if rng.random() < 0.3:
            for field, value in rng.sample(BAD, rng.randint(1, 3)):
                target, _, name = field.rpartition(".")
                (doc["token"] if target else doc)[name] = value
        out.append(json.dumps(doc, separators=(",", ":")))
    return ("\n".join(out) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = lines(args.lines)
    cores = os.cpu_count() or 1

    def orjson_run() -> None:
        for line in io.BytesIO(data):
            orjson.loads(line)

    def batch(workers: int) -> None:
        for _ in check_lines(io.BytesIO(data), workers=workers):
            pass

    contenders = {"orjson.loads": orjson_run, "batch, 1 worker": lambda: batch(1), f"batch, {cores} workers": lambda: batch(cores)}
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(args.rounds):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    print(f"{args.lines} StartSessions (70% valid), {len(data)} bytes, {cores} cores, best of {args.rounds}")
    for name, seconds in best.items():
        print(f"{name:24} {args.lines / seconds:12,.0f} lines/s")
    per_core = best["batch, 1 worker"] / best["orjson.loads"]
    scale = best["batch, 1 worker"] / best[f"batch, {cores} workers"]
    print(f"batch per core / orjson.loads: {per_core:.1f}x (target <= 10x: {'met' if per_core <= 10 else 'MISSED'})")
    print(f"{cores} cores / 1: {scale:.2f}x (target >= 1.8x on 2 cores: {'met' if scale >= 1.8 else 'MISSED'})")


if __name__ == "__main__":
    main()
