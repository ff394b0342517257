"""The OCPI response format the reference CPO writes (OCPI 2.2.1 §4.1.7): every answer has one,
so its timestamp is formatted once per second and its JSON written without a second pass."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..types import DateTime
from .replies import Reply

__all__ = ["envelope", "json_bytes"]


def envelope(reply: Reply, now: datetime) -> dict[str, Any]:
    """The OCPI response format (OCPI 2.2.1 §4.1.7) of *reply*.

    ``data`` is written whenever the reply has some: a refused command keeps its
    CommandResponse REJECTED next to status 2001 or 2003, as the spec's own unknown-Location
    diagram does.
    """
    out: dict[str, Any] = {}
    if reply.data is not None:
        out["data"] = reply.data
    out["status_code"] = reply.status_code
    if reply.message:
        out["status_message"] = reply.message
    out["timestamp"] = _timestamp(now)
    return out


_LAST_STAMP: tuple[datetime | None, DateTime | None] = (None, None)


def _timestamp(now: datetime) -> DateTime:
    """``DateTime.from_datetime(now)``, formatted once per second (every answer has one)."""
    global _LAST_STAMP
    second = now.replace(microsecond=0)
    last, text = _LAST_STAMP  # one tuple, read and replaced whole: safe across threads
    if text is None or last != second or last.tzinfo != second.tzinfo:
        text = DateTime.from_datetime(second)
        _LAST_STAMP = (second, text)
    return text


def json_bytes(out: dict[str, Any]) -> bytes:
    """*out* as UTF-8 JSON; a lone surrogate anywhere in it is written as a ``\\u`` escape."""
    try:
        return json.dumps(out, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(out).encode("ascii")
