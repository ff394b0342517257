"""Faults and load against the reference CPO: one partner's callback hangs, do the others suffer?

Run: ``.venv/bin/python benchmarks/bench_faults.py [--commands N] [--memory 10000,50000]
[--overload N] [--judge]`` (``--commands 0 --memory ""`` runs phase 3 alone).
Not a test: it takes a few minutes and reports figures. Everything runs on 127.0.0.1: the
reference CPO in a child process (one uvicorn worker, short deadlines: ``command_timeout`` 2 s),
and in this process the load generator and one callback receiver per partner.

Four partners send StartSessions at once, each from its own keep-alive connections; three
callbacks answer at once, one (``HANG``) reads each CommandResult and never answers. Per partner
it reports: the StartSessions accepted and refused (HTTP 429 once its backlog is full), the
CommandResults that arrived exactly once, more than once, late (after the advertised timeout,
counted from when the eMSP sent the StartSession) and lost (accepted, nothing arrived), and the
result latency p50/p99 (StartSession sent to CommandResult received). Then one healthy partner
sends 50,000 more commands and the CPO's resident memory (``VmRSS``) is read after 10,000 and
50,000 of them. Every command carries its own Token uid, so the authorization window holds
one record per command for its 15 minutes (longer than this run: that memory is the rule's
own). The commands target an EVSE whose car never plugs in, so no Session is made:
Sessions and CDRs are the data the Sessions and CDRs modules serve, kept on purpose; pass
``--sessions`` to see their cost as well.

Phase 3 is sustained overload: one partner whose callback takes 0.2 s per CommandResult (its
lane delivers at most 40 a second) sends ``--overload`` commands on 8 connections as fast as
the CPO answers. The CPO admits only what that partner's lane can deliver before the
deadline (``commands.backlog-limit``) and refuses the rest at once; the figures are the
commands admitted (ACCEPTED), refused, delivered (a CommandResult arrived in time) and dropped
(ACCEPTED, nothing arrived). ``--judge`` serves the CPO in judging mode, so the RSS figures are
those of the judge.

Target: 0 lost and 0 late for the healthy partners, RSS growth under 50 MB for 50k commands;
under overload, dropped a small share of admitted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
TIMEOUT = 2  # the advertised CommandResponse timeout, seconds
PARTNERS = {  # name: (role, callback behaviour)
    "TNM": ("DE-TNM", "ok"),
    "AAA": ("DE-AAA", "ok"),
    "BBB": ("DE-BBB", "ok"),
    "HANG": ("DE-HNG", "hang"),
    "SLOW": ("DE-SLW", "slow"),  # phase 3 only: answers each CommandResult after SLOW_ANSWER seconds
}
SLOW_ANSWER = 0.2  # 8 POSTs at a time: the lane delivers at most 40 results a second


def config(cb_ports: dict[str, int]) -> dict[str, Any]:
    from ocpi_ref.cpo.demo import demo_config_dict

    raw = demo_config_dict(callback_hosts=["127.0.0.1"], command_timeout=TIMEOUT, charge_point_deadline=0.5,
                           callback_timeout=5)
    raw["partners"] = [
        {"name": name, "token": f"{name.lower()}-calls-ref", "callback_token": f"ref-calls-{name.lower()}",
         "roles": [role], "response_url_hosts": ["127.0.0.1"]}
        for name, (role, _) in PARTNERS.items()
    ]
    return raw


# ---------------------------------------------------------------- the CPO (child process)

def serve_cpo(port: int, raw: str, judge: bool = False) -> None:
    import uvicorn

    from ocpi_ref.cpo.app import create_cpo_app, server_limits
    from ocpi_ref.cpo.config import parse_config
    from ocpi_ref.transport.servers import bind, server_config

    config = parse_config(json.loads(raw))
    if judge:
        from ocpi_ref.cpo.judge import Judge

        app = Judge(config)
    else:
        app = create_cpo_app(config)
    uvicorn.Server(server_config(app, "error", server_limits(config))).run(sockets=[bind("127.0.0.1", port)])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


# ---------------------------------------------------------------- callbacks (this process)

class Receiver:
    """A partner's callback: records each arrival (request id, time); answers or hangs."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self._held: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                rid = head.split(b" ", 2)[1].rsplit(b"/", 1)[-1].decode()
                self.arrivals[rid].append(time.monotonic())
                if self.behaviour == "hang":
                    self._held.append(writer)
                    await asyncio.sleep(3600)
                if self.behaviour == "slow":
                    await asyncio.sleep(SLOW_ANSWER)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()


# ---------------------------------------------------------------- the load generator

def _token(role: str) -> dict[str, Any]:
    from ocpi_ref.v2_2_1.examples import spec_example

    token = spec_example("token_example_2_full_rfid")
    token["country_code"], token["party_id"] = role.split("-")
    return token


class Partner:
    def __init__(self, name: str, cpo_port: int, cb_port: int, evse: str) -> None:
        self.name = name
        role = PARTNERS[name][0]
        self.token = _token(role)
        self.auth = base64.b64encode(f"{name.lower()}-calls-ref".encode()).decode()
        self.cpo_port, self.cb_port, self.evse = cpo_port, cb_port, evse
        self.sent: dict[str, float] = {}
        self.status: dict[int, int] = defaultdict(int)

    def request(self, rid: str) -> bytes:
        token = {**self.token, "uid": rid}  # one driver per command, as many Tokens as commands
        body = json.dumps({
            "response_url": f"http://127.0.0.1:{self.cb_port}/cb/{rid}", "token": token,
            "location_id": "LOC-0001", "evse_uid": self.evse,
        }).encode()
        return (
            f"POST /ocpi/cpo/2.2.1/commands/START_SESSION HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Token {self.auth}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def send(self, ids: list[str], concurrency: int) -> None:
        queue = list(reversed(ids))

        async def worker() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.cpo_port)
            while queue:
                rid = queue.pop()
                self.sent[rid] = time.monotonic()
                writer.write(self.request(rid))
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(int(h.split(b":", 1)[1]) for h in head.split(b"\r\n")
                              if h.lower().startswith(b"content-length:"))
                data = await reader.readexactly(length)
                if b"commands.backlog-limit" in data:
                    status = 429  # refused at once: the lane cannot answer it in time (HTTP 429 or 200)
                elif status == 200 and b'"ACCEPTED"' not in data:
                    status = -1  # answered, but not ACCEPTED
                self.status[status] += 1
                if status != 200:
                    del self.sent[rid]
            writer.close()

        await asyncio.gather(*(worker() for _ in range(concurrency)))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def report(partner: Partner, receiver: Receiver) -> dict[str, Any]:
    once = late = lost = dup = 0
    latencies = []
    for rid, sent in partner.sent.items():
        got = receiver.arrivals.get(rid, [])
        if not got:
            lost += 1
            continue
        once += len(got) == 1
        dup += len(got) > 1
        latency = got[0] - sent
        latencies.append(latency)
        late += latency > TIMEOUT
    return {"accepted": partner.status[200], "refused_429": partner.status[429],
            "other": sum(v for k, v in partner.status.items() if k not in (200, 429)),
            "once": once, "duplicated": dup, "late": late, "lost": lost,
            "p50_ms": _pct(latencies, 0.5) * 1000, "p99_ms": _pct(latencies, 0.99) * 1000}


async def run(args: argparse.Namespace) -> int:
    receivers = {name: Receiver(behaviour) for name, (_, behaviour) in PARTNERS.items()}
    servers, cb_ports = [], {}
    for name, receiver in receivers.items():
        server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
        servers.append(server)
        cb_ports[name] = server.sockets[0].getsockname()[1]
    cpo_port = _free_port()
    log = tempfile.TemporaryFile(mode="w+")  # the CPO's log: every result not delivered is a line
    serve = [sys.executable, str(HERE), "--serve-cpo", str(cpo_port), json.dumps(config(cb_ports))]
    proc = subprocess.Popen(serve + (["--judge"] if args.judge else []), stderr=log)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", cpo_port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        evse = "EVSE-ACC-1" if args.sessions else "EVSE-NOCAR-1"
        partners = {name: Partner(name, cpo_port, cb_ports[name], evse) for name, (_, b) in PARTNERS.items() if b != "slow"}
        rss0 = rss_mb(proc.pid)

        # Phase 1: all four partners at once, one callback hanging.
        per = args.commands // len(partners)
        began = time.monotonic()
        await asyncio.gather(*(p.send([f"{name}-{i}" for i in range(per)], args.concurrency)
                               for name, p in partners.items()))
        sending = time.monotonic() - began
        await asyncio.sleep(TIMEOUT + 1)  # every result that can still come, has
        print(f"phase 1: {per} StartSessions from each of {len(partners)} partners, concurrency "
              f"{args.concurrency} each, sent in {sending:.1f} s; advertised timeout {TIMEOUT} s; "
              f"callback of HANG never answers")
        print(f"{'partner':8} {'accepted':>8} {'429':>6} {'other':>5} {'once':>6} {'dup':>4} {'late':>5} "
              f"{'lost':>5} {'p50 ms':>8} {'p99 ms':>8}")
        for name, partner in partners.items():
            r = report(partner, receivers[name])
            print(f"{name:8} {r['accepted']:8} {r['refused_429']:6} {r['other']:5} {r['once']:6} "
                  f"{r['duplicated']:4} {r['late']:5} {r['lost']:5} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f}")
        print("(HANG: 'once' counts CommandResults its callback read before the deadline, each POST cut "
              "there; the others were dropped by the CPO before their POST could start)")
        log.flush()
        log.seek(0)
        lines = log.read().splitlines()
        for name in partners:
            undelivered = [line for line in lines if f"to partner {name} not delivered" in line]
            dropped = sum("commands.result-before-deadline" in line for line in undelivered)
            print(f"  CPO log, {name}: {len(undelivered)} results logged as not delivered "
                  f"({dropped} dropped before their POST, {len(undelivered) - dropped} POSTs failed)")

        # Phase 2: memory, one healthy partner.
        tnm = Partner("TNM", cpo_port, cb_ports["TNM"], evse)
        marks = [int(m) for m in args.memory.split(",") if m]
        rss_start = rss_mb(proc.pid)
        done = 0
        print(f"phase 2: RSS of the CPO process, {'with' if args.sessions else 'no'} Sessions made; "
              f"start {rss0:.1f} MB, after phase 1 {rss_start:.1f} MB")
        for mark in marks:
            await tnm.send([f"M-{i}" for i in range(done, mark)], args.concurrency)
            done = mark
            await asyncio.sleep(TIMEOUT + 0.5)
            rss = rss_mb(proc.pid)
            print(f"  after {mark:6} commands: {rss:7.1f} MB (growth {rss - rss_start:+.1f} MB); "
                  f"accepted {tnm.status[200]}, 429 {tnm.status[429]}")
        r = report(tnm, receivers["TNM"])
        print(f"  phase 2 results: once {r['once']}, late {r['late']}, lost {r['lost']}, "
              f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms")
        if args.overload:
            await overload(Partner("SLOW", cpo_port, cb_ports["SLOW"], evse), receivers["SLOW"], args.overload)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for server in servers:
            server.close()
        log.close()
    return 0


async def overload(partner: Partner, receiver: Receiver, commands: int) -> None:
    """Phase 3: one partner whose callback takes SLOW_ANSWER s, 8 connections, as fast as the CPO answers."""
    began = time.monotonic()
    await partner.send([f"O-{i}" for i in range(commands)], 8)
    sending = time.monotonic() - began
    await asyncio.sleep(TIMEOUT + 1)
    r = report(partner, receiver)
    print(f"phase 3: overload, {commands} StartSessions from one partner on 8 connections in {sending:.1f} s "
          f"({commands / sending:.0f}/s), advertised timeout {TIMEOUT} s; its callback answers after "
          f"{SLOW_ANSWER} s (the lane delivers at most {8 / SLOW_ANSWER:.0f}/s)")
    print(f"  admitted {r['accepted']}, refused at once {r['refused_429']}, other {r['other']}; "
          f"delivered {r['once'] + r['duplicated']} (late {r['late']}), dropped {r['lost']} "
          f"({100 * r['lost'] / max(1, r['accepted']):.1f} % of admitted); p99 {r['p99_ms']:.1f} ms")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-cpo":
        serve_cpo(int(sys.argv[2]), sys.argv[3], "--judge" in sys.argv[4:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commands", type=int, default=8000, help="phase 1, all partners together")
    ap.add_argument("--concurrency", type=int, default=4, help="connections per partner")
    ap.add_argument("--memory", default="10000,50000", help="phase 2 marks")
    ap.add_argument("--sessions", action="store_true", help="use an EVSE where the car plugs in")
    ap.add_argument("--overload", type=int, default=30000, help="phase 3 commands (0: skip it)")
    ap.add_argument("--judge", action="store_true", help="serve the CPO in judging mode (RSS of the judge)")
    return asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
