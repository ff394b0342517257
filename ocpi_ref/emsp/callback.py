"""The reference eMSP's callback endpoint: where the asynchronous answers arrive.

:class:`CommandTracker` matches each answer to its request by the id in the URL it arrived at
(every request has its own response_url, ``commands.unique-response-url``), and keeps every
arrival, so duplicates, strays and crossed results show. :func:`create_callback_app` serves
``/ocpi/emsp/{version}/commands/{command}/{request_id}`` (FastAPI) in every version; it checks
the CPO's credentials when it knows them and accepts only a bare body: a CommandResult, or in
2.1.1 a CommandResponse in either shape (``commands.v211-response-either-shape``).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ..errors import findings_from_error
from ..transport.authorization import accepted_encoding, matching_headers
from ..types import DateTime
from ..v2_1_1 import CommandResponse as CommandResponse211
from ..v2_1_1 import read_command_response
from ..v2_2_1.models import CommandResult
from ..versions import DEFAULT_VERSION, VERSIONS

__all__ = ["CALLBACK_PATH", "Arrival", "CommandTracker", "Refusal", "callback_path", "create_callback_app"]

#: Where the reference eMSP receives 2.2.1 CommandResults: ``{CALLBACK_PATH}/{command}/{request_id}``.
CALLBACK_PATH = "/ocpi/emsp/2.2.1/commands"


def callback_path(version: str) -> str:
    """Where the reference eMSP receives the asynchronous answers of *version*'s commands."""
    return f"/ocpi/emsp/{version}/commands"


@dataclass(frozen=True)
class Arrival:
    """One POST that reached the callback: where, what, and with which headers."""

    command: str
    request_id: str
    body: Any
    headers: dict[str, str]
    result: Any
    matched: bool
    version: str = DEFAULT_VERSION


@dataclass(frozen=True)
class Refusal:
    """A POST the callback refused (wrong credentials, not JSON, not an answer), and why."""

    command: str
    request_id: str
    http_status: int
    reason: str

    def __str__(self) -> str:
        return f"our callback refused the CPO's {self.command} answer (HTTP {self.http_status}): {self.reason}"


class CommandTracker:
    """Pending requests by id, and every asynchronous answer that arrived (loop-bound, not threaded).

    An answer is a CommandResult, or in 2.1.1 a CommandResponse.
    """

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self.arrivals: list[Arrival] = []
        self.refusals: list[Refusal] = []
        self._refused: dict[str, asyncio.Future[Refusal]] = {}

    def refuse(self, refusal: Refusal) -> None:
        """Record a refused POST and wake whoever waits on :meth:`refused` for its request."""
        self.refusals.append(refusal)
        waiter = self._refused.pop(refusal.request_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(refusal)

    def refused(self, request_id: str) -> asyncio.Future[Refusal]:
        """Done with the first :class:`Refusal` of *request_id* (the caller cancels it when done)."""
        waiter: asyncio.Future[Refusal] = asyncio.get_running_loop().create_future()
        earlier = next((r for r in self.refusals if r.request_id == request_id), None)
        if earlier is not None:  # the answer may beat the CommandResponse, and so its refusal
            waiter.set_result(earlier)
        else:
            self._refused[request_id] = waiter
        return waiter

    def expect(self, request_id: str) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = fut
        return fut

    def forget(self, request_id: str) -> None:
        fut = self._pending.pop(request_id, None)
        if fut is not None and not fut.done():
            fut.cancel()

    def arrive(
        self,
        command: str,
        request_id: str,
        body: Any,
        headers: dict[str, str],
        result: Any,
        version: str = DEFAULT_VERSION,
    ) -> bool:
        """Record an arrival; True when it is the first result of a pending request."""
        fut = self._pending.get(request_id)
        matched = result is not None and fut is not None and not fut.done()
        if matched:
            assert fut is not None
            fut.set_result(result)
        self.arrivals.append(Arrival(command, request_id, body, headers, result, matched, version))
        return matched

    def arrivals_for(self, request_id: str) -> list[Arrival]:
        return [a for a in self.arrivals if a.request_id == request_id]


def _envelope(status_code: int, message: str | None = None) -> bytes:
    out: dict[str, Any] = {"status_code": status_code}
    if message:
        out["status_message"] = message
    out["timestamp"] = DateTime.from_datetime(datetime.now(timezone.utc))
    return json.dumps(out).encode()


def _read_result(version: str, body: Any) -> tuple[Any, str | None]:
    """The asynchronous answer in *body*, or None and why: 2.1.1 takes either shape."""
    model: type[BaseModel] = CommandResponse211 if version == "2.1.1" else CommandResult
    try:
        if version == "2.1.1":
            return read_command_response(body), None
        return CommandResult.model_validate(body), None
    except ValidationError as exc:
        return None, "; ".join(f"{f.pointer}: {f.message}" for f in findings_from_error(model, exc))


def _wrong_credentials(sent: str | None) -> str:
    """Why a CommandResult POST got 401, in words that point at the likely fix."""
    what = "no Authorization header" if sent is None else "an Authorization header that is not our callback token"
    return (f"{what}, so status 2000 (unknown credentials); is --callback-token the token the CPO "
            "has for us (its callback_token)?")


def create_callback_app(
    tracker: CommandTracker, *, callback_token: str | None = None, authorization: str | None = None
) -> FastAPI:
    """The eMSP's endpoint for asynchronous answers, in every version.

    With *callback_token*, other credentials get 401; the token is accepted in the encodings
    of the path's version, or as *authorization* (``base64``, ``plain``, ``either``) says.
    """
    # No redirect for a trailing slash: an unknown path gets 404 in an OCPI envelope.
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, redirect_slashes=False)
    expected = (
        {v: matching_headers(callback_token, accepted_encoding(v, authorization)) for v in VERSIONS}
        if callback_token is not None
        else None
    )

    @app.post("/ocpi/emsp/{version}/commands/{command}/{request_id}")
    async def result(version: str, command: str, request_id: str, request: Request) -> Response:
        headers = {"X-Request-ID": request.headers.get("x-request-id", ""),
                   "X-Correlation-ID": request.headers.get("x-correlation-id", "")}
        if version not in VERSIONS:
            tracker.refuse(Refusal(command, request_id, 404, f"posted under OCPI version {version!r}, which this eMSP does not serve"))
            return Response(_envelope(3002, f"unsupported version {version!r}"), 404, headers, "application/json")
        if expected is not None and request.headers.get("authorization") not in expected[version]:
            tracker.refuse(Refusal(command, request_id, 401, _wrong_credentials(request.headers.get("authorization"))))
            return Response(_envelope(2000, "unknown credentials"), 401, headers, "application/json")
        try:
            raw = await request.body()
        except ClientDisconnect:
            return Response(status_code=400)  # the CPO went away mid-body: nobody to answer
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than json can read
            tracker.arrive(command, request_id, raw.decode("utf-8", "replace"), dict(request.headers), None, version)
            tracker.refuse(Refusal(command, request_id, 400, "the body is not JSON"))
            return Response(_envelope(2001, "not JSON"), 400, headers, "application/json")
        parsed, message = _read_result(version, body)
        tracker.arrive(command, request_id, body, dict(request.headers), parsed, version)
        if parsed is None:
            tracker.refuse(Refusal(command, request_id, 200, f"status 2001, not an OCPI {version} answer: {message}"))
        status = 1000 if parsed is not None else 2001
        return Response(_envelope(status, message), 200, headers, "application/json")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = f"{request.method} {request.url.path}: {exc.detail}"
        return Response(_envelope(2000, message), exc.status_code, media_type="application/json")

    return app
