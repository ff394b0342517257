"""The conformance suite against the reference CPO on loopback: how long a run takes.

Run: ``.venv/bin/python benchmarks/bench_conformance.py [--rounds N] [--version V]``. Not a
test. The reference CPO (demo configuration) and the suite's callback server share one event
loop on 127.0.0.1. Two settings:

* defaults: the demo configuration as shipped (``command_timeout`` 30 s, the Charge Point
  deadline 20 s) and the suite's default ``--settle`` of 2 s;
* short: the demo's short deadlines (``command_timeout`` 2 s, ``charge_point_deadline`` 1 s)
  and ``--settle 0.3``.

Each is run without and with ``--silent-evse EVSE-SIL-1`` (the silent Charge Point scenario
waits for the CPO's TIMEOUT, so its time follows the Charge Point deadline). Figures: the best
of *rounds* wall-clock times of the read-only suite and of the full suite.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from ocpi_ref.conformance import Status, Target, run_suite
from ocpi_ref.cpo import demo_config
from ocpi_ref.cpo.demo import TNM_CALLBACK, TNM_TOKEN
from ocpi_ref.harness import loopback

SETTINGS = {"defaults": ({}, 2.0), "short": ({"command_timeout": 2, "charge_point_deadline": 1}, 0.3)}


async def once(version: str, setting: str, read_only: bool, silent: bool) -> tuple[float, dict[str, int]]:
    config, settle = SETTINGS[setting]
    async with loopback(demo_config(**config), partners=()) as lb:
        target = Target(lb.versions_url, TNM_TOKEN, ["DE-TNM"], "LOC-0001", "EVSE-ACC-1", version=version,
                        callback_token=TNM_CALLBACK, settle=settle, read_only=read_only,
                        silent_evse="EVSE-SIL-1" if silent else None)
        started = time.perf_counter()
        _, outcomes = await run_suite(target)
        seconds = time.perf_counter() - started
    return seconds, {s.value: sum(o.status is s for o in outcomes) for s in Status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--version", default="2.2.1")
    args = parser.parse_args()
    for setting in SETTINGS:
        for read_only, silent in ((True, False), (False, False), (False, True)):
            runs = [asyncio.run(once(args.version, setting, read_only, silent)) for _ in range(args.rounds)]
            best = min(seconds for seconds, _ in runs)
            counts = runs[0][1]
            label = "read-only suite" if read_only else "full suite" + (" with --silent-evse" if silent else "")
            print(f"OCPI {args.version} {setting:<8} {label:<32}: best {best:5.2f} s of {args.rounds} "
                  f"({counts['pass']} passed, {counts['fail']} failed, {counts['warn']} warned, {counts['skip']} skipped)")


if __name__ == "__main__":
    main()
