"""Results that were lost or went elsewhere: ids that cannot travel, dot segments, giant answers,
and more commands admitted than a lane can answer in time.

Each case is a reproducer's shape: an ACCEPTED command whose X-Correlation-ID aiohttp would not
send (or would send re-encoded), a ``response_url`` whose ``%2e%2e`` segments a client would
remove, a callback answering an endless body, and a burst past what one partner's lane delivers
before the advertised timeout.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.delivery import ANSWER_LIMIT, LANE_SLOTS, Deliverer, Lane
from ocpi_ref.cpo.demo import TNM_TOKEN, demo_config
from ocpi_ref.emsp import token_header
from ocpi_ref.party import PartyId
from ocpi_ref.v2_2_1.enums import CommandResultType

TNM = {"Authorization": token_header(TNM_TOKEN)}
ACCEPTED = CommandResultType.ACCEPTED


def _start(token: dict[str, Any], i: int = 1, evse: str = "EVSE-NOCAR-1") -> bytes:
    return json.dumps({"response_url": f"http://127.0.0.1/cb/{i}", "token": token,
                       "location_id": "LOC-0001", "evse_uid": evse}).encode()


async def _cpo(config, callback, requests: list[tuple[str, bytes, dict[str, Any]]]) -> tuple[list[httpx.Response], Any]:
    """Send each (path, body, headers) to the CPO in process, results POSTed to *callback*."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(callback))
    app = create_cpo_app(config, http=http)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpo.test") as client:
        out = [await client.post(path, content=body, headers=headers) for path, body, headers in requests]
        await app.state.cpo.drain()
    await http.aclose()
    return out, app.state.cpo


# ---------------------------------------------------------------------------- ids that cannot travel


@pytest.mark.rule("commands.correlation-id-travels")
@pytest.mark.parametrize("version", ["2.2.1", "2.1.1"])
@pytest.mark.parametrize(("header", "value"), [
    ("X-Correlation-ID", "caf\xe9".encode("latin-1")),   # a byte over 0x7E: would leave as UTF-8
    ("X-Correlation-ID", b"id\x01"),                       # a control character: aiohttp refuses it
    ("X-Request-ID", b"\xff\xfe"),                         # no correlation id: the request id travels
])
def test_a_command_whose_ids_cannot_travel_is_rejected_at_receipt(rfid_token, version, header, value):
    posted: list[httpx.Request] = []
    path = f"/ocpi/cpo/{version}/commands/START_SESSION"
    headers = {"Authorization": token_header(TNM_TOKEN, "plain" if version == "2.1.1" else "base64"), header: value}
    [resp], cpo = asyncio.run(_cpo(demo_config(), lambda r: posted.append(r) or httpx.Response(200),
                                   [(path, _start(rfid_token), headers)]))
    env = resp.json()
    assert resp.status_code == 200 and env["status_code"] == 2000
    assert env["data"]["result"] == "REJECTED" and "commands.correlation-id-travels" in env["status_message"]
    assert posted == [] and cpo.deliveries == []


@pytest.mark.rule("commands.correlation-id-travels")
def test_a_printable_ascii_correlation_id_comes_back_unchanged(rfid_token):
    posted: list[httpx.Request] = []
    odd = "a b~!{}\"'<>%2e"
    [resp], _ = asyncio.run(_cpo(demo_config(), lambda r: posted.append(r) or httpx.Response(200),
                                 [("/ocpi/cpo/2.2.1/commands/START_SESSION", _start(rfid_token),
                                   {**TNM, "X-Correlation-ID": odd})]))
    assert resp.json()["data"]["result"] == "ACCEPTED"
    [result] = posted
    assert result.headers["x-correlation-id"] == odd


# ---------------------------------------------------------------------------- on the wire (aiohttp)


async def _raw_server(answer):
    """A loopback server that records each request head and answers with *answer(writer)*."""
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            heads.append(await reader.readuntil(b"\r\n\r\n"))
            await answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], heads


async def _short(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    await writer.drain()


def _deliver(urls: list[str], answer=_short, **cfg: Any) -> tuple[list[bytes], Deliverer, float]:
    """POST one result to each URL (a path on the raw server) with the CPO's own aiohttp client."""
    config = demo_config(**cfg)

    async def main():
        server, port, heads = await _raw_server(answer)
        deliverer = Deliverer(config)
        loop = asyncio.get_running_loop()
        began = loop.time()
        try:
            for path in urls:
                await deliverer.post_result("START_SESSION", f"http://127.0.0.1:{port}{path}", ACCEPTED, "ok",
                                            config.partners[0], PartyId("DE", "TNM"), "c-1")
        finally:
            took = loop.time() - began
            await deliverer.aclose()
            server.close()
        return heads, deliverer, took

    return asyncio.run(main())


def test_the_result_is_posted_to_exactly_the_response_url_given_byte_for_byte():
    paths = ["/cb/r1/%2e%2e/%2e%2e/other", "/cb/r1/../x/./y", "/cb/a%2Fb?q=%2e%2e&r=1", "/cb/caf\xe9 x"]
    heads, deliverer, _ = _deliver(paths)
    lines = [h.split(b"\r\n", 1)[0] for h in heads]
    assert lines == [
        b"POST /cb/r1/%2e%2e/%2e%2e/other HTTP/1.1",
        b"POST /cb/r1/../x/./y HTTP/1.1",
        b"POST /cb/a%2Fb?q=%2e%2e&r=1 HTTP/1.1",
        b"POST /cb/caf%C3%A9%20x HTTP/1.1",  # only what cannot be on the wire is escaped
    ]
    assert [d.outcome for d in deliverer.deliveries] == ["delivered"] * 4
    assert [d.response_url.split(":", 2)[2].split("/", 1)[1] for d in deliverer.deliveries] == [
        p.lstrip("/") for p in paths
    ]


async def _endless(writer: asyncio.StreamWriter) -> None:
    """200, then a chunked body that never ends (64 KiB chunks) until the client goes away."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    while True:
        writer.write(chunk)
        await writer.drain()


def test_a_giant_answer_to_the_result_post_is_read_only_up_to_the_limit():
    heads, deliverer, took = _deliver(["/cb/1", "/cb/2"], _endless, callback_timeout=3)
    assert len(heads) == 2
    assert [d.outcome for d in deliverer.deliveries] == ["delivered", "delivered"]  # the status decides
    assert took < 2  # not read until the 3 s timeout cut it


def test_the_injected_client_reads_a_giant_answer_only_up_to_the_limit(rfid_token):
    sent: list[int] = []

    async def endless():
        while True:
            sent.append(65536)
            yield b" " * 65536

    _, cpo = asyncio.run(_cpo(demo_config(), lambda r: httpx.Response(200, content=endless()),
                              [("/ocpi/cpo/2.2.1/commands/START_SESSION", _start(rfid_token), TNM)]))
    [delivery] = cpo.deliveries
    assert delivery.delivered and sum(sent) <= ANSWER_LIMIT + 2 * 65536


# ---------------------------------------------------------------------------- admission


def test_a_lane_admits_only_what_it_can_post_before_the_deadline():
    lane = Lane()
    assert lane.can_deliver(0.1)  # no pace yet: only max_backlog bounds it
    lane.timed(0.3)
    lane.pending = 2 * LANE_SLOTS
    assert lane.can_deliver(0.9)  # the next one goes in the third round: 0.9 s
    lane.pending = 3 * LANE_SLOTS
    assert not lane.can_deliver(0.9)  # a fourth round would end after the deadline
    lane.timed(0.1)
    assert lane.pace == pytest.approx(0.26) and lane.can_deliver(1.1)


@pytest.mark.rule("commands.backlog-limit")
def test_overload_admits_what_the_lane_delivers_in_time_and_refuses_the_rest_at_once(rfid_token):
    config = demo_config(command_timeout=1, charge_point_deadline=0.5, callback_timeout=5)

    async def slow(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.25)
        return httpx.Response(200)

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(slow))
        app = create_cpo_app(config, http=http)
        path = "/ocpi/cpo/2.2.1/commands/START_SESSION"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpo.test") as c:
            await c.post(path, content=_start(rfid_token, 0), headers=TNM)
            await app.state.cpo.drain()  # one result delivered: the lane has a pace
            burst = [await c.post(path, content=_start(rfid_token, i), headers=TNM) for i in range(1, 41)]
            await app.state.cpo.drain()
        await http.aclose()
        return burst, app.state.cpo.deliverer

    burst, deliverer = asyncio.run(main())
    results = [r.json()["data"]["result"] for r in burst]
    # 0.25 s a POST, 8 at a time, 0.9 s to the deadline: three rounds, 24 results.
    assert results == ["ACCEPTED"] * 3 * LANE_SLOTS + ["REJECTED"] * (40 - 3 * LANE_SLOTS)
    refused = burst[-1].json()
    assert "commands.backlog-limit" in refused["status_message"]
    assert deliverer.counts == {"delivered": 1 + 3 * LANE_SLOTS}  # every admitted result arrived, none dropped
