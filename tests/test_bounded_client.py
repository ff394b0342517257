"""The suite's and the eMSP's HTTP client against a hostile server: an answer that never ends and a
giant one give a finding within the bounds (``conformance.answer-limits``), never a hang or a
full memory."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from ocpi_ref.conformance import Status, Target, run_suite
from ocpi_ref.transport.bounded import AnswerTooLarge, AnswerTooSlow, bounded_client
from ocpi_ref.transport.servers import serve_in_task


async def hostile(scope, receive, send):
    """``/drip``: 16 bytes every 0.2 s (chunked; for 3 s, so the test server can stop); ``/giant``: 8 MiB, undeclared;
    ``/declared``: a Content-Length of 1 GiB."""
    if scope["type"] != "http":
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
            await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    path = scope["path"]
    headers = [(b"content-type", b"application/json")]
    if path.startswith("/declared"):
        headers.append((b"content-length", str(1 << 30).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    try:
        if path.startswith("/drip"):
            await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
            for _ in range(15):
                await asyncio.sleep(0.2)
                await send({"type": "http.response.body", "body": b"0123456789abcdef", "more_body": True})
        chunk = b"[" * 65536
        for _ in range(128 if path.startswith("/giant") else 1):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    except OSError:
        return


@pytest.mark.rule("conformance.answer-limits")
@pytest.mark.parametrize("path, error", [("/drip", AnswerTooSlow), ("/giant", AnswerTooLarge), ("/declared", AnswerTooLarge)])
def test_the_bounded_client_gives_up_in_time_and_size(path, error):
    async def run():
        async with serve_in_task(hostile) as served:
            async with bounded_client(total=1.0, max_bytes=1 << 20) as http:
                started = time.monotonic()
                with pytest.raises(error) as caught:
                    await http.get(served.url + path)
                return time.monotonic() - started, caught.value

    took, exc = asyncio.run(run())
    assert took < 3 and isinstance(exc, httpx.TransportError)
    assert ("answer too large" if error is AnswerTooLarge else "within 1 s") in str(exc)


@pytest.mark.rule("conformance.answer-limits")
def test_the_suite_reports_a_version_list_that_never_ends_and_goes_on():
    async def run():
        async with serve_in_task(hostile) as served:
            target = Target(served.url + "/drip", "tok", ["DE-TNM"], "LOC-1", read_only=True, http_timeout=1.0, settle=0.1)
            started = time.monotonic()
            spoken, outcomes = await run_suite(target, ["discovery.version-list"])
            return time.monotonic() - started, outcomes

    took, [outcome] = asyncio.run(run())
    assert took < 5
    assert outcome.status is Status.WARN and "no complete answer within 1 s" in outcome.summary
    assert outcome.checks[0].rule == "conformance.answer-limits"


def test_the_suite_reports_a_giant_version_list_as_too_large():
    async def run():
        async with serve_in_task(hostile) as served:
            target = Target(served.url + "/giant", "tok", ["DE-TNM"], "LOC-1", read_only=True, max_answer_bytes=1 << 20, settle=0.1)
            return await run_suite(target, ["discovery.version-list"])

    _, [outcome] = asyncio.run(run())
    assert "answer too large: more than 1048576 bytes" in outcome.summary


def test_the_emsp_client_is_bounded_too():
    from ocpi_ref.emsp.callback import CommandTracker
    from ocpi_ref.emsp.client import EmspClient

    async def run():
        async with serve_in_task(hostile) as served:
            client = EmspClient(served.url + "/drip/versions", "tok", ["DE-TNM"], "http://127.0.0.1:9", CommandTracker(), request_timeout=1.0)
            started = time.monotonic()
            try:
                steps = await client.discover()
            except Exception as exc:  # noqa: BLE001 - the client's discovery error names the cause
                steps = [str(exc)]
            finally:
                await client.aclose()
            return time.monotonic() - started, steps

    took, steps = asyncio.run(run())
    assert took < 3, steps
    assert "within 1 s" in " ".join(steps)
