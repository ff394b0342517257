"""The conformance suite against the reference CPO on loopback: how long a run takes.

Run: ``.venv/bin/python benchmarks/bench_conformance.py [--rounds N] [--version V]``. Not a
test. The reference CPO (demo configuration with the demo's short deadlines: ``command_timeout``
2 s, ``charge_point_deadline`` 1 s) and the suite's callback server share one event loop on
127.0.0.1; the suite listens 0.3 s for CommandResults that should not come (``--settle``).
Figures: the best of *rounds* wall-clock times of the read-only suite and of the full suite.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from ocpi_ref.conformance import Status, Target, run_suite
from ocpi_ref.cpo import demo_config
from ocpi_ref.cpo.demo import TNM_CALLBACK, TNM_TOKEN
from ocpi_ref.harness import loopback


async def once(version: str, read_only: bool) -> tuple[float, dict[str, int]]:
    async with loopback(demo_config(command_timeout=2, charge_point_deadline=1), partners=()) as lb:
        target = Target(lb.versions_url, TNM_TOKEN, ["DE-TNM"], "LOC-0001", "EVSE-ACC-1", version=version,
                        callback_token=TNM_CALLBACK, settle=0.3, read_only=read_only)
        started = time.perf_counter()
        _, outcomes = await run_suite(target)
        seconds = time.perf_counter() - started
    return seconds, {s.value: sum(o.status is s for o in outcomes) for s in Status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--version", default="2.2.1")
    args = parser.parse_args()
    for read_only in (True, False):
        runs = [asyncio.run(once(args.version, read_only)) for _ in range(args.rounds)]
        best = min(seconds for seconds, _ in runs)
        counts = runs[0][1]
        label = "read-only suite" if read_only else "full suite"
        print(f"OCPI {args.version} {label}: best {best:.2f} s of {args.rounds} "
              f"({counts['pass']} passed, {counts['fail']} failed, {counts['warn']} warned, {counts['skip']} skipped)")


if __name__ == "__main__":
    main()
