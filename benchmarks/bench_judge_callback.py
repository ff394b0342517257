"""Memory of the judge and of the eMSP's callback under a flood: RSS after N requests.

Run: ``.venv/bin/python benchmarks/bench_judge_callback.py [--requests N]``. Not a test. Each
request goes straight into the ASGI app (no sockets), so the figure is what the app keeps:

* the judge (``ocpi-ref cpo --judge``): N requests with unknown credentials, each a finding
  (kept: at most ``MAX_FINDINGS`` per partner, the rest counted);
* the eMSP's callback: N POSTs of a small CommandResult for request ids it never sent (counted,
  a few kept as evidence), then one 100 MiB body (refused with 413, unread).

Figures: the resident set size (``/proc/self/status`` VmRSS) before and after each, in MiB, the
growth per thousand requests, and what each kept.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from typing import Any

from ocpi_ref.cpo import demo_config
from ocpi_ref.cpo.judge import Judge
from ocpi_ref.emsp import CommandTracker, create_callback_app


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> int:
    queue = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    queue.append({"type": "http.request", "body": b"", "more_body": False})
    got = {"status": 0}

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            got["status"] = message["status"]

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"", "headers": headers,
             "http_version": "1.1", "scheme": "http", "server": ("t", 80), "client": ("127.0.0.1", 5), "root_path": ""}
    await app(scope, receive, send)
    return got["status"]


async def judge_flood(n: int) -> str:
    judge = Judge(demo_config())
    gc.collect()
    before, started = rss_mib(), time.perf_counter()
    for i in range(n):
        await call(judge, "GET", "/ocpi/versions", [(b"authorization", f"Token nobody-{i}".encode())], [])
    gc.collect()
    after, seconds = rss_mib(), time.perf_counter() - started
    part = judge.report()["(unknown credentials)"]
    await judge.aclose()
    return (f"judge:    {n} requests in {seconds:.1f} s, RSS {before:.1f} -> {after:.1f} MiB "
            f"({(after - before) / n * 1000:.3f} MiB per 1000); kept {len(part['findings'])} findings, dropped {part.get('dropped', 0)}")


async def callback_flood(n: int) -> str:
    tracker = CommandTracker()
    app = create_callback_app(tracker)
    gc.collect()
    before, started = rss_mib(), time.perf_counter()
    for i in range(n):
        await call(app, "POST", f"/ocpi/emsp/2.2.1/commands/START_SESSION/unknown-{i}", [], [b'{"result": "ACCEPTED"}'])
    big = await call(app, "POST", "/ocpi/emsp/2.2.1/commands/START_SESSION/big", [(b"content-length", str(100 << 20).encode())],
                     [b"x" * (1 << 20)] * 100)
    gc.collect()
    after, seconds = rss_mib(), time.perf_counter() - started
    return (f"callback: {n} stray POSTs and one 100 MiB body (HTTP {big}) in {seconds:.1f} s, RSS {before:.1f} -> {after:.1f} MiB "
            f"({(after - before) / n * 1000:.3f} MiB per 1000); kept {len(tracker.arrivals)} arrivals, "
            f"{len(getattr(tracker, 'strays', ()))} strays as evidence of {getattr(tracker, 'stray_count', 0)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    args = parser.parse_args()
    print(asyncio.run(judge_flood(args.requests)))
    print(asyncio.run(callback_flood(args.requests)))


if __name__ == "__main__":
    main()
