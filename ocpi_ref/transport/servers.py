"""Run an ASGI app with uvicorn on a loopback port, in a background thread or an asyncio task.

The socket is bound here (port 0 picks a free port), so the URL is known before the server
starts; both helpers stop the server when their context ends, with a bounded wait.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

__all__ = ["Running", "bind", "serve_in_task", "serve_in_thread"]

STARTUP_LIMIT = 10.0  # seconds


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


def _server(app: Any, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False)
    return uvicorn.Server(config)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> Iterator[Running]:
    """Serve *app* in a daemon thread with its own event loop until the block ends."""
    sock = bind(host, port)
    server = _server(app, log_level)
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
async def serve_in_task(app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> AsyncIterator[Running]:
    """Serve *app* as a task of the running event loop until the block ends."""
    sock = bind(host, port)
    server = _server(app, log_level)
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
