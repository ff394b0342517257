"""Record the HTTP traffic of ASGI apps as :class:`~ocpi_ref.audit.records.Record` objects.

``Recorder().wrap(app)`` returns an ASGI app that serves *app* and records every request with
its response, in the order the requests arrive, so a recording of the reference CPO and eMSP on
loopback (``loopback(config, wrap=recorder.wrap)``) is made without any proxy in between.
Times come from the recorder's clock, so a test or the book can record with a fixed clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .records import Record, to_har

__all__ = ["Recorder"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _url(scope: dict[str, Any]) -> str:
    host, port = scope.get("server") or ("localhost", 80)
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}:{port}{scope.get('path', '')}" + (f"?{query}" if query else "")


def _headers(raw: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in raw or ():
        out.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return out


class Recorder:
    """Collects the records of every app it wraps, in one list, numbered in arrival order."""

    def __init__(self, clock: Callable[[], datetime] = _now) -> None:
        self.clock = clock
        self.records: list[Record] = []

    def har(self) -> dict[str, Any]:
        return to_har(self.records)

    def wrap(self, app: Any) -> Any:
        async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            rec = Record(len(self.records), scope["method"], _url(scope), _headers(scope.get("headers")),
                         None, None, {}, None, self.clock())
            self.records.append(rec)
            body, answer = bytearray(), bytearray()

            async def receive_recorded() -> Any:
                message = await receive()
                if message["type"] == "http.request":
                    body.extend(message.get("body", b""))
                    rec.request_body = bytes(body) if body or rec.method in ("POST", "PUT", "PATCH") else None
                return message

            async def send_recorded(message: Any) -> None:
                if message["type"] == "http.response.start":
                    rec.status, rec.response_headers = message["status"], _headers(message.get("headers"))
                elif message["type"] == "http.response.body":
                    answer.extend(message.get("body", b""))
                    if not message.get("more_body"):
                        rec.response_body, rec.ended = bytes(answer), self.clock()
                await send(message)

            await app(scope, receive_recorded, send_recorded)

        return recorded
