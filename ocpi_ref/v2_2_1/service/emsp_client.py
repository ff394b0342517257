"""The reference eMSP: sends StartSession and StopSession, serves the callback, matches results.

* :class:`EmspClient` builds each StartSession with
  :class:`~ocpi_ref.v2_2_1.emsp.EmspStarter`, so it refuses to send a Token it does not own
  (``start-session.own-tokens-only``) and gives every request its own response_url
  (``commands.unique-response-url``); it then POSTs it to the CPO and, after ACCEPTED, waits
  for the CommandResult at most the ``timeout`` the CPO advertised, after which it reports
  "no result" (``commands.no-result-after-timeout``).
* :class:`CommandTracker` matches each CommandResult to its request by the id in the URL it
  arrived at, and keeps every arrival, so duplicates, strays and crossed results show.
* :func:`create_callback_app` is the eMSP's callback endpoint (FastAPI); it checks the CPO's
  credentials when it knows them and accepts only a bare CommandResult body.

The client works against any OCPI 2.2.1 CPO, not only the reference one.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import ValidationError

from ...errors import findings_from_error
from ...party import PartyId
from ...types import DateTime
from ..emsp import EmspStarter
from ..enums import CommandResponseType
from ..models import CommandResponse, CommandResult, StopSession, Token

__all__ = [
    "Arrival",
    "CALLBACK_PATH",
    "CommandTracker",
    "EmspClient",
    "Exchange",
    "create_callback_app",
    "token_header",
]

#: Where the reference eMSP receives CommandResults: ``{CALLBACK_PATH}/{command}/{request_id}``.
CALLBACK_PATH = "/ocpi/emsp/2.2.1/commands"


def token_header(token: str) -> str:
    """``Token <Base64 of the UTF-8 token>`` (OCPI 2.2.1 §4.1.2)."""
    return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class Arrival:
    """One POST that reached the callback: where, what, and with which headers."""

    command: str
    request_id: str
    body: Any
    headers: dict[str, str]
    result: CommandResult | None
    matched: bool


class CommandTracker:
    """Pending requests by id, and every CommandResult that arrived (loop-bound, not threaded)."""

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[CommandResult]] = {}
        self.arrivals: list[Arrival] = []

    def expect(self, request_id: str) -> asyncio.Future[CommandResult]:
        fut: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = fut
        return fut

    def forget(self, request_id: str) -> None:
        fut = self._pending.pop(request_id, None)
        if fut is not None and not fut.done():
            fut.cancel()

    def arrive(
        self, command: str, request_id: str, body: Any, headers: dict[str, str], result: CommandResult | None
    ) -> bool:
        """Record an arrival; True when it is the first result of a pending request."""
        fut = self._pending.get(request_id)
        matched = result is not None and fut is not None and not fut.done()
        if matched:
            assert fut is not None and result is not None
            fut.set_result(result)
        self.arrivals.append(Arrival(command, request_id, body, headers, result, matched))
        return matched

    def arrivals_for(self, request_id: str) -> list[Arrival]:
        return [a for a in self.arrivals if a.request_id == request_id]


def _envelope(status_code: int, message: str | None = None) -> bytes:
    out: dict[str, Any] = {"status_code": status_code}
    if message:
        out["status_message"] = message
    out["timestamp"] = DateTime.from_datetime(datetime.now(timezone.utc))
    return json.dumps(out).encode()


def create_callback_app(tracker: CommandTracker, *, callback_token: str | None = None) -> FastAPI:
    """The eMSP's CommandResult endpoint; with *callback_token*, other credentials get 401."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    expected = token_header(callback_token) if callback_token is not None else None

    @app.post(CALLBACK_PATH + "/{command}/{request_id}")
    async def result(command: str, request_id: str, request: Request) -> Response:
        headers = {"X-Request-ID": request.headers.get("x-request-id", ""),
                   "X-Correlation-ID": request.headers.get("x-correlation-id", "")}
        if expected is not None and request.headers.get("authorization") != expected:
            return Response(_envelope(2000, "unknown credentials"), 401, headers, "application/json")
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            tracker.arrive(command, request_id, raw.decode("utf-8", "replace"), dict(request.headers), None)
            return Response(_envelope(2001, "not JSON"), 400, headers, "application/json")
        try:
            parsed: CommandResult | None = CommandResult.model_validate(body)
            message = None
        except ValidationError as exc:
            parsed = None
            message = "; ".join(f"{f.pointer}: {f.message}" for f in findings_from_error(CommandResult, exc))
        tracker.arrive(command, request_id, body, dict(request.headers), parsed)
        status = 1000 if parsed is not None else 2001
        return Response(_envelope(status, message), 200, headers, "application/json")

    return app


@dataclass
class Exchange:
    """One command as the eMSP saw it: what it sent, what came back, and each step in words."""

    request_id: str
    response_url: str
    http_status: int | None = None
    envelope: dict[str, Any] | None = None
    response: CommandResponse | None = None
    result: CommandResult | None = None
    steps: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.response is not None and self.response.result is CommandResponseType.ACCEPTED

    @property
    def outcome(self) -> str:
        """``refused``, ``no result`` or the CommandResult's value."""
        if not self.accepted:
            return "refused"
        return self.result.result.value if self.result is not None else "no result"


class EmspClient:
    """One eMSP talking to one CPO's OCPI 2.2.1 endpoints."""

    def __init__(
        self,
        cpo_url: str,
        credentials_token: str,
        roles: Any,
        callback_url: str,
        tracker: CommandTracker,
        *,
        http: httpx.AsyncClient | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        from_party: PartyId | None = None,
    ) -> None:
        """*cpo_url* is the CPO's module base (``.../ocpi/cpo/2.2.1``); *callback_url* the base
        URL of this eMSP's callback server (the CPO must be allowed to call its host)."""
        self.cpo_url = cpo_url.rstrip("/")
        self.authorization = token_header(credentials_token)
        self.tracker = tracker
        self.new_id = new_id
        self.callback_url = callback_url.rstrip("/")
        self.starter = EmspStarter(
            roles, f"{self.callback_url}{CALLBACK_PATH}/START_SESSION", new_id=new_id
        )
        self.http = http or httpx.AsyncClient(timeout=10, follow_redirects=False)
        self.from_party = from_party

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self, correlation_id: str | None = None) -> dict[str, str]:
        """Credentials, a fresh X-Request-ID, and the X-Correlation-ID (a command's own id)."""
        rid = self.new_id()
        headers = {
            "Authorization": self.authorization,
            "Content-Type": "application/json",
            "X-Request-ID": rid,
            "X-Correlation-ID": correlation_id or rid,
        }
        if self.from_party is not None:
            headers["OCPI-from-country-code"] = str(self.from_party.country_code)
            headers["OCPI-from-party-id"] = str(self.from_party.party_id)
        return headers

    async def start_session(
        self,
        token: Token,
        location_id: str,
        *,
        evse_uid: str | None = None,
        connector_id: str | None = None,
        authorization_reference: str | None = None,
        wait: bool = True,
    ) -> Exchange:
        """Send one StartSession; with *wait*, wait for its CommandResult (at most the timeout).

        Raises :class:`~ocpi_ref.findings.RuleViolation` before sending when the Token is not
        ours (``start-session.own-tokens-only``) or not authorized by us.
        """
        request_id, start = self.starter.start_session(
            token,
            location_id,
            evse_uid=evse_uid,
            connector_id=connector_id,
            authorization_reference=authorization_reference,
        )
        return await self._send("START_SESSION", request_id, start.response_url, start.model_dump_json(), wait)

    async def stop_session(self, session_id: str, *, wait: bool = True) -> Exchange:
        """Send one StopSession for *session_id*."""
        request_id = self.new_id()
        url = f"{self.callback_url}{CALLBACK_PATH}/STOP_SESSION/{request_id}"
        body = StopSession(response_url=url, session_id=session_id).model_dump_json()
        return await self._send("STOP_SESSION", request_id, url, body, wait)

    async def _send(self, command: str, request_id: str, url: str, body: str, wait: bool) -> Exchange:
        ex = Exchange(request_id, url)
        fut = self.tracker.expect(request_id)  # before sending: the result may beat the response
        ex.steps.append(f"POST {command} (response_url .../{command}/{request_id})")
        try:
            resp = await self.http.post(
                f"{self.cpo_url}/commands/{command}", content=body, headers=self._headers(request_id)
            )
        except httpx.HTTPError as exc:
            self.tracker.forget(request_id)
            ex.steps.append(f"the CPO could not be reached: {type(exc).__name__}")
            return ex
        ex.http_status = resp.status_code
        try:
            ex.envelope = resp.json()
            ex.response = CommandResponse.model_validate(ex.envelope.get("data"))
        except (ValueError, ValidationError, AttributeError):
            ex.response = None
        status = ex.envelope.get("status_code") if isinstance(ex.envelope, dict) else None
        if ex.response is None:
            ex.steps.append(f"HTTP {resp.status_code}, status {status}, no CommandResponse")
        else:
            ex.steps.append(
                f"HTTP {resp.status_code}, status {status}, CommandResponse "
                f"{ex.response.result.value}, timeout {ex.response.timeout} s"
            )
        if not ex.accepted:
            self.tracker.forget(request_id)
            if isinstance(ex.envelope, dict) and ex.envelope.get("status_message"):
                ex.steps.append(f"message: {ex.envelope['status_message']}")
            return ex
        if not wait:
            return ex
        return await self.wait(ex, fut)

    async def wait(self, ex: Exchange, fut: asyncio.Future[CommandResult] | None = None) -> Exchange:
        """Wait for the result of an accepted *ex*, at most the advertised timeout."""
        assert ex.response is not None
        fut = fut or self.tracker._pending[ex.request_id]
        try:
            ex.result = await asyncio.wait_for(asyncio.shield(fut), ex.response.timeout)
            text = f": {ex.result.message[0].text}" if ex.result.message else ""
            ex.steps.append(f"CommandResult {ex.result.result.value}{text}")
        except TimeoutError:
            ex.steps.append(
                f"no result within the advertised {ex.response.timeout} s; taking it that none will come"
            )
        finally:
            self.tracker.forget(ex.request_id)
        return ex

    async def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET a CPO module path (``sessions``, ``cdrs``, ``tokens/DE/TNM/uid``)."""
        return await self.http.get(f"{self.cpo_url}/{path}", params=params, headers=self._headers())

    async def put_token(self, token: Token) -> httpx.Response:
        """Push a Token to the CPO's Tokens receiver."""
        path = f"tokens/{token.country_code}/{token.party_id}/{token.uid}"
        return await self.http.put(
            f"{self.cpo_url}/{path}",
            params={"type": token.type.value},
            content=token.model_dump_json(),
            headers=self._headers(),
        )
