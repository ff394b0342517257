"""Small readers the scenarios share: an answer's status code, CommandResponse and timeout."""

from __future__ import annotations

from typing import Any

from ..model import Exchange

__all__ = ["command_result", "status_code", "timestamp_of"]


def _body(ex: Exchange) -> dict[str, Any]:
    body = ex.json()
    return body if isinstance(body, dict) else {}


def status_code(ex: Exchange) -> Any:
    return _body(ex).get("status_code")


def timestamp_of(ex: Exchange) -> Any:
    return _body(ex).get("timestamp")


def command_result(ex: Exchange) -> tuple[str | None, Any]:
    """The CommandResponse's result and timeout, read leniently (a list of one, a bare 2.1.1
    string): the scenario that judges the CommandResponse's shape is ``start-session.accepted``,
    so the others still read what the peer meant."""
    data = _body(ex).get("data")
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if isinstance(data, str):
        return data, None
    if isinstance(data, dict):
        result = data.get("result")
        return (result if isinstance(result, str) else None), data.get("timeout")
    return None, None
