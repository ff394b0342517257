"""The reference eMSP's side of a conformance run: the peer, our callback, and every request.

:class:`Target` is what the user tells us about the CPO under test. :class:`Probe` holds what
a run shares: one HTTP client, our callback server (where the CPO POSTs CommandResults: we
serve the ``response_url``\\ s), the discovery's results, and the state later scenarios read
(the accepted StartSession and its Session). Every request goes through :meth:`Probe.call`,
which records an :class:`~.model.Exchange` and never raises: an unreachable peer, a timeout or
garbage is evidence, not a traceback.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

from ..emsp.callback import Arrival, CommandTracker, callback_path, create_callback_app
from ..party import PartyId, parse_parties
from ..specs import spec
from ..transport.authorization import header, sent_encoding
from ..transport.bounded import DEFAULT_MAX_ANSWER_BYTES, bounded_client
from ..transport.servers import serve_in_task
from ..types import DateTime
from ..versions import VERSIONS, version_key
from .model import Exchange, Skip, TesterMistake

__all__ = ["Probe", "Target", "new_token"]


@dataclass
class Target:
    """The CPO under test and how to reach it; the ids it offers for testing.

    *roles* are ours (``CC-PID``); *foreign_owner* is a party that is not among them, the owner
    of the Token the ownership scenario sends. *callback_url* is our callback's base URL as the
    CPO can reach it (default: where it listens). *callback_token* is the token the CPO calls
    us with, when known: the CommandResult's Authorization is then compared with it exactly.
    *settle* is how long we keep listening for CommandResults that should not come.
    *http_timeout* bounds each request's whole exchange, *max_answer_bytes* what we read of an
    answer (``conformance.answer-limits``). *silent_evse* is an EVSE the tester knows will not
    answer (the silent Charge Point scenario); *commands_url* the commands endpoint when
    discovery does not yield it.
    """

    versions_url: str
    token: str
    roles: Any
    location: str
    evse: str | None = None
    connector: str = "1"
    version: str | None = None
    foreign_owner: str = "FR-ZZZ"
    unknown_location: str = "OCPI-REF-NO-SUCH-LOCATION"
    unknown_evse: str = "OCPI-REF-NO-SUCH-EVSE"
    callback_host: str = "127.0.0.1"
    callback_port: int = 0
    callback_url: str | None = None
    callback_token: str | None = None
    authorization: str | None = None
    read_only: bool = False
    settle: float = 2.0
    http_timeout: float = 10.0
    max_wait: float = 60.0
    wait_211: float = 30.0
    silent_evse: str | None = None
    commands_url: str | None = None
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES

    def __post_init__(self) -> None:
        self.parties: tuple[PartyId, ...] = tuple(parse_parties(self.roles))
        self.foreign = PartyId.parse(self.foreign_owner)
        if self.foreign in self.parties:
            raise ValueError(f"the foreign owner {self.foreign_owner} is one of our roles")
        if self.version is not None:
            version_key(self.version)


def new_token(version: str, owner: PartyId, uid: str, *, valid: bool = True) -> dict[str, Any]:
    """An RFID Token of *owner* as a JSON object of *version* (a 2.1.1 Token has no owner)."""
    fields: dict[str, Any] = {
        "uid": uid,
        "type": "RFID",
        "issuer": "ocpi-ref conformance",
        "valid": valid,
        "whitelist": "ALLOWED",
        "last_updated": DateTime.from_datetime(datetime.now(timezone.utc).replace(microsecond=0)),
    }
    if version == "2.1.1":
        fields["auth_id"] = uid
    else:
        fields.update(country_code=str(owner.country_code), party_id=str(owner.party_id), contract_id=uid)
    return spec(version).token.model_validate(fields).model_dump(mode="json")


@dataclass
class Started:
    """The accepted StartSession later scenarios read: what we sent, when, and its id."""

    request_id: str
    token: dict[str, Any]
    body: dict[str, Any]
    sent_at: datetime
    session: dict[str, Any] | None = None
    session_exchange: Exchange | None = None


@dataclass
class Probe:
    """One run's shared state against one peer."""

    target: Target
    version: str = ""
    http: httpx.AsyncClient | None = None
    tracker: CommandTracker = field(default_factory=CommandTracker)
    callback_base: str = ""
    offered: list[str] = field(default_factory=list)
    version_list: Exchange | None = None
    details: Exchange | None = None
    endpoints: dict[str, str] = field(default_factory=dict)
    discovery_problem: str | None = None
    sent: dict[str, float] = field(default_factory=dict)
    """request id → when we sent the command (monotonic seconds)."""
    answered: dict[str, float] = field(default_factory=dict)
    """request id → when its answer arrived (monotonic): the latest the CPO's clock can start."""
    started: Started | None = None
    start_refused: str | None = None
    """Why the CPO did not accept our conforming StartSession, when it did not (the root of
    what the refusal scenarios would otherwise misread)."""
    prepared: dict[str, asyncio.Future[Any]] = field(default_factory=dict)
    """Scenario name → what its ``prepare`` found (started with the run)."""
    listed_commands: bool = False
    """Whether the version details list a commands endpoint (with ``commands_url`` given too)."""
    _stack: AsyncExitStack | None = None

    async def __aenter__(self) -> Probe:
        self._stack = AsyncExitStack()
        app = create_callback_app(self.tracker)  # every arrival is recorded; we judge its credentials
        served = await self._stack.enter_async_context(
            serve_in_task(app, self.target.callback_host, self.target.callback_port)
        )
        self.callback_base = (self.target.callback_url or served.url).rstrip("/")
        self.http = bounded_client(total=self.target.http_timeout, max_bytes=self.target.max_answer_bytes)
        self._stack.push_async_callback(self.http.aclose)
        try:
            await self.discover()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._stack is not None
        await self._stack.aclose()

    # ------------------------------------------------------------------ requests

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def auth(self, version: str | None = None, token: str | None = None) -> str:
        return header(token or self.target.token, sent_encoding(version or self.version or "2.2.1", self.target.authorization))

    def headers(self, *, auth: str | None | bool = True, request_id: str | None = None, routing: bool = False) -> dict[str, str]:
        """Our request headers; with *routing* (a functional module, 2.2 and later) the
        OCPI-from headers name our first role, so a CPO can say when it does not take it."""
        rid = request_id or self.new_id()
        out = {"X-Request-ID": rid, "X-Correlation-ID": rid}
        if auth is True:
            out["Authorization"] = self.auth()
        elif isinstance(auth, str):
            out["Authorization"] = auth
        if routing and self.version != "2.1.1":
            first = self.target.parties[0]
            out["OCPI-from-country-code"], out["OCPI-from-party-id"] = str(first.country_code), str(first.party_id)
        return out

    async def call(self, method: str, url: str, *, body: str | bytes | None = None, headers: dict[str, str] | None = None, params: dict[str, str] | None = None) -> Exchange:
        """Send one request and record it; never raises."""
        sent = dict(headers if headers is not None else self.headers())
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        ex = Exchange(method, url, sent, text)
        assert self.http is not None
        try:
            resp = await self.http.request(method, url, content=body, headers=sent, params=params)
        except httpx.TimeoutException as exc:
            ex.error = str(exc) if "within" in str(exc) else f"no answer within {self.target.http_timeout:g} s"
            ex.unreachable = isinstance(exc, httpx.ConnectTimeout)
            return ex
        except httpx.HTTPError as exc:
            ex.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            ex.unreachable = isinstance(exc, (httpx.ConnectError, httpx.UnsupportedProtocol))
            return ex
        ex.url = str(resp.request.url)
        ex.status = resp.status_code
        ex.response_headers = {k.lower(): v for k, v in resp.headers.items()}
        ex.response_body = resp.content.decode("utf-8", "replace")
        return ex

    # ------------------------------------------------------------------ discovery

    async def discover(self) -> None:
        """GET the version list and our version's details; what failed is kept, never raised,
        but what shows a tester's mistake (:func:`mistake_at_start`) stops the run."""
        self.version_list = ex = await self.call("GET", self.target.versions_url, headers=self.headers())
        mistake_at_start(ex, self.target)
        data = _data(ex)
        if isinstance(data, dict) and isinstance(data.get("versions"), list):
            data = data["versions"]  # the shape the OCPI 2.2 Data table shows
        if not isinstance(data, list):
            self.discovery_problem = "the version list could not be read"
            self.version = self.target.version or "2.2.1"
            self._given_commands()
            return
        listed = {str(v.get("version")): v.get("url") for v in data if isinstance(v, dict)}
        self.offered = list(listed)
        known = [v for v in VERSIONS if v in listed]
        if self.target.version is not None and self.target.version not in listed:
            raise TesterMistake(f"the CPO does not offer OCPI {self.target.version} (it lists {', '.join(self.offered) or 'nothing'}): "
                                "leave out --version to take the newest it offers, or name one of those")
        self.version = self.target.version or (known[-1] if known else "2.2.1")
        url = listed.get(self.version)
        if not isinstance(url, str):
            self.discovery_problem = f"the peer does not list OCPI {self.version} (it lists {', '.join(self.offered) or 'nothing'})"
            self._given_commands()
            return
        self.details = ex = await self.call("GET", url, headers=self.headers())
        details = _data(ex)
        endpoints = details.get("endpoints") if isinstance(details, dict) else None
        if not isinstance(endpoints, list):
            self.discovery_problem = f"the OCPI {self.version} details could not be read"
            return
        cpo_role = {"commands": "RECEIVER", "tokens": "RECEIVER", "sessions": "SENDER", "cdrs": "SENDER"}
        for e in endpoints:
            if not isinstance(e, dict) or not isinstance(e.get("url"), str):
                continue
            identifier, role = e.get("identifier"), e.get("role")
            if identifier in cpo_role and (self.version == "2.1.1" or role == cpo_role[identifier]):
                self.endpoints.setdefault(str(identifier), e["url"].rstrip("/"))
        self._given_commands()

    def _given_commands(self) -> None:
        """``--commands-url`` wins over discovery; whether discovery listed one is kept."""
        self.listed_commands = "commands" in self.endpoints
        if self.target.commands_url:
            self.endpoints["commands"] = self.target.commands_url.rstrip("/")

    def endpoint(self, module: str) -> str:
        """The URL of *module*, or :class:`~.model.Skip` saying why there is none."""
        if module in self.endpoints:
            return self.endpoints[module]
        if self.discovery_problem:
            raise Skip(f"needs the {module} endpoint: {self.discovery_problem}")
        raise Skip(f"the peer lists no {module} endpoint for OCPI {self.version}")

    # ------------------------------------------------------------------ commands

    def response_url(self, command: str, request_id: str) -> str:
        return f"{self.callback_base}{callback_path(self.version)}/{command}/{request_id}"

    def start_body(self, token: dict[str, Any], request_id: str, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"response_url": self.response_url("START_SESSION", request_id), "token": token}
        body["location_id"] = fields.pop("location_id", self.target.location)
        evse = fields.pop("evse_uid", self.target.evse)
        if evse is not None:
            body["evse_uid"] = evse
        body.update({k: v for k, v in fields.items() if v is not None})
        return body

    async def command(self, command: str, body: Any, request_id: str) -> Exchange:
        """POST *body* (a JSON value, or raw text) as *command*, expecting its result at our callback."""
        url = f"{self.endpoint('commands')}/{command}"
        self.tracker.expect(request_id)
        self.sent[request_id] = time.monotonic()
        text = body if isinstance(body, (str, bytes)) else _dumps(body)
        exchange = await self.call("POST", url, body=text, headers=self.headers(request_id=request_id, routing=True))
        # The CPO's clock for the advertised timeout starts somewhere between our send and its
        # answer; lateness is judged from the answer, so transit time never makes a FAIL.
        self.answered[request_id] = time.monotonic()
        return exchange

    async def arrivals(self, request_id: str, until: float, settle: float) -> list[tuple[float, Arrival]]:
        """Every asynchronous answer at *request_id*'s URL: wait until the first one (at most
        until monotonic *until*), then *settle* seconds more for any that should not come."""
        deadline = until
        while time.monotonic() < deadline:
            if self.tracker.arrivals_for(request_id):
                deadline = min(deadline, time.monotonic() + settle)
                break
            await asyncio.sleep(0.02)
        while time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        self.tracker.forget(request_id)
        return [(a.at, a) for a in self.tracker.arrivals_for(request_id)]


def mistake_at_start(ex: Exchange, target: Target) -> None:
    """The first request shows the tester's mistakes: no answer at all, or credentials refused."""
    if ex.unreachable:
        raise TesterMistake(f"cannot reach the CPO at {target.versions_url} ({ex.error}): check --cpo and that the CPO is running and reachable from here")
    if ex.status in (401, 403):
        raise TesterMistake(f"the CPO refused our credentials at its version list (HTTP {ex.status}): check --credentials "
                            "(the token the CPO issued to us) and, if the CPO expects another encoding, --authorization")


def _data(ex: Exchange) -> Any:
    body = ex.json()
    return body.get("data") if isinstance(body, dict) else None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
