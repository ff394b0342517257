"""The reference CPO's state and command flow, with no web framework in it.

:class:`CpoService` holds what the CPO knows (partners, locations, simulated Charge Points,
pushed Tokens, Sessions and CDRs, the authorization window) and answers each request with a
:class:`Reply`: HTTP status, OCPI status code, data, message. :mod:`.cpo_app` only turns
requests into calls and replies into HTTP responses.

The choices, each with its rule (the StartSession rows come from
:func:`ocpi_ref.v2_2_1.cpo.decide_start_session`, whose table they repeat):

===================================================  =====  ======  ===============  ===========================================
situation                                            HTTP   status  data.result      rule
===================================================  =====  ======  ===============  ===========================================
no, malformed or unknown ``Authorization: Token``    401    2000    (none)           commands.credentials-required
OCPI-from-* not a role of the credentials            403    2000    (none)           commands.from-headers-match-credentials
body over ``max_body_bytes``                         413    2000    (none)           commands.body-size-limit
body is not JSON                                     400    2001    (none)           json.syntax
unknown command name in the path                     404    2000    (none)           commands.other-commands-not-supported
RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR    200    1000    NOT_SUPPORTED    commands.other-commands-not-supported
StartSession breaks the field table or a type        200    2001    REJECTED         the finding's rule (all listed)
Token owned by a party not among the caller's roles  200    2001    REJECTED         start-session.own-tokens-only
response_url host not allowed for this partner       200    2001    REJECTED         commands.response-url-allowed
unknown Location                                     200    2003    REJECTED         start-session.location-of-receiver
unknown EVSE or connector                            200    2003    REJECTED         start-session.location-of-receiver
EVSE requires connector_id, none given               200    2001    REJECTED         start-session.connector-required-by-evse
no evse_uid and no Charge Point can choose           200    1000    NOT_SUPPORTED    start-session.evse-optional
StartSession otherwise                               200    1000    ACCEPTED         start-session.cpo-no-validity-check
StopSession invalid / response_url not allowed       200    2001    REJECTED         the finding's rule
StopSession for an unknown session id                200    1000    UNKNOWN_SESSION
StopSession for a session of another party's Token   200    1000    REJECTED
StopSession for a session already completed          200    1000    REJECTED
StopSession otherwise                                200    1000    ACCEPTED
Tokens GET of a Token never pushed                   404    2004    (none)           start-session.unknown-token-not-stored
===================================================  =====  ======  ===============  ===========================================

After an ACCEPTED CommandResponse, and only then, one CommandResult is POSTed to
response_url (``commands.result-after-accepted``):

==============================================  =================  ======================================
the Charge Point                                CommandResult      rule
==============================================  =================  ======================================
accepts (car plugs in: a Session follows)       ACCEPTED           commands.result-from-charge-point
accepts, no car ever plugs in (no Session)      ACCEPTED           commands.accepted-without-car
refuses the remote start                        FAILED             commands.result-from-charge-point
answers that the EVSE is occupied               EVSE_OCCUPIED      commands.result-from-charge-point
answers that the EVSE is faulted                EVSE_INOPERATIVE   commands.result-from-charge-point
stays silent past ``charge_point_deadline``     TIMEOUT            commands.timeout-when-silent
==============================================  =================  ======================================

The POST is a bare CommandResult with the partner's ``callback_token``
(``commands.result-bare-body``); a failed POST is logged and never retried
(``commands.no-retry``); redirects are not followed.

The POSTs run in the same event loop as the answers, so their CPU cost per request counts
against the CPO's throughput: the service's own client is aiohttp, several times cheaper per
request than httpx. An injected ``httpx.AsyncClient`` (tests, the book: mock or ASGI
transports) is used as given instead, with the same headers, timeout and failure handling.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpx
from pydantic import ValidationError

from ...errors import findings_from_error
from ...findings import Finding, Severity
from ...jsondoc import json_type_name, load
from ...party import PartyId
from ...rules.commands import (
    ACCEPTED_WITHOUT_CAR,
    BODY_SIZE_LIMIT,
    CREDENTIALS_REQUIRED,
    FROM_HEADERS_MATCH_CREDENTIALS,
    OTHER_COMMANDS_NOT_SUPPORTED,
    RESPONSE_URL_ALLOWED,
    RESULT_FROM_CHARGE_POINT,
    TIMEOUT_WHEN_SILENT,
)
from ...rules.json import SYNTAX
from ...rules.start_session import UNKNOWN_TOKEN_NOT_STORED
from ...rules.types import JSON_TYPE
from ...types import DATETIME_PATTERN, CiString, DateTime
from ..authorization import AuthorizationWindow
from ..cpo import Decision, decide_start_session
from ..enums import CommandResponseType, CommandResultType, CommandType, TokenType
from ..models import CommandResponse, CommandResult, DisplayText, StopSession, Token
from ..tokens import TokenStore
from .chargepoint import Answer, SimulatedChargePoint
from .config import CpoConfig, Partner
from .sessions import Page, SessionStore

__all__ = ["Caller", "CpoService", "Delivery", "Refusal", "Reply"]

log = logging.getLogger("ocpi_ref.service.cpo")

OK, CLIENT_ERROR, INVALID, UNKNOWN_LOCATION, UNKNOWN_TOKEN = 1000, 2000, 2001, 2003, 2004

#: The Charge Point's answer and the CommandResult it becomes (commands.result-from-charge-point).
RESULT_BY_ANSWER = {
    Answer.ACCEPTED: CommandResultType.ACCEPTED,
    Answer.REJECTED: CommandResultType.FAILED,
    Answer.OCCUPIED: CommandResultType.EVSE_OCCUPIED,
    Answer.FAULTED: CommandResultType.EVSE_INOPERATIVE,
}

#: The message of each START_SESSION CommandResult ({cp}: Charge Point id, {evse}: EVSE uid).
_START_RESULT_TEXT = {
    CommandResultType.ACCEPTED: "Charge Point {cp} accepted the remote start on EVSE {evse}",
    CommandResultType.FAILED: "Charge Point {cp} refused the remote start",
    CommandResultType.EVSE_OCCUPIED: "EVSE {evse} is occupied",
    CommandResultType.EVSE_INOPERATIVE: "EVSE {evse} is out of order",
    CommandResultType.TIMEOUT: "Charge Point {cp} did not answer in time",
}

_DATETIME = re.compile(DATETIME_PATTERN)

#: CommandResult POSTs in flight at once; more wait their turn. A burst of accepted commands
#: then queues here, on a few kept-alive connections, instead of opening one connection each.
MAX_DELIVERIES = 8

#: Largest page a Sessions or CDRs GET returns (the X-Limit header).
MAX_PAGE = 100


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Reply:
    """What the CPO answers: HTTP status, OCPI status code, data, message, extra headers.

    ``after`` is work to start once the response has been sent (the CommandResult delivery);
    ``page`` is set for paginated GETs, so the HTTP layer can write the pagination headers.
    """

    http_status: int = 200
    status_code: int = OK
    data: Any = None
    message: str | None = None
    rule: str | None = None
    after: Callable[[], Awaitable[None]] | None = None
    page: Page | None = None


class Refusal(Exception):
    """A request refused before its body is looked at (credentials, headers, size)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.message)
        self.reply = reply


@dataclass(frozen=True)
class Caller:
    """Who is calling: the partner whose credentials were used, and the roles it speaks for.

    ``roles`` is the OCPI-from party when the request names one (behind a hub), else every
    role of the credentials.
    """

    partner: Partner
    roles: tuple[PartyId, ...]
    from_party: PartyId | None = None


@dataclass(frozen=True)
class Delivery:
    """One CommandResult POST the CPO made (or tried): kept so tests and the book can see it."""

    command: str
    response_url: str
    result: CommandResultType
    request_id: str
    http_status: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


def _finding_text(findings: list[Finding] | tuple[Finding, ...]) -> str:
    return "; ".join(f"{f.pointer or '/'}: {f.message} [{f.rule}]" for f in findings)


def _display(text: str) -> list[DisplayText]:
    return [DisplayText(language="en", text=text[:512])]


def _basic_token_header(token: str) -> str:
    return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")


class _NotSent(Exception):
    """A CommandResult POST that got no HTTP answer (refused, timed out, unusable URL)."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _own_session(timeout: float) -> aiohttp.ClientSession:
    """The service's own client: a bounded keep-alive pool, no cookie jar, no proxy from the
    environment, *timeout* seconds for a whole POST."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MAX_DELIVERIES),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


async def _post_aiohttp(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> int:
    """POST with aiohttp; the answer is read in full so the connection is kept for the next."""
    try:
        async with session.post(url, data=body, headers=headers, allow_redirects=False) as resp:
            await resp.read()
            return resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise _NotSent(exc) from None


async def _post_httpx(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> int:
    """POST with an injected httpx client (whatever its transport), never following redirects."""
    try:
        resp = await client.post(
            url, content=body, headers=headers, timeout=timeout, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise _NotSent(exc) from None
    return resp.status_code


@dataclass
class CpoService:
    """The reference CPO: configuration in, :class:`Reply` objects out."""

    config: CpoConfig
    clock: Callable[[], datetime] = _utcnow
    http: httpx.AsyncClient | None = None
    new_request_id: Callable[[], str] = lambda: str(uuid.uuid4())
    tokens: TokenStore = field(default_factory=TokenStore)
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.window = AuthorizationWindow(clock=self.clock)
        self.sessions = SessionStore(self.config.party)
        self.charge_points: dict[CiString, SimulatedChargePoint] = {
            CiString(cp.id): SimulatedChargePoint(
                cp, self.config.behaviour(cp.id), self.config.car(cp.id)
            )
            for loc in self.config.locations
            for cp in loc.charge_points
        }
        self._tasks: set[asyncio.Task[None]] = set()
        self._delivering: asyncio.Semaphore | None = None
        self._session: aiohttp.ClientSession | None = None

    def charge_point(self, charge_point_id: str) -> SimulatedChargePoint:
        """The simulated Charge Point with this id (case ignored)."""
        return self.charge_points[CiString(charge_point_id)]

    # ------------------------------------------------------------------ credentials

    def authenticate(
        self, authorization: str | None, from_country_code: str | None, from_party_id: str | None
    ) -> Caller:
        """The caller behind the ``Authorization`` and ``OCPI-from-*`` headers, or a Refusal."""
        partner = self._partner(authorization)
        if partner is None:
            raise Refusal(
                Reply(
                    401,
                    CLIENT_ERROR,
                    message="missing or unknown credentials: send 'Authorization: Token <base64 "
                    f"of your credentials token>' [{CREDENTIALS_REQUIRED.id}]",
                    rule=CREDENTIALS_REQUIRED.id,
                )
            )
        if from_country_code is None and from_party_id is None:
            return Caller(partner, partner.roles)
        if not from_country_code or not from_party_id:
            raise self._spoof(partner, "OCPI-from-country-code and OCPI-from-party-id come together")
        try:
            claimed = PartyId(from_country_code, from_party_id)
        except ValueError:
            raise self._spoof(partner, "the OCPI-from headers do not name a party") from None
        if claimed not in partner.roles:
            raise self._spoof(
                partner,
                f"OCPI-from {from_country_code}-{from_party_id} is not a role of these credentials "
                f"({', '.join(map(str, partner.roles))})",
            )
        return Caller(partner, (claimed,), claimed)

    def _partner(self, authorization: str | None) -> Partner | None:
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        if scheme != "Token" or not value or " " in value:
            return None
        try:
            token = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        found = None
        for partner in self.config.partners:
            if hmac.compare_digest(partner.token.encode(), token.encode()):
                found = partner
        return found

    @staticmethod
    def _spoof(partner: Partner, why: str) -> Refusal:
        log.warning("partner %s: refused OCPI-from headers: %s", partner.name, why)
        rule = FROM_HEADERS_MATCH_CREDENTIALS.id
        return Refusal(Reply(403, CLIENT_ERROR, message=f"{why} [{rule}]", rule=rule))

    def too_large(self, size: int | None) -> Reply:
        """The 413 reply for a body over the limit (*size* when known)."""
        limit = self.config.max_body_bytes
        told = f"{size} bytes" if size is not None else "more"
        return Reply(
            413,
            CLIENT_ERROR,
            message=f"the body is {told}; this CPO accepts at most {limit} bytes "
            f"[{BODY_SIZE_LIMIT.id}]",
            rule=BODY_SIZE_LIMIT.id,
        )

    # ------------------------------------------------------------------ commands

    def command(self, command: str, body: bytes, caller: Caller, correlation_id: str) -> Reply:
        """Answer ``POST commands/{command}``."""
        try:
            kind = CommandType(command)
        except ValueError:
            return Reply(
                404,
                CLIENT_ERROR,
                message=f"no such command {command!r}; OCPI 2.2.1 commands are "
                f"{', '.join(c.value for c in CommandType)}",
                rule=OTHER_COMMANDS_NOT_SUPPORTED.id,
            )
        if kind is CommandType.START_SESSION:
            return self.start_session(body, caller, correlation_id)
        if kind is CommandType.STOP_SESSION:
            return self.stop_session(body, caller, correlation_id)
        loaded = load(body)
        if SYNTAX.id in {f.rule for f in loaded.findings}:
            return self._not_json(loaded.findings)
        return self._response(
            CommandResponseType.NOT_SUPPORTED,
            OK,
            f"{kind.value} is not implemented by this reference CPO",
            OTHER_COMMANDS_NOT_SUPPORTED.id,
        )

    def _response(
        self,
        result: CommandResponseType,
        status: int,
        message: str,
        rule: str | None = None,
        after: Callable[[], Awaitable[None]] | None = None,
    ) -> Reply:
        data = CommandResponse(
            result=result, timeout=self.config.command_timeout, message=_display(message)
        ).model_dump(mode="json")
        return Reply(200, status, data, message, rule, after)

    @staticmethod
    def _not_json(findings: list[Finding] | tuple[Finding, ...]) -> Reply:
        errors = [f for f in findings if f.severity is Severity.ERROR]
        return Reply(400, INVALID, message=_finding_text(errors), rule=SYNTAX.id)

    def _url_allowed(self, partner: Partner) -> Callable[[str], bool]:
        def allowed(url: str) -> bool:
            parts = urlsplit(url)
            return parts.scheme in ("http", "https") and partner.allows_host(parts.hostname)

        return allowed

    def start_session(self, body: bytes, caller: Caller, correlation_id: str) -> Reply:
        """Answer a START_SESSION; after ACCEPTED, start the Charge Point and report its answer."""
        decision = decide_start_session(
            body,
            sender=caller.roles,
            locations=self.config.locations,
            response_url_allowed=self._url_allowed(caller.partner),
        )
        if decision.report is not None and SYNTAX.id in decision.report.rules:
            return self._not_json(decision.report.findings)
        after = None
        if decision.accepted:
            # The clock starts when the StartSession is received (start-session.ocpp-rfid-15-minutes).
            assert decision.start_session is not None and decision.charge_point is not None
            self.window.record_start_session(decision.start_session.token, decision.charge_point.id)

            async def after() -> None:
                self._spawn(self._run_start(decision, caller, correlation_id))

        return self._response(
            decision.result, decision.status_code, decision.message, decision.rule, after
        )

    def stop_session(self, body: bytes, caller: Caller, correlation_id: str) -> Reply:
        """Answer a STOP_SESSION; after ACCEPTED, stop the session and write its CDR."""
        loaded = load(body)
        if SYNTAX.id in {f.rule for f in loaded.findings}:
            return self._not_json(loaded.findings)
        if not loaded.usable:
            return self._response(CommandResponseType.REJECTED, INVALID, _finding_text(loaded.findings))
        if not isinstance(loaded.value, Mapping):
            msg = f"/: a StopSession is a JSON object, got {json_type_name(loaded.value)} [{JSON_TYPE.id}]"
            return self._response(CommandResponseType.REJECTED, INVALID, msg, JSON_TYPE.id)
        try:
            stop = StopSession.model_validate(loaded.value)
        except ValidationError as exc:
            found = list(findings_from_error(StopSession, exc))
            return self._response(
                CommandResponseType.REJECTED,
                INVALID,
                _finding_text(found),
                found[0].rule if found else None,
            )
        if not self._url_allowed(caller.partner)(stop.response_url):
            host = urlsplit(stop.response_url).hostname
            return self._response(
                CommandResponseType.REJECTED,
                INVALID,
                f"response_url host {host!r} is not one this CPO may call",
                RESPONSE_URL_ALLOWED.id,
            )
        session = self.sessions.get(stop.session_id)
        if session is None:
            return self._response(
                CommandResponseType.UNKNOWN_SESSION, OK, f"no session {stop.session_id}"
            )
        if session.owner not in caller.roles:
            return self._response(
                CommandResponseType.REJECTED,
                OK,
                f"session {session.id} is not a session of your Tokens",
            )
        if session.status != "ACTIVE":
            return self._response(
                CommandResponseType.REJECTED, OK, f"session {session.id} is already {session.status}"
            )

        async def after() -> None:
            self._spawn(self._run_stop(stop, session.id, caller, correlation_id))

        return self._response(
            CommandResponseType.ACCEPTED, OK, f"stopping session {session.id}", after=after
        )

    # ------------------------------------------------------------------ async results

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every CommandResult under way has been delivered (or has failed)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None:
                break

    async def aclose(self) -> None:
        """Cancel work under way and close the HTTP client if this service made it."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _ask(self, call: Awaitable[Answer]) -> tuple[CommandResultType, str | None]:
        """The Charge Point's answer as a CommandResult, TIMEOUT past the CPO's deadline.

        ``asyncio.timeout`` waits in this task; ``wait_for`` would start one more per command.
        """
        try:
            async with asyncio.timeout(self.config.charge_point_deadline):
                answer = await call
        except TimeoutError:
            return CommandResultType.TIMEOUT, TIMEOUT_WHEN_SILENT.id
        return RESULT_BY_ANSWER[answer], RESULT_FROM_CHARGE_POINT.id

    async def _run_start(self, decision: Decision, caller: Caller, correlation_id: str) -> None:
        start, cp = decision.start_session, decision.charge_point
        assert start is not None and cp is not None
        sim = self.charge_points[CiString(cp.id)]
        result, _rule = await self._ask(sim.remote_start())
        evse = sim.pick_evse(decision.evse)
        car = sim.car_plugs_in()
        text = _START_RESULT_TEXT[result].format(cp=cp.id, evse=evse.uid)
        to = caller.from_party or PartyId(start.token.country_code, start.token.party_id)
        await self._post_result(
            "START_SESSION", start.response_url, result, text, caller.partner, to, correlation_id
        )
        if result is CommandResultType.ACCEPTED:
            if car:
                connector = start.connector_id or evse.connectors[0]
                self.sessions.start(start, evse.uid, str(connector), self.clock())
            else:
                log.info(
                    "no car plugged in at %s after an accepted start: no Session [%s]",
                    cp.id,
                    ACCEPTED_WITHOUT_CAR.id,
                )

    async def _run_stop(
        self, stop: StopSession, session_id: str, caller: Caller, correlation_id: str
    ) -> None:
        session = self.sessions.get(session_id)
        assert session is not None
        cp = next(
            sim
            for sim in self.charge_points.values()
            if any(CiString(e.uid) == session.evse_uid for e in sim.charge_point.evses)
        )
        result, _rule = await self._ask(cp.remote_stop())
        text = (
            f"session {session_id} stopped"
            if result is CommandResultType.ACCEPTED
            else f"Charge Point {cp.id} did not answer in time"
        )
        # Stop first, then report: the CDR exists when the eMSP hears ACCEPTED.
        if result is CommandResultType.ACCEPTED:
            self.sessions.stop(session_id, self.clock())
        to = caller.from_party or session.owner
        await self._post_result(
            "STOP_SESSION", stop.response_url, result, text, caller.partner, to, correlation_id
        )

    async def _post_result(
        self,
        command: str,
        url: str,
        result: CommandResultType,
        text: str,
        partner: Partner,
        to: PartyId,
        correlation_id: str,
    ) -> None:
        """POST one bare CommandResult; on failure log it and stop (commands.no-retry)."""
        body = CommandResult(result=result, message=_display(text)).model_dump_json()
        request_id = self.new_request_id()
        headers = {
            "Authorization": _basic_token_header(partner.callback_token),
            "Content-Type": "application/json",
            "X-Request-ID": request_id,
            "X-Correlation-ID": correlation_id,
            "OCPI-from-country-code": str(self.config.party.country_code),
            "OCPI-from-party-id": str(self.config.party.party_id),
            "OCPI-to-country-code": str(to.country_code),
            "OCPI-to-party-id": str(to.party_id),
        }
        if self._delivering is None:
            self._delivering = asyncio.Semaphore(MAX_DELIVERIES)
        status: int | None = None
        error: str | None = None
        try:
            async with self._delivering:
                status = await self._post(url, body.encode(), headers)
        except _NotSent as exc:
            error = str(exc)
        delivery = Delivery(command, url, result, request_id, status, error)
        self.deliveries.append(delivery)
        if not delivery.delivered:
            log.warning(
                "CommandResult %s for %s to partner %s not delivered (%s); not retried",
                result.value,
                command,
                partner.name,
                error or f"HTTP {status}",
            )

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """One POST with the injected httpx client, else with the service's own aiohttp one."""
        if self.http is not None:
            return await _post_httpx(self.http, url, body, headers, self.config.callback_timeout)
        if self._session is None:
            self._session = _own_session(self.config.callback_timeout)
        return await _post_aiohttp(self._session, url, body, headers)

    # ------------------------------------------------------------------ tokens

    def _token_type(self, type_param: str | None) -> TokenType | Reply:
        if type_param is None:
            return TokenType.RFID
        try:
            return TokenType(type_param)
        except ValueError:
            allowed = ", ".join(t.value for t in TokenType)
            return Reply(200, INVALID, message=f"query parameter type: {type_param!r} is not one of {allowed}")

    def _token_owner_refused(self, caller: Caller, cc: str, pid: str) -> Reply | None:
        if PartyId(cc, pid) in caller.roles:
            return None
        return Reply(
            404,
            UNKNOWN_TOKEN,
            message=f"{cc}-{pid} is not one of your roles ({', '.join(map(str, caller.roles))})",
        )

    def _token_target(
        self, caller: Caller, cc: str, pid: str, type_param: str | None
    ) -> TokenType | Reply:
        """The Token type the URL names, or the Reply refusing the request (bad type, not yours)."""
        ttype = self._token_type(type_param)
        if isinstance(ttype, Reply):
            return ttype
        return self._token_owner_refused(caller, cc, pid) or ttype

    def get_token(self, caller: Caller, cc: str, pid: str, uid: str, type_param: str | None) -> Reply:
        """Tokens receiver GET: the pushed Token, or HTTP 404 with status 2004.

        A Token seen only in a StartSession was never stored, so it is unknown here
        (``start-session.unknown-token-not-stored``).
        """
        ttype = self._token_target(caller, cc, pid, type_param)
        if isinstance(ttype, Reply):
            return ttype
        token = self.tokens.get(cc, pid, uid, ttype)
        if token is None:
            return Reply(
                404,
                UNKNOWN_TOKEN,
                message=f"unknown Token {cc}-{pid} {uid} ({ttype.value}); Tokens received only "
                f"in a StartSession are not stored [{UNKNOWN_TOKEN_NOT_STORED.id}]",
                rule=UNKNOWN_TOKEN_NOT_STORED.id,
            )
        return Reply(data=token.model_dump(mode="json"))

    def put_token(
        self, caller: Caller, cc: str, pid: str, uid: str, type_param: str | None, body: bytes
    ) -> Reply:
        """Tokens receiver PUT: store the pushed Token; the URL must name the same Token."""
        ttype = self._token_target(caller, cc, pid, type_param)
        if isinstance(ttype, Reply):
            return ttype
        doc = self._json_object(body, "Token")
        if isinstance(doc, Reply):
            return doc
        try:
            token = Token.model_validate(doc)
        except ValidationError as exc:
            return Reply(200, INVALID, message=_finding_text(list(findings_from_error(Token, exc))))
        mismatch = [
            f"/{name}: {getattr(token, name)!s} differs from the URL's {want}"
            for name, want in (("country_code", cc), ("party_id", pid), ("uid", uid))
            if getattr(token, name) != CiString(want)
        ]
        if token.type is not ttype:
            mismatch.append(f"/type: {token.type.value} differs from the URL's type {ttype.value}")
        if mismatch:
            return Reply(200, INVALID, message="; ".join(mismatch))
        existed = self.tokens.get(cc, pid, uid, ttype) is not None
        self.tokens.put(token)
        return Reply(200 if existed else 201, OK)

    def patch_token(
        self, caller: Caller, cc: str, pid: str, uid: str, type_param: str | None, body: bytes
    ) -> Reply:
        """Tokens receiver PATCH: update fields of a pushed Token; last_updated is required."""
        ttype = self._token_target(caller, cc, pid, type_param)
        if isinstance(ttype, Reply):
            return ttype
        doc = self._json_object(body, "Token patch")
        if isinstance(doc, Reply):
            return doc
        stored = self.tokens.get(cc, pid, uid, ttype)
        if stored is None:
            return Reply(404, UNKNOWN_TOKEN, message=f"unknown Token {cc}-{pid} {uid} ({ttype.value})")
        if "last_updated" not in doc:
            return Reply(200, INVALID, message="/last_updated: missing; a PATCH must set it")
        fixed = [k for k in ("country_code", "party_id", "uid", "type") if k in doc and doc[k] != stored.model_dump(mode="json")[k]]
        if fixed:
            return Reply(200, INVALID, message="; ".join(f"/{k}: cannot be changed by a PATCH" for k in fixed))
        merged = {**stored.model_dump(mode="json"), **doc}
        try:
            token = Token.model_validate(merged)
        except ValidationError as exc:
            return Reply(200, INVALID, message=_finding_text(list(findings_from_error(Token, exc))))
        self.tokens.put(token)
        return Reply()

    @staticmethod
    def _json_object(body: bytes, what: str) -> dict[str, Any] | Reply:
        loaded = load(body)
        if SYNTAX.id in {f.rule for f in loaded.findings}:
            return CpoService._not_json(loaded.findings)
        errors = [f for f in loaded.findings if f.severity is Severity.ERROR]
        if errors or not loaded.usable:
            return Reply(200, INVALID, message=_finding_text(errors))
        if not isinstance(loaded.value, dict):
            return Reply(200, INVALID, message=f"/: a {what} is a JSON object, got {json_type_name(loaded.value)}")
        return loaded.value

    # ------------------------------------------------------------------ sessions, CDRs

    def list_sessions(self, caller: Caller, query: Mapping[str, str]) -> Reply:
        """Sessions sender GET (date_from is required by OCPI 2.2.1 §9.2.1.1)."""
        parsed = _paging(query, date_from_required=True)
        if isinstance(parsed, Reply):
            return parsed
        page = self.sessions.page_sessions(caller.roles, **parsed)
        return Reply(data=list(page.items), page=page)

    def list_cdrs(self, caller: Caller, query: Mapping[str, str]) -> Reply:
        """CDRs sender GET (every parameter optional)."""
        parsed = _paging(query, date_from_required=False)
        if isinstance(parsed, Reply):
            return parsed
        page = self.sessions.page_cdrs(caller.roles, **parsed)
        return Reply(data=list(page.items), page=page)

    # ------------------------------------------------------------------ simulator

    def local_authorize(self, charge_point_id: str, body: bytes) -> Reply:
        """A driver presents *body* (a Token) at a Charge Point: may the CPO ask the eMSP?"""
        if CiString(charge_point_id) not in self.charge_points:
            return Reply(404, CLIENT_ERROR, message=f"no Charge Point {charge_point_id}")
        doc = self._json_object(body, "Token")
        if isinstance(doc, Reply):
            return doc
        try:
            token = Token.model_validate(doc)
        except ValidationError as exc:
            return Reply(200, INVALID, message=_finding_text(list(findings_from_error(Token, exc))))
        decision = self.window.decide(token, charge_point_id)
        return Reply(
            data={"realtime": decision.realtime.value, "reason": decision.reason, "rule": decision.rule}
        )


def _paging(query: Mapping[str, str], *, date_from_required: bool) -> dict[str, Any] | Reply:
    out: dict[str, Any] = {}
    for name in ("date_from", "date_to"):
        raw = query.get(name)
        if raw is None:
            if name == "date_from" and date_from_required:
                return Reply(200, INVALID, message="query parameter date_from: missing (OCPI DateTime, required)")
            out[name] = None
            continue
        try:
            if not _DATETIME.match(raw):
                raise ValueError
            out[name] = DateTime(raw).to_datetime()
        except ValueError:
            return Reply(200, INVALID, message=f"query parameter {name}: {raw!r} is not an OCPI DateTime")
    for name, default in (("offset", 0), ("limit", MAX_PAGE)):
        raw = query.get(name)
        if raw is None:
            out[name] = default
            continue
        if not raw.isdigit():
            return Reply(200, INVALID, message=f"query parameter {name}: {raw!r} is not a non-negative int")
        out[name] = int(raw)
    out["limit"] = min(out["limit"], MAX_PAGE)
    return out
