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
token encoded otherwise than version/partner allow   401    2000    (none)           commands.authorization-encoding
OCPI-from-* not a role of the credentials            403    2000    (none)           commands.from-headers-match-credentials
body over ``max_body_bytes``                         413    2000    (none)           commands.body-size-limit
body is not JSON                                     400    2001    (none)           json.syntax
unknown command name in the path (not 2.3.0)         404    2000    (none)           commands.other-commands-not-supported
unknown command name in the path, OCPI 2.3.0         200    1000    NOT_SUPPORTED    type.open-enum
RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR    200    1000    NOT_SUPPORTED    commands.other-commands-not-supported
StartSession breaks the field table or a type        200    2001    REJECTED         the finding's rule (all listed)
Token owned by a party not among the caller's roles  200    2001    REJECTED         start-session.own-tokens-only
response_url host not allowed for this partner       200    2001    REJECTED         commands.response-url-allowed
unknown Location                                     200    2003    REJECTED         start-session.location-of-receiver
unknown EVSE or connector                            200    2003    REJECTED         start-session.location-of-receiver
EVSE requires connector_id, none given               200    2001    REJECTED         start-session.connector-required-by-evse
same EVSE, OCPI 2.1.1 or 2.2 (no connector_id)       200    1000    NOT_SUPPORTED    start-session.connector-required-by-evse
no evse_uid and no Charge Point can choose           200    1000    NOT_SUPPORTED    start-session.evse-optional
StartSession otherwise                               200    1000    ACCEPTED         start-session.cpo-no-validity-check
StopSession invalid / response_url not allowed       200    2001    REJECTED         the finding's rule
StopSession for an unknown session id                200    1000    UNKNOWN_SESSION
StopSession for a session of another party's Token   200    1000    REJECTED
StopSession for a session already completed          200    1000    REJECTED
StopSession otherwise                                200    1000    ACCEPTED
Tokens GET of a Token never pushed                   404    2004    (none)           start-session.unknown-token-not-stored
===================================================  =====  ======  ===============  ===========================================

After an ACCEPTED CommandResponse, and only then, one asynchronous answer is POSTed to
response_url (``commands.result-after-accepted``): a CommandResult in 2.2 and later; in 2.1.1,
which has no CommandResult, a CommandResponse again, with the result mapped onto 2.1.1's
CommandResponseType:

==============================================  =================  ===============  ======================================
the Charge Point                                CommandResult      2.1.1 result     rule
==============================================  =================  ===============  ======================================
accepts (car plugs in: a Session follows)       ACCEPTED           ACCEPTED         commands.result-from-charge-point
accepts, no car ever plugs in (no Session)      ACCEPTED           ACCEPTED         commands.accepted-without-car
refuses the remote start                        FAILED             REJECTED         commands.result-from-charge-point
answers that the EVSE is occupied               EVSE_OCCUPIED      REJECTED         commands.result-from-charge-point
answers that the EVSE is faulted                EVSE_INOPERATIVE   REJECTED         commands.result-from-charge-point
stays silent past ``charge_point_deadline``     TIMEOUT            TIMEOUT          commands.timeout-when-silent
==============================================  =================  ===============  ======================================

2.1.1's CommandResponseType has no FAILED, EVSE_OCCUPIED or EVSE_INOPERATIVE: the Charge Point
did not do what was asked, which 2.1.1 can only say as REJECTED (its message field does not
exist either, so the reason is only in the CPO's log). TIMEOUT is still a CommandResponseType
in 2.1.1.

The POST is a bare body with the partner's ``callback_token`` (``commands.result-bare-body``):
in 2.2 and later a CommandResult; in 2.1.1 the object ``{"result": ...}``, the shape the 2.1.1
revision d2 settled on, although a 2.1.1 reader must also take a bare string
(``commands.v211-response-either-shape``). A failed POST is logged and never retried
(``commands.no-retry``); redirects are not followed.

Versions (the path's ``{version}``; Tokens, Sessions and CDRs are served for 2.2.1 only, see
:mod:`.versions_module`): every command is checked with its version's model and rules.
2.1.1 requests and answers carry no OCPI-from/to routing headers (2.1.1 has none; OCPI-from
headers on a 2.1.1 request are ignored), and a 2.1.1 StartSession's Token is owned by the
caller: the first role of its credentials is written into the Session. An accepted StartSession
of another version becomes a 2.2.1 one for the Session and CDR
(:func:`ocpi_ref.convert_start_session`), built from the fields the version defines only, so an
unknown ``connector_id`` or Token ``country_code`` cannot pick the connector or the owner.
Whatever that conversion cannot hold (a 2.3.0 EMAID Token or an unlisted TokenType becomes
OTHER at the 2.2.1 Sessions and CDRs endpoints) is logged as a warning with its rule
(``convert.value-replaced``), never dropped silently. X-Request-ID and X-Correlation-ID are
echoed and sent in every version (2.1.1 clients ignore them; they help tracing).

The ``Authorization`` header is read as :mod:`.authorization_header` says: per version a
default (2.1.1 plain, 2.2 either, 2.2.1 and 2.3.0 Base64), replaced by the partner's
``authorization`` setting; the CPO's own POSTs encode the ``callback_token`` the same way
(``commands.authorization-encoding``).

The POSTs run in the same event loop as the answers, so their CPU cost per request counts
against the CPO's throughput: the service's own client is aiohttp, several times cheaper per
request than httpx. An injected ``httpx.AsyncClient`` (tests, the book: mock or ASGI
transports) is used as given instead, with the same headers, timeout and failure handling.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpx
from pydantic import BaseModel, ValidationError

from ..convert import convert_start_session
from ..errors import findings_from_error
from ..findings import Finding, Severity
from ..jsondoc import json_type_name, load
from ..party import PartyId
from ..rules.commands import (
    ACCEPTED_WITHOUT_CAR,
    AUTHORIZATION_ENCODING,
    BODY_SIZE_LIMIT,
    CREDENTIALS_REQUIRED,
    FROM_HEADERS_MATCH_CREDENTIALS,
    OTHER_COMMANDS_NOT_SUPPORTED,
    RESPONSE_URL_ALLOWED,
    RESULT_FROM_CHARGE_POINT,
    TIMEOUT_WHEN_SILENT,
)
from ..rules.json import SYNTAX
from ..rules.start_session import UNKNOWN_TOKEN_NOT_STORED
from ..rules.types import JSON_TYPE, OPEN_ENUM
from ..types import DATETIME_PATTERN, CiString, DateTime
from ..v2_1_1 import CommandResponse as CommandResponse211
from ..v2_1_1 import CommandResponseType as CommandResponseType211
from ..v2_1_1 import StopSession as StopSession211
from ..versions import DEFAULT_VERSION, VERSIONS, spec
from ..flow.window import AuthorizationWindow
from ..flow.decision import Decision, decide_start_session
from ..v2_2_1.enums import CommandResponseType, CommandResultType, TokenType
from ..v2_2_1.models import CommandResponse, CommandResult, DisplayText, StartSession, StopSession, Token
from ..flow.tokens import TokenStore
from ..transport.authorization import accepted_encoding, decode_base64, header, sent_encoding
from .chargepoint import Answer, SimulatedChargePoint
from .config import CpoConfig, Partner
from ..flow.sessions import Page, SessionStore
from .versions import version_details, version_list

__all__ = ["Caller", "CpoService", "Delivery", "Refusal", "Reply"]

log = logging.getLogger("ocpi_ref.service.cpo")

OK, CLIENT_ERROR, INVALID, UNKNOWN_LOCATION, UNKNOWN_TOKEN = 1000, 2000, 2001, 2003, 2004
UNSUPPORTED_VERSION = 3002

#: The Charge Point's answer and the CommandResult it becomes (commands.result-from-charge-point).
RESULT_BY_ANSWER = {
    Answer.ACCEPTED: CommandResultType.ACCEPTED,
    Answer.REJECTED: CommandResultType.FAILED,
    Answer.OCCUPIED: CommandResultType.EVSE_OCCUPIED,
    Answer.FAULTED: CommandResultType.EVSE_INOPERATIVE,
}

#: The CommandResult as OCPI 2.1.1's CommandResponseType (the table in this module's docstring).
V211_RESULT = {
    CommandResultType.ACCEPTED: CommandResponseType211.ACCEPTED,
    CommandResultType.FAILED: CommandResponseType211.REJECTED,
    CommandResultType.EVSE_OCCUPIED: CommandResponseType211.REJECTED,
    CommandResultType.EVSE_INOPERATIVE: CommandResponseType211.REJECTED,
    CommandResultType.TIMEOUT: CommandResponseType211.TIMEOUT,
}

#: Each version's command names (its CommandType), for a dict lookup per request.
COMMANDS: dict[str, frozenset[str]] = {
    v: frozenset(c.value for c in spec(v).enums["CommandType"]) for v in VERSIONS
}

#: The StopSession model of each version (2.2, 2.2.1 and 2.3.0 share one table).
_STOP_SESSION: dict[str, type[BaseModel]] = {v: StopSession for v in VERSIONS} | {"2.1.1": StopSession211}

#: What a client is told to send, by the accepted encoding (the 401 message).
_HINT = {
    "plain": "<your credentials token>",
    "base64": "<Base64 of your credentials token>",
    "either": "<your credentials token, plain or Base64-encoded>",
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
    """One asynchronous answer the CPO POSTed (or tried): kept so tests and the book can see it.

    ``result`` is what the Charge Point's answer became as a CommandResult; in ``version``
    2.1.1 the body carried its mapping onto 2.1.1's CommandResponseType instead.
    """

    command: str
    response_url: str
    result: CommandResultType
    request_id: str
    http_status: int | None
    error: str | None = None
    version: str = DEFAULT_VERSION

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


@dataclass(frozen=True)
class _Accepting:
    """The partners whose token may arrive Base64-encoded, and those whose may arrive plain."""

    base64: tuple[Partner, ...]
    plain: tuple[Partner, ...]


def _accepting(partners: tuple[Partner, ...], version: str | None) -> _Accepting:
    modes = [(p, accepted_encoding(version, p.authorization)) for p in partners]
    return _Accepting(
        tuple(p for p, mode in modes if mode != "plain"),
        tuple(p for p, mode in modes if mode != "base64"),
    )


def _match(partners: tuple[Partner, ...], token: str) -> Partner | None:
    """The partner whose token is *token*; every one is compared, in constant time each."""
    found = None
    wanted = token.encode()
    for partner in partners:
        if hmac.compare_digest(partner.token.encode(), wanted):
            found = partner
    return found


def _finding_text(findings: list[Finding] | tuple[Finding, ...]) -> str:
    return "; ".join(f"{f.pointer or '/'}: {f.message} [{f.rule}]" for f in findings)


def _display(text: str) -> list[DisplayText]:
    return [DisplayText(language="en", text=text[:512])]


def _declared_only(model: BaseModel) -> dict[str, Any]:
    """*model* as JSON without the fields its version does not define, at every level.

    A conversion carries unknown fields along; a 2.1.1 Token's unknown ``country_code`` would
    then become the 2.2.1 owner, and a 2.2 ``connector_id`` a real one. Only declared fields
    go into the Session, so neither can.
    """
    doc = model.model_dump(mode="json")
    _strip_extras(model, doc)
    return doc


def _strip_extras(model: BaseModel, doc: dict[str, Any]) -> None:
    for name in model.__pydantic_extra__ or ():
        doc.pop(name, None)
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        if isinstance(value, BaseModel) and isinstance(doc.get(name), dict):
            _strip_extras(value, doc[name])


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
        # Per version (None: the version list), who may send its token which way.
        self._accepting: dict[str | None, _Accepting] = {
            v: _accepting(self.config.partners, v) for v in (*VERSIONS, None)
        }
        # The Authorization header of our own POSTs, per partner token and version.
        self._callback_auth: dict[tuple[str, str], str] = {
            (p.token, v): header(p.callback_token, sent_encoding(v, p.authorization))
            for p in self.config.partners
            for v in VERSIONS
        }
        self._tasks: set[asyncio.Task[None]] = set()
        self._delivering: asyncio.Semaphore | None = None
        self._session: aiohttp.ClientSession | None = None

    def charge_point(self, charge_point_id: str) -> SimulatedChargePoint:
        """The simulated Charge Point with this id (case ignored)."""
        return self.charge_points[CiString(charge_point_id)]

    # ------------------------------------------------------------------ credentials

    def authenticate(
        self,
        authorization: str | None,
        from_country_code: str | None,
        from_party_id: str | None,
        version: str | None = DEFAULT_VERSION,
        *,
        routing: bool = True,
    ) -> Caller:
        """The caller behind the ``Authorization`` and ``OCPI-from-*`` headers, or a Refusal.

        *version* picks the accepted encodings (None: the Versions module's version list).
        OCPI-from headers are read only where they exist: not in 2.1.1, and not with
        *routing* false (the Versions module, where the spec says they SHALL NOT be used).
        """
        partner = self._partner(authorization, version)
        if partner is None:
            raise Refusal(self._unauthorized(version))
        if not routing or version == "2.1.1":
            return Caller(partner, partner.roles)
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

    def _partner(self, authorization: str | None, version: str | None) -> Partner | None:
        """The partner whose token the header carries, in an encoding it may use in *version*.

        The Base64 decoding is tried first, then the raw value; nothing is trimmed, so a token
        encoded with a trailing newline matches neither (commands.authorization-encoding).
        """
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        if scheme != "Token" or not value or " " in value:
            return None
        table = self._accepting[version]
        found = None
        if table.base64:
            token = decode_base64(value)
            if token is not None:
                found = _match(table.base64, token)
        if found is None and table.plain:
            found = _match(table.plain, value)
        return found

    @staticmethod
    def _unauthorized(version: str | None) -> Reply:
        expected = _HINT[accepted_encoding(version, None)]
        where = f"OCPI {version}" if version is not None else "the version list"
        return Reply(
            401,
            CLIENT_ERROR,
            message=f"missing or unknown credentials: {where} expects 'Authorization: Token "
            f"{expected}' unless agreed otherwise [{CREDENTIALS_REQUIRED.id}] "
            f"(encoding: {AUTHORIZATION_ENCODING.id})",
            rule=CREDENTIALS_REQUIRED.id,
        )

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

    # ------------------------------------------------------------------ versions module

    @staticmethod
    def versions(root: str) -> Reply:
        """``GET /ocpi/versions``: every version with the URL of its details."""
        return Reply(data=version_list(root))

    @staticmethod
    def version_details(root: str, version: str) -> Reply:
        """``GET /ocpi/cpo/{version}``: the modules served in a known *version*."""
        return Reply(data=version_details(root, version))

    @staticmethod
    def unsupported_version(version: str) -> Reply:
        """HTTP 404 with status 3002 for a version this CPO does not serve.

        404 because there is no such resource; 3002 (unsupported version) because it is the
        one status code that tells the client why, so it can pick another from the list.
        """
        return Reply(
            404,
            UNSUPPORTED_VERSION,
            message=f"OCPI version {version!r} is not supported here; supported: "
            f"{', '.join(VERSIONS)} (see GET /ocpi/versions)",
        )

    # ------------------------------------------------------------------ commands

    def command(
        self, command: str, body: bytes, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
    ) -> Reply:
        """Answer ``POST commands/{command}`` of OCPI *version*."""
        if command not in COMMANDS[version]:
            return self._unknown_command(command, body, version)
        if command == "START_SESSION":
            return self.start_session(body, caller, correlation_id, version)
        if command == "STOP_SESSION":
            return self.stop_session(body, caller, correlation_id, version)
        message = f"{command} is not implemented by this reference CPO"
        return self._not_supported(body, message, OTHER_COMMANDS_NOT_SUPPORTED.id, version)

    def _not_supported(self, body: bytes, message: str, rule: str, version: str) -> Reply:
        """NOT_SUPPORTED in an envelope for a well-formed body; HTTP 400 when it is not JSON."""
        loaded = load(body)
        if SYNTAX.id in {f.rule for f in loaded.findings}:
            return self._not_json(loaded.findings)
        return self._response(CommandResponseType.NOT_SUPPORTED, OK, message, rule, version=version)

    def _unknown_command(self, command: str, body: bytes, version: str) -> Reply:
        """A name outside the version's CommandType: HTTP 404, but NOT_SUPPORTED in 2.3.0.

        2.3.0 makes CommandType an OpenEnum, so a name it does not list is a valid value this
        CPO does not support (``type.open-enum``); in the other versions the path names no
        command at all.
        """
        if "CommandType" in spec(version).open_enums:
            message = (
                f"{command} is not a command this reference CPO knows; CommandType is an "
                f"OpenEnum in OCPI {version} [{OPEN_ENUM.id}]"
            )
            return self._not_supported(body, message, OPEN_ENUM.id, version)
        known = ", ".join(sorted(COMMANDS[version]))
        return Reply(
            404,
            CLIENT_ERROR,
            message=f"no such command {command!r}; OCPI {version} commands are {known}",
            rule=OTHER_COMMANDS_NOT_SUPPORTED.id,
        )

    def _response(
        self,
        result: CommandResponseType,
        status: int,
        message: str,
        rule: str | None = None,
        after: Callable[[], Awaitable[None]] | None = None,
        version: str = DEFAULT_VERSION,
    ) -> Reply:
        """The CommandResponse reply; in 2.1.1 ``{"result": ...}`` only (no timeout, no message)."""
        if version == "2.1.1":
            return Reply(200, status, {"result": result.value}, message, rule, after)
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

    def start_session(
        self, body: bytes, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
    ) -> Reply:
        """Answer a START_SESSION; after ACCEPTED, start the Charge Point and report its answer."""
        decision = decide_start_session(
            body,
            sender=caller.roles,
            locations=self.config.locations,
            response_url_allowed=self._url_allowed(caller.partner),
            version=version,
        )
        if decision.report is not None and SYNTAX.id in decision.report.rules:
            return self._not_json(decision.report.findings)
        after = None
        if decision.accepted:
            if version != DEFAULT_VERSION:
                internal = self._as_2_2_1(decision, caller)
                if isinstance(internal, Reply):
                    return internal
                decision = internal
            # The clock starts when the StartSession is received (start-session.ocpp-rfid-15-minutes).
            assert decision.start_session is not None and decision.charge_point is not None
            self.window.record_start_session(decision.start_session.token, decision.charge_point.id)
            accepted = decision

            async def after() -> None:
                self._spawn(self._run_start(accepted, caller, correlation_id, version))

        return self._response(
            decision.result, decision.status_code, decision.message, decision.rule, after, version
        )

    def _as_2_2_1(self, decision: Decision, caller: Caller) -> Decision | Reply:
        """The accepted *decision* with its StartSession as OCPI 2.2.1, for the Session and CDR.

        A 2.1.1 Token gets the caller's first role as owner. Every loss is logged with its
        rule; a StartSession that cannot be converted at all is refused with its findings.
        """
        version = decision.version
        owner = caller.roles[0] if version == "2.1.1" else None
        done = convert_start_session(
            _declared_only(decision.start_session), version, DEFAULT_VERSION, owner=owner
        )
        if done.document is None:
            errors = [f for f in done.findings if f.severity is Severity.ERROR]
            return self._response(
                CommandResponseType.REJECTED,
                INVALID,
                _finding_text(errors),
                errors[0].rule if errors else None,
                version=version,
            )
        for loss in done.losses:
            log.warning(
                "partner %s: accepted an OCPI %s StartSession whose Session and CDR, at the "
                "2.2.1 Sessions and CDRs endpoints, cannot hold all of it: %s",
                caller.partner.name,
                version,
                loss,
            )
        return replace(decision, start_session=StartSession.model_validate(done.document))

    def stop_session(
        self, body: bytes, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
    ) -> Reply:
        """Answer a STOP_SESSION; after ACCEPTED, stop the session and write its CDR."""
        loaded = load(body)
        if SYNTAX.id in {f.rule for f in loaded.findings}:
            return self._not_json(loaded.findings)
        if not loaded.usable:
            return self._response(
                CommandResponseType.REJECTED, INVALID, _finding_text(loaded.findings), version=version
            )
        if not isinstance(loaded.value, Mapping):
            msg = f"/: a StopSession is a JSON object, got {json_type_name(loaded.value)} [{JSON_TYPE.id}]"
            return self._response(CommandResponseType.REJECTED, INVALID, msg, JSON_TYPE.id, version=version)
        model = _STOP_SESSION[version]
        try:
            stop = model.model_validate(loaded.value)
        except ValidationError as exc:
            found = list(findings_from_error(model, exc))
            return self._response(
                CommandResponseType.REJECTED,
                INVALID,
                _finding_text(found),
                found[0].rule if found else None,
                version=version,
            )
        return self._stop_checked(stop, caller, correlation_id, version)

    def _stop_checked(self, stop: Any, caller: Caller, correlation_id: str, version: str) -> Reply:
        """The StopSession is valid: may this caller stop that session?"""
        if not self._url_allowed(caller.partner)(stop.response_url):
            host = urlsplit(stop.response_url).hostname
            return self._response(
                CommandResponseType.REJECTED,
                INVALID,
                f"response_url host {host!r} is not one this CPO may call",
                RESPONSE_URL_ALLOWED.id,
                version=version,
            )
        session = self.sessions.get(stop.session_id)
        if session is None:
            return self._response(
                CommandResponseType.UNKNOWN_SESSION, OK, f"no session {stop.session_id}", version=version
            )
        if session.owner not in caller.roles:
            return self._response(
                CommandResponseType.REJECTED,
                OK,
                f"session {session.id} is not a session of your Tokens",
                version=version,
            )
        if session.status != "ACTIVE":
            return self._response(
                CommandResponseType.REJECTED,
                OK,
                f"session {session.id} is already {session.status}",
                version=version,
            )

        async def after() -> None:
            self._spawn(self._run_stop(stop, session.id, caller, correlation_id, version))

        return self._response(
            CommandResponseType.ACCEPTED, OK, f"stopping session {session.id}", after=after, version=version
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

    async def _run_start(
        self, decision: Decision, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
    ) -> None:
        """Ask the Charge Point, report its answer, and make the Session when a car plugs in.

        *decision* holds the StartSession as OCPI 2.2.1 (converted when *version* differs).
        """
        start, cp = decision.start_session, decision.charge_point
        assert start is not None and cp is not None
        sim = self.charge_points[CiString(cp.id)]
        result, _rule = await self._ask(sim.remote_start())
        evse = sim.pick_evse(decision.evse)
        car = sim.car_plugs_in()
        text = _START_RESULT_TEXT[result].format(cp=cp.id, evse=evse.uid)
        to = caller.from_party or PartyId(start.token.country_code, start.token.party_id)
        await self._post_result(
            "START_SESSION", start.response_url, result, text, caller.partner, to, correlation_id, version
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
        self, stop: Any, session_id: str, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
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
            "STOP_SESSION", stop.response_url, result, text, caller.partner, to, correlation_id, version
        )

    def _result_body(self, result: CommandResultType, text: str, version: str) -> bytes:
        """A bare CommandResult; in 2.1.1 a CommandResponse object (commands.v211-response-either-shape)."""
        if version == "2.1.1":
            return CommandResponse211(result=V211_RESULT[result]).model_dump_json().encode()
        return CommandResult(result=result, message=_display(text)).model_dump_json().encode()

    def _result_headers(
        self, partner: Partner, to: PartyId, correlation_id: str, request_id: str, version: str
    ) -> dict[str, str]:
        """Our credentials as the version and partner want them; routing headers from 2.2 on."""
        headers = {
            "Authorization": self._callback_auth[partner.token, version],
            "Content-Type": "application/json",
            "X-Request-ID": request_id,
            "X-Correlation-ID": correlation_id,
        }
        if version != "2.1.1":
            headers["OCPI-from-country-code"] = str(self.config.party.country_code)
            headers["OCPI-from-party-id"] = str(self.config.party.party_id)
            headers["OCPI-to-country-code"] = str(to.country_code)
            headers["OCPI-to-party-id"] = str(to.party_id)
        return headers

    async def _post_result(
        self,
        command: str,
        url: str,
        result: CommandResultType,
        text: str,
        partner: Partner,
        to: PartyId,
        correlation_id: str,
        version: str = DEFAULT_VERSION,
    ) -> None:
        """POST one bare asynchronous answer; on failure log it and stop (commands.no-retry)."""
        body = self._result_body(result, text, version)
        request_id = self.new_request_id()
        headers = self._result_headers(partner, to, correlation_id, request_id, version)
        if self._delivering is None:
            self._delivering = asyncio.Semaphore(MAX_DELIVERIES)
        status: int | None = None
        error: str | None = None
        try:
            async with self._delivering:
                status = await self._post(url, body, headers)
        except _NotSent as exc:
            error = str(exc)
        delivery = Delivery(command, url, result, request_id, status, error, version)
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
