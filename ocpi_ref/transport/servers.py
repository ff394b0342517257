"""Run an ASGI app with uvicorn on a loopback port, in a background thread or an asyncio task.

The socket is bound here (port 0 picks a free port), so the URL is known before the server
starts; both helpers stop the server when their context ends, with a bounded wait.

Every server made here is bounded (:class:`Limits`): uvicorn closes an idle keep-alive
connection after ``keep_alive`` seconds, but has no timeout for a request head that never
finishes (half a request line keeps a connection, and its descriptor, for ever) and no limit
on open connections. :func:`bounded_protocol` wraps uvicorn's HTTP protocol to add both: a
request head must be complete within ``head_timeout`` seconds of the connection's opening or
of its first byte after a response, else the connection is closed; a connection past
``max_connections`` open ones is closed at once. A reverse proxy in front does the same in
production; the reference's own server does not fall over on loopback without one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

__all__ = ["Limits", "Running", "bind", "bounded_protocol", "serve_in_task", "serve_in_thread", "server_config"]

STARTUP_LIMIT = 10.0  # seconds

log = logging.getLogger("ocpi_ref.transport")


@dataclass(frozen=True)
class Limits:
    """What one connection may hold: seconds for a request head, seconds idle between requests,
    and how many connections may be open at once."""

    head_timeout: float = 10.0
    keep_alive: float = 5.0
    max_connections: int = 512


def bounded_protocol(limits: Limits, base: type[asyncio.Protocol] = AutoHTTPProtocol) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol *base* with a time limit on request heads and a connection cap.

    A head is awaited from the connection's opening, and again from the first byte after a
    response; a new request (uvicorn's ``cycle``) means the head is complete.
    """

    class Bounded(base):  # type: ignore[misc, valid-type]
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                log.debug("more than %d connections open: one closed at once", limits.max_connections)
                transport.close()
                return
            self._await_head()

        def data_received(self, data: bytes) -> None:
            cycle = self.cycle
            super().data_received(data)
            if self.cycle is not cycle:
                self._head_done()
            elif cycle is None or cycle.response_complete:
                self._await_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._head_done()
            super().connection_lost(exc)

        def _await_head(self) -> None:
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(limits.head_timeout, self._head_too_slow)

        def _head_done(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if self.cycle is None or self.cycle.response_complete:
                log.debug("request head not complete within %g s: connection closed", limits.head_timeout)
                self.transport.close()

    Bounded.__name__ = Bounded.__qualname__ = f"Bounded{base.__name__}"
    return Bounded


def server_config(
    app: Any, log_level: str = "warning", limits: Limits | None = None, access_log: bool = False
) -> uvicorn.Config:
    """The uvicorn configuration of *app*, bounded by *limits*."""
    limits = limits or Limits()
    return uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="on",
        access_log=access_log,
        http=bounded_protocol(limits),
        timeout_keep_alive=limits.keep_alive,
    )


@dataclass(frozen=True)
class Running:
    """A server that is up: its base URL and the uvicorn server object."""

    url: str
    server: uvicorn.Server


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on *host*:*port* (0: a free port)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _server(app: Any, log_level: str, limits: Limits | None) -> uvicorn.Server:
    return uvicorn.Server(server_config(app, log_level, limits))


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning", limits: Limits | None = None
) -> Iterator[Running]:
    """Serve *app* in a daemon thread with its own event loop until the block ends."""
    sock = bind(host, port)
    server = _server(app, log_level, limits)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_LIMIT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the server did not start")
        time.sleep(0.005)
    try:
        yield Running(_url(sock), server)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_LIMIT)
        sock.close()


@asynccontextmanager
async def serve_in_task(
    app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning", limits: Limits | None = None
) -> AsyncIterator[Running]:
    """Serve *app* as a task of the running event loop until the block ends."""
    sock = bind(host, port)
    server = _server(app, log_level, limits)
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    deadline = time.monotonic() + STARTUP_LIMIT
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the server did not start")
        await asyncio.sleep(0.005)
    try:
        yield Running(_url(sock), server)
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, STARTUP_LIMIT)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        sock.close()
