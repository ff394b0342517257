"""START_SESSION over HTTP: the reference CPO against a bare FastAPI endpoint that only parses JSON.

Run: ``.venv/bin/python benchmarks/bench_http.py [--requests N] [--concurrency C]``.
Not a test. Everything runs on 127.0.0.1 in separate processes, each server with one uvicorn
worker: the reference CPO (demo configuration), the bare endpoint, and a minimal receiver for
the CommandResults the CPO POSTs. The load generator is a small keep-alive HTTP/1.1 client
(asyncio streams), so the client is not the bottleneck. Each measurement sends a fixed number
of requests after a warm-up and stops; the servers are terminated at the end.

Each figure is the best of ``--rounds`` rounds, the rounds taking bare, accepted and refused in
turn on servers that stay up. Other work on a shared machine only ever slows a run down, so the
best round is the steadiest figure for each side; with one round, a single slowed bare run
moved every ratio.

Figures reported:
* bare: POST with a StartSession body, ``json.loads`` of the body, a tiny JSON answer;
* bare as a plain Starlette route (no dependency injection), as the CPO registers its commands
  routes: shown so that the gain from that is not mistaken for a gain of the CPO's own work;
* bare + callback: the same, and after the answer one small POST to the body's
  ``response_url`` with the CPO's own client (an aiohttp session made as
  :mod:`ocpi_ref.cpo.delivery` makes it), timed until the last callback has arrived: the fair
  floor for the whole exchange, since the plain bare endpoint does no I/O;
* START_SESSION accepted: the full decision, an ACCEPTED envelope, and (in the background of
  the same worker) the Charge Point simulation and the CommandResult POST;
* START_SESSION refused (unknown Location, 2003): the decision only, no CommandResult.

The sync ratio is accepted / bare; the exchange ratio is "until last result" / "bare + callback".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response

HERE = Path(__file__).resolve()


# ---------------------------------------------------------------- servers (child processes)

def _bare_app():
    app = FastAPI()

    @app.post("/ocpi/cpo/2.2.1/commands/{command}")
    async def command(command: str, request: Request) -> Response:
        json.loads(await request.body())
        return Response(b'{"status_code":1000}', media_type="application/json")

    return app


def _bare_route_app():
    """The bare endpoint as a plain Starlette route, as the CPO registers its commands routes."""
    app = FastAPI()

    async def command(request: Request) -> Response:
        json.loads(await request.body())
        return Response(b'{"status_code":1000}', media_type="application/json")

    app.router.add_route("/ocpi/cpo/2.2.1/commands/{command}", command, methods=["POST"])
    return app


def _bare_callback_app():
    """Parse the body, answer, then POST one small callback with the CPO's own aiohttp client."""
    from starlette.background import BackgroundTask

    from ocpi_ref.cpo.delivery import _own_session

    app = FastAPI()
    state: dict[str, object] = {}

    async def post(url: str) -> None:
        session = state.get("session")
        if session is None:
            session = state["session"] = _own_session(5.0)
        async with session.post(url, data=b'{"result":"ACCEPTED"}', headers={"Content-Type": "application/json"},
                                allow_redirects=False) as resp:
            await resp.read()

    @app.post("/ocpi/cpo/2.2.1/commands/{command}")
    async def command(command: str, request: Request) -> Response:
        body = json.loads(await request.body())
        return Response(b'{"status_code":1000}', media_type="application/json",
                        background=BackgroundTask(post, body["response_url"]))

    return app


async def _receiver(port: int) -> None:
    """Answers every request with 200 and an empty body (keep-alive)."""

    received = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if head.startswith(b"GET /count"):
                    text = str(received).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(text), text))
                    continue
                received += 1
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def serve(kind: str, port: int) -> None:
    if kind == "receiver":
        asyncio.run(_receiver(port))
        return
    import uvicorn

    if kind == "bare":
        app = _bare_app()
    elif kind == "bare-route":
        app = _bare_route_app()
    elif kind == "bare-callback":
        app = _bare_callback_app()
    else:
        from ocpi_ref.cpo.app import create_cpo_app
        from ocpi_ref.cpo.demo import demo_config

        # A measurement is a burst of accepted commands whose results are still being POSTed
        # when the burst ends; the backlog limit (commands.backlog-limit) would answer part of
        # it with cheap 429s, so it is raised out of the way: this measures the accepting path.
        app = create_cpo_app(demo_config(callback_hosts=["127.0.0.1"], max_backlog=1_000_000))
    loop, http = STACKS[os.environ.get("OCPI_BENCH_STACK", "auto")]
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, workers=1, loop=loop, http=http)


#: ``--stack``: uvicorn's pick (uvloop and httptools when installed, the server extra installs
#: both) or the plain stack (asyncio's loop and the pure-Python h11) for comparison.
STACKS = {"auto": ("auto", "auto"), "plain": ("asyncio", "h11")}


def _stack_name(stack: str) -> str:
    if stack == "plain":
        return "uvicorn + asyncio loop + h11"
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio loop"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn + {loop} + {http}"


# ---------------------------------------------------------------- load generator

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(kind: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(HERE), "--serve", kind, "--port", str(port)])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def _request(port: int, body: bytes) -> bytes:
    import base64

    auth = base64.b64encode(b"tnm-calls-ref").decode()
    return (
        f"POST /ocpi/cpo/2.2.1/commands/START_SESSION HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {auth}\r\nContent-Type: application/json\r\n"
        f"X-Request-ID: bench\r\nX-Correlation-ID: bench\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _load(port: int, bodies: list[bytes], concurrency: int) -> tuple[float, list[bytes]]:
    queue = list(reversed(bodies))
    samples: list[bytes] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            writer.write(_request(port, queue.pop()))
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))
            length = next(int(l.split(b":", 1)[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
            data = await reader.readexactly(length)
            if len(samples) < 3:
                samples.append(data)
        writer.close()

    t0 = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), timeout=300)
    return time.perf_counter() - t0, samples


def _bodies(n: int, cb_port: int, location: str) -> list[bytes]:
    from ocpi_ref.v2_2_1.examples import spec_example

    token = spec_example("token_example_2_full_rfid")
    return [
        json.dumps({
            "response_url": f"http://127.0.0.1:{cb_port}/ocpi/emsp/2.2.1/commands/START_SESSION/{i}",
            "token": token, "location_id": location, "evse_uid": "EVSE-ACC-1",
            "authorization_reference": f"R{i}",
        }).encode()
        for i in range(n)
    ]


def _received(cb_port: int) -> int:
    with socket.create_connection(("127.0.0.1", cb_port), timeout=5) as s:
        s.sendall(b"GET /count HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or not data.split(b"\r\n\r\n", 1)[1]:
            data += s.recv(1024)
        return int(data.split(b"\r\n\r\n", 1)[1])


def _settle(cb_port: int, limit: float = 60) -> int:
    """Wait until the receiver's count stops growing (bounded)."""
    last, deadline = -1, time.monotonic() + limit
    while time.monotonic() < deadline:
        now = _received(cb_port)
        if now == last:
            return now
        last = now
        time.sleep(0.3)
    return last


def measure(port: int, n: int, warmup: int, concurrency: int, cb_port: int, location: str,
            results: bool = False) -> tuple[float, float | None, bytes]:
    """Sync answers per second, and (with *results*) StartSessions per second until the last
    CommandResult has arrived at the receiver."""
    asyncio.run(_load(port, _bodies(warmup, cb_port, location), concurrency))
    before = _settle(cb_port)
    bodies = _bodies(n, cb_port, location)  # built before the clock starts, as for *elapsed*
    t0 = time.perf_counter()
    elapsed, samples = asyncio.run(_load(port, bodies, concurrency))
    full = None
    if results:
        deadline = time.monotonic() + 120
        while _received(cb_port) - before < n and time.monotonic() < deadline:
            time.sleep(0.01)
        got = _received(cb_port) - before
        if got != n:
            raise RuntimeError(f"{got} CommandResults arrived for {n} accepted StartSessions")
        full = n / (time.perf_counter() - t0)
    return n / elapsed, full, samples[0]


def one_round(
    args: argparse.Namespace, bare_port: int, route_port: int, barecb_port: int, cpo_port: int, cb_port: int
) -> tuple[dict[str, float], bytes, bytes]:
    """Each figure once, bare first; the samples are an accepted and a refused answer."""
    n, warmup, conc = args.requests, args.warmup, args.concurrency
    bare, _, _ = measure(bare_port, n, warmup, conc, cb_port, "LOC-0001")
    route, _, _ = measure(route_port, n, warmup, conc, cb_port, "LOC-0001")
    _, bare_full, _ = measure(barecb_port, n, warmup, conc, cb_port, "LOC-0001", results=True)
    acc, full, acc_sample = measure(cpo_port, n, warmup, conc, cb_port, "LOC-0001", results=True)
    ref, _, ref_sample = measure(cpo_port, n, warmup, conc, cb_port, "LOC-9999")
    return {"bare": bare, "route": route, "bare_full": bare_full, "acc": acc, "full": full, "ref": ref}, acc_sample, ref_sample


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stack", choices=tuple(STACKS), default="auto", help="auto: uvloop and httptools when installed; plain: asyncio and h11")
    ap.add_argument("--serve", choices=("cpo", "bare", "bare-route", "bare-callback", "receiver"), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return 0
    os.environ["OCPI_BENCH_STACK"] = args.stack  # the servers are started as child processes

    procs = []
    try:
        recv, cb_port = _start("receiver")
        procs.append(recv)
        bare, bare_port = _start("bare")
        procs.append(bare)
        route, route_port = _start("bare-route")
        procs.append(route)
        barecb, barecb_port = _start("bare-callback")
        procs.append(barecb)
        cpo, cpo_port = _start("cpo")
        procs.append(cpo)
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            figures, acc_sample, ref_sample = one_round(args, bare_port, route_port, barecb_port, cpo_port, cb_port)
            best = {k: max(v, best.get(k, 0.0)) for k, v in figures.items()}
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    assert b'"result":"ACCEPTED"' in acc_sample.replace(b" ", b""), acc_sample
    assert b'"status_code":2003' in ref_sample.replace(b" ", b""), ref_sample
    bare_rps, acc_rps, acc_full, ref_rps = best["bare"], best["acc"], best["full"], best["ref"]
    bare_full = best["bare_full"]
    print(f"requests per measurement: {args.requests} (warm-up {args.warmup}), concurrency {args.concurrency}, one uvicorn worker each")
    print(f"best of {args.rounds} rounds per figure; every server on the same stack: {_stack_name(args.stack)}")
    print(f"bare FastAPI endpoint (json.loads only):    {bare_rps:8.0f} req/s")
    print(f"START_SESSION accepted, sync answers:       {acc_rps:8.0f} req/s   ratio {acc_rps / bare_rps:.2f}")
    print(f"  the same as a plain Starlette route:      {best['route']:8.0f} req/s   (accepted sync to it: "
          f"{acc_rps / best['route']:.2f}; the CPO's commands routes are plain routes)")
    print(f"bare + one callback POST, until last one:   {bare_full:8.0f} req/s")
    print(f"START_SESSION accepted, until last result:  {acc_full:8.0f} req/s   ratio {acc_full / bare_full:.2f} (to bare + callback)")
    print(f"START_SESSION refused, 2003 (no result):    {ref_rps:8.0f} req/s   ratio {ref_rps / bare_rps:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
