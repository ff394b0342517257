"""The reference eMSP's callback endpoint: where the asynchronous answers arrive.

:class:`CommandTracker` matches each answer to its request by the id in the URL it arrived at
(every request has its own response_url, ``commands.unique-response-url``). It keeps what
arrives for commands it sent (at most :data:`MAX_PER_COMMAND` each, so duplicates and crossed
results show); a POST for an id it never sent is counted, and only the first
:data:`STRAY_SAMPLES` of them are kept as evidence, so a flood of unknown ids holds no memory.
Every POST it refuses is in :meth:`CommandTracker.refusals`, with the reason.
:func:`create_callback_app` serves ``/ocpi/emsp/{version}/commands/{command}/{request_id}``
(FastAPI) in every version; it checks the CPO's credentials when it knows them, refuses a body
over ``max_body_bytes`` (HTTP 413) and accepts only a bare body: a CommandResult, or in 2.1.1 a
CommandResponse in either shape (``commands.v211-response-either-shape``). Its answers carry the
CPO's X-Request-ID and X-Correlation-ID, or fresh ones when the CPO sent none.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
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

__all__ = ["CALLBACK_PATH", "MAX_BODY_BYTES", "Arrival", "CommandTracker", "Refusal", "callback_path", "create_callback_app"]

#: The largest body the callback reads (a CommandResult is a few hundred bytes).
MAX_BODY_BYTES = 256 * 1024
#: Answers kept per command sent; more are counted (``CommandTracker.dropped``).
MAX_PER_COMMAND = 16
#: POSTs for ids never sent kept as evidence; the rest are only counted.
STRAY_SAMPLES = 20
#: Refusals kept with their reason (the newest); all are counted.
REFUSALS_KEPT = 100
#: Ids of commands sent that are remembered (the oldest are forgotten past it).
SENT_KEPT = 100_000

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
    at: float = 0.0
    """When it arrived (``time.monotonic()``)."""


@dataclass(frozen=True)
class Refusal:
    """A POST the callback refused (wrong credentials, not JSON, not an answer), and why."""

    command: str
    request_id: str
    http_status: int
    reason: str
    at: float = field(default_factory=time.monotonic)

    def __str__(self) -> str:
        return f"our callback refused the CPO's {self.command} answer (HTTP {self.http_status}): {self.reason}"


class CommandTracker:
    """Pending requests by id, and every asynchronous answer that arrived (loop-bound, not threaded).

    An answer is a CommandResult, or in 2.1.1 a CommandResponse.
    """

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._sent: OrderedDict[str, int] = OrderedDict()  # request id -> answers kept
        self.arrivals: list[Arrival] = []
        """What arrived for commands this eMSP sent."""
        self.strays: list[Arrival] = []
        """The first :data:`STRAY_SAMPLES` POSTs for ids never sent (evidence); ``stray_count`` counts all."""
        self.stray_count = 0
        self.dropped = 0
        """Answers for a command sent past :data:`MAX_PER_COMMAND`, counted, not kept."""
        self._refused: deque[Refusal] = deque(maxlen=REFUSALS_KEPT)
        self._waiting: dict[str, asyncio.Future[Refusal]] = {}
        self.refused_count = 0

    def expect(self, request_id: str) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = fut
        self._sent[request_id] = self._sent.get(request_id, 0)
        while len(self._sent) > SENT_KEPT:
            self._sent.popitem(last=False)
        return fut

    def sent(self, request_id: str) -> bool:
        """Whether this eMSP sent a command with *request_id* (and still remembers it)."""
        return request_id in self._sent

    def refuse(self, refusal: Refusal) -> None:
        """Note a POST the callback refused or did not keep, and wake whoever waits on
        :meth:`refused` for its request."""
        self.refused_count += 1
        self._refused.append(refusal)
        waiter = self._waiting.pop(refusal.request_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(refusal)

    def refused(self, request_id: str) -> asyncio.Future[Refusal]:
        """Done with the first kept :class:`Refusal` of *request_id* (the caller cancels it when done)."""
        waiter: asyncio.Future[Refusal] = asyncio.get_running_loop().create_future()
        earlier = next((r for r in self._refused if r.request_id == request_id), None)
        if earlier is not None:  # the answer may beat the CommandResponse, and so its refusal
            waiter.set_result(earlier)
        else:
            self._waiting[request_id] = waiter
        return waiter

    def refusals(self) -> list[Refusal]:
        """The newest refusals (at most :data:`REFUSALS_KEPT`; ``refused_count`` counts all)."""
        return list(self._refused)

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
        """Record an arrival; True when it is the first result of a pending request.

        Kept only for a command this eMSP sent (at most :data:`MAX_PER_COMMAND` each); any
        other is counted, and kept as evidence only among the first :data:`STRAY_SAMPLES`."""
        fut = self._pending.get(request_id)
        matched = result is not None and fut is not None and not fut.done()
        if matched:
            assert fut is not None
            fut.set_result(result)
        arrival = Arrival(command, request_id, body, headers, result, matched, version, time.monotonic())
        if request_id not in self._sent:
            self.stray_count += 1
            self.refuse(Refusal(command, request_id, 200, "no command with this request id was sent: counted, not kept"))
            if len(self.strays) < STRAY_SAMPLES:
                self.strays.append(arrival)
        elif self._sent[request_id] >= MAX_PER_COMMAND:
            self.dropped += 1
            self.refuse(Refusal(command, request_id, 200, f"more than {MAX_PER_COMMAND} answers for one command: counted, not kept"))
        else:
            self._sent[request_id] += 1
            self.arrivals.append(arrival)
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


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is (or says it is) larger than *limit* bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _ids(request: Request) -> dict[str, str]:
    """The CPO's ids echoed, or fresh ones where it sent none (never an empty header)."""
    rid = request.headers.get("x-request-id") or uuid.uuid4().hex
    return {"X-Request-ID": rid, "X-Correlation-ID": request.headers.get("x-correlation-id") or rid}


def _wrong_credentials(sent: str | None) -> str:
    """Why a CommandResult POST got 401, in words that point at the likely fix."""
    what = "no Authorization header" if sent is None else "an Authorization header that is not our callback token"
    return (f"{what}, so status 2000 (unknown credentials); is --callback-token the token the CPO "
            "has for us (its callback_token)?")


def create_callback_app(
    tracker: CommandTracker, *, callback_token: str | None = None, authorization: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The eMSP's endpoint for asynchronous answers, in every version.

    With *callback_token*, other credentials get 401; the token is accepted in the encodings
    of the path's version, or as *authorization* (``base64``, ``plain``, ``either``) says. A body
    over *max_body_bytes* gets HTTP 413 unread. Every refusal is noted in the tracker.
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
        headers = _ids(request)
        if version not in VERSIONS:
            tracker.refuse(Refusal(command, request_id, 404, f"posted under OCPI version {version!r}, which this eMSP does not serve"))
            return Response(_envelope(3002, f"unsupported version {version!r}"), 404, headers, "application/json")
        if expected is not None and request.headers.get("authorization") not in expected[version]:
            tracker.refuse(Refusal(command, request_id, 401, _wrong_credentials(request.headers.get("authorization"))))
            return Response(_envelope(2000, "unknown credentials"), 401, headers, "application/json")
        try:
            raw = await _read_limited(request, max_body_bytes)
        except ClientDisconnect:
            return Response(status_code=400)  # the CPO went away mid-body: nobody to answer
        if raw is None:
            tracker.refuse(Refusal(command, request_id, 413, f"body over {max_body_bytes} bytes"))
            return Response(_envelope(2000, f"body over {max_body_bytes} bytes"), 413, headers, "application/json")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than json can read
            if tracker.sent(request_id):  # a stray is noted once, by arrive()
                tracker.refuse(Refusal(command, request_id, 400, "the body is not JSON"))
            tracker.arrive(command, request_id, raw.decode("utf-8", "replace"), dict(request.headers), None, version)
            return Response(_envelope(2001, "not JSON"), 400, headers, "application/json")
        parsed, message = _read_result(version, body)
        if parsed is None and tracker.sent(request_id):
            tracker.refuse(Refusal(command, request_id, 200, f"status 2001, not an OCPI {version} answer: {message}"))
        tracker.arrive(command, request_id, body, dict(request.headers), parsed, version)
        status = 1000 if parsed is not None else 2001
        return Response(_envelope(status, message), 200, headers, "application/json")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = f"{request.method} {request.url.path}: {exc.detail}"
        return Response(_envelope(2000, message), exc.status_code, media_type="application/json")

    return app
