"""An HTTP client that holds under a hostile server: every request bounded in time and size.

httpx's timeouts are per operation: a server that sends 16 bytes every 2 s never trips a read
timeout, and nothing bounds how much of an answer is read into memory. :class:`BoundedTransport`
wraps any httpx transport so that the whole exchange (connect, headers and the entire body)
finishes within *total* seconds and no answer body over *max_bytes* is read: past either, the
request fails with :class:`AnswerTooSlow` or :class:`AnswerTooLarge` (both ``httpx.TransportError``,
so callers that already handle httpx errors need nothing new). The reference eMSP's client and
the conformance suite use it (``conformance.answer-limits``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

__all__ = ["DEFAULT_MAX_ANSWER_BYTES", "DEFAULT_TOTAL_SECONDS", "AnswerTooLarge", "AnswerTooSlow", "BoundedTransport", "bounded_client"]

#: The largest answer body read (4 MiB): an OCPI answer to one command or one page is far smaller.
DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024
#: The longest a whole exchange may take, headers and body (seconds).
DEFAULT_TOTAL_SECONDS = 10.0


class AnswerTooLarge(httpx.TransportError):
    """The answer's body is larger than the client reads."""


class AnswerTooSlow(httpx.TimeoutException):
    """The whole answer did not arrive within the client's total time."""


class _BoundedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, request: httpx.Request, deadline: float, max_bytes: int, total: float) -> None:
        self.inner, self.request, self.deadline, self.max_bytes, self.total = inner, request, deadline, max_bytes, total

    async def __aiter__(self) -> AsyncIterator[bytes]:
        loop, size = asyncio.get_running_loop(), 0
        chunks = self.inner.__aiter__()
        while True:
            try:
                async with asyncio.timeout(max(self.deadline - loop.time(), 0)):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise AnswerTooSlow(f"no complete answer within {self.total:g} s", request=self.request) from None
            size += len(chunk)
            if size > self.max_bytes:
                raise AnswerTooLarge(f"answer too large: more than {self.max_bytes} bytes", request=self.request)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class BoundedTransport(httpx.AsyncBaseTransport):
    """*inner* with the whole exchange bounded: *total* seconds, *max_bytes* of answer body."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None, *, total: float = DEFAULT_TOTAL_SECONDS,
                 max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.total, self.max_bytes = total, max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.total
        try:
            async with asyncio.timeout(self.total):
                response = await self.inner.handle_async_request(request)
        except TimeoutError:
            raise AnswerTooSlow(f"no answer within {self.total:g} s", request=request) from None
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await response.aclose()
            raise AnswerTooLarge(f"answer too large: {declared} bytes declared, more than {self.max_bytes}", request=request)
        response.stream = _BoundedStream(response.stream, request, deadline, self.max_bytes, self.total)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def bounded_client(*, total: float = DEFAULT_TOTAL_SECONDS, max_bytes: int = DEFAULT_MAX_ANSWER_BYTES, **kw: object) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` (no redirects followed) whose every request is bounded."""
    kw.setdefault("follow_redirects", False)
    return httpx.AsyncClient(transport=BoundedTransport(total=total, max_bytes=max_bytes), timeout=total, **kw)  # type: ignore[arg-type]
