"""Connections to the reference's own server: a request head that never finishes is cut, and
connections past the cap are closed at once, so a normal client still gets its answer.

Reproducer shapes over a loopback socket: half a request line and then nothing, the same after a
first keep-alive request, and more idle connections than the cap allows.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ocpi_ref.cpo.app import create_cpo_app, server_limits
from ocpi_ref.cpo.config import ConfigError, parse_config
from ocpi_ref.cpo.demo import demo_config, demo_config_dict
from ocpi_ref.transport.servers import Limits, serve_in_task

VERSIONS = b"GET /ocpi/versions HTTP/1.1\r\nHost: x\r\n\r\n"


async def _open(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def _closed_after(reader: asyncio.StreamReader, limit: float = 5) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    data = await asyncio.wait_for(reader.read(), limit)
    return data, loop.time() - began


def test_half_a_request_line_is_cut_after_the_head_timeout():
    async def main():
        async with serve_in_task(create_cpo_app(demo_config()), limits=Limits(head_timeout=0.3)) as running:
            reader, writer = await _open(running.url)
            writer.write(b"POST /ocpi/cpo/2.2.1/comm")
            await writer.drain()
            got = await _closed_after(reader)
            writer.close()
            return got

    data, took = asyncio.run(main())
    assert data == b"" and 0.2 < took < 3


def test_a_head_that_stops_after_a_keep_alive_request_is_cut_too():
    async def main():
        limits = Limits(head_timeout=0.3, keep_alive=30)
        async with serve_in_task(create_cpo_app(demo_config()), limits=limits) as running:
            reader, writer = await _open(running.url)
            writer.write(VERSIONS)
            await writer.drain()
            first = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            await asyncio.sleep(0.5)  # idle longer than a head may take: keep-alive allows it
            writer.write(b"GET /ocpi/vers")  # then half a request line, and nothing more
            await writer.drain()
            rest, took = await _closed_after(reader)
            writer.close()
            return first, rest, took

    first, rest, took = asyncio.run(main())
    assert first.startswith(b"HTTP/1.1 401")  # no credentials: answered, the connection kept
    assert b"HTTP/1.1" not in rest.split(b"\r\n\r\n", 1)[-1] and took < 3


def test_connections_past_the_cap_are_closed_at_once_and_a_normal_client_still_gets_an_answer():
    async def main():
        limits = Limits(head_timeout=30, max_connections=3)
        async with serve_in_task(create_cpo_app(demo_config()), limits=limits) as running:
            held = [await _open(running.url) for _ in range(3)]
            for _, writer in held:
                writer.write(b"GET /ocpi/ver")
            await asyncio.sleep(0.1)
            extra_reader, extra_writer = await _open(running.url)
            refused = await _closed_after(extra_reader, 2)
            extra_writer.close()
            held.pop()[1].close()  # one of the slow ones goes away: there is room again
            await asyncio.sleep(0.1)
            async with httpx.AsyncClient(base_url=running.url) as client:
                answer = await client.get("/ocpi/versions", timeout=5)
            for _, writer in held:
                writer.close()
            return refused, answer

    (data, took), answer = asyncio.run(main())
    assert data == b"" and took < 1
    assert answer.status_code == 401 and answer.json()["status_code"] == 2000


def test_the_cpo_configuration_sets_the_connection_limits():
    config = parse_config(demo_config_dict(head_read_timeout=0.5, max_connections=7, body_read_timeout=3))
    assert server_limits(config) == Limits(head_timeout=0.5, keep_alive=3.0, max_connections=7)
    assert server_limits(demo_config()) == Limits(head_timeout=10.0, keep_alive=10.0, max_connections=512)
    for key, value in [("head_read_timeout", 0), ("max_connections", 1.5)]:
        with pytest.raises(ConfigError, match=f"/cpo/{key}"):
            parse_config(demo_config_dict(**{key: value}))
