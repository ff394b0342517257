"""A failed HTTP request in words for a person: "nothing answered there", not ``ConnectError``."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["in_words", "result_step"]


def in_words(exc: Exception) -> str:
    """What went wrong with a request, for a person (not ``ConnectError``)."""
    detail = f" ({exc})" if str(exc) else ""
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "not an http:// or https:// URL"
    if isinstance(exc, httpx.ConnectError):
        return f"nothing answered there: the host is unknown or refused the connection{detail}"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer in time{detail}"
    if isinstance(exc, ValueError):
        return f"the answer is not JSON{detail}"
    return f"the request failed{detail}"


def result_step(result: Any, v211: bool) -> str:
    """The asynchronous answer as one line of the exchange's steps."""
    if v211:
        return f"asynchronous CommandResponse {result.result.value}"
    text = f": {result.message[0].text}" if result.message else ""
    return f"CommandResult {result.result.value}{text}"
