"""What the reference CPO answers: :class:`Reply`, the caller, and the table of its choices.

Every answer outside the StartSession decision is a :class:`Choice`: one row of situation,
HTTP status, OCPI status code, ``data.result`` and rule. The handlers build their replies from
these rows, and :func:`~ocpi_ref.cpo.replies.choices` joins them with the decision's own rows
(:data:`ocpi_ref.flow.decision.OUTCOMES`) into the one table the book renders, so no table of
choices is written twice.

Every HTTP-level refusal was checked against "If a request is syntactically valid JSON and
addresses an existing resource, a HTTP error MUST NOT be returned" (status codes §5; 2.1.1:
'should'): the spec itself requires the 401 (2.2 and later); the 400 answers a body that is not
JSON, the 404s a path that addresses no resource, the 408 a body that never arrived; the 413 and
the 403 answer valid JSON with an HTTP error, and their records say DEVIATION with the reason; a
full backlog is answered at OCPI level (HTTP 200, REJECTED), not with 429.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..findings import Finding, Severity
from ..flow.decision import OUTCOMES
from ..flow.sessions import Page
from ..flow.text import display_text, safe_text
from ..jsondoc import json_type_name, load
from ..party import PartyId
from ..rules.commands import (
    BACKLOG_LIMIT,
    BODY_READ_TIMEOUT,
    BODY_SIZE_LIMIT,
    CORRELATION_ID_TRAVELS,
    CREDENTIALS_REQUIRED,
    FROM_HEADERS_MATCH_CREDENTIALS,
    OTHER_COMMANDS_NOT_SUPPORTED,
    RESPONSE_URL_ALLOWED,
    RESPONSE_URL_NO_USERINFO,
)
from ..rules.json import SYNTAX
from ..rules.start_session import UNKNOWN_TOKEN_NOT_STORED
from ..rules.types import OPEN_ENUM
from ..v2_2_1.models import DisplayText
from .config import Partner

__all__ = [
    "CHOICES", "Caller", "Choice", "Refusal", "Reply", "backlog_message", "choices", "display", "finding_text",
    "json_object",
    "not_json", "safe_text",
]

OK, CLIENT_ERROR, INVALID, UNKNOWN_LOCATION, UNKNOWN_TOKEN = 1000, 2000, 2001, 2003, 2004
SERVER_ERROR, UNSUPPORTED_VERSION = 3000, 3002


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

    def __post_init__(self) -> None:
        # Whatever went into the message (a Token field, a path segment, a finding), it
        # leaves as text that is printable and encodable (safe_text).
        if self.message:
            self.message = safe_text(self.message)


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
class Choice:
    """One row of the CPO's table: a situation and what it is answered with.

    ``result`` is the CommandResponse's result, ``None`` when the answer has no data;
    ``by_finding`` rows take the rule of the first finding that refused the body.
    """

    situation: str
    http_status: int
    status_code: int
    result: str | None
    rule: str | None
    by_finding: bool = False

    def reply(self, message: str, data: Any = None, rule: str | None = None) -> Reply:
        """A data-less :class:`Reply` of this row (commands add their CommandResponse)."""
        return Reply(self.http_status, self.status_code, data, message, rule or self.rule)


def _row(
    situation: str, http: int, status: int, result: str | None = None, rule: str | None = None, *, by_finding: bool = False
) -> Choice:
    return Choice(situation, http, status, result, rule, by_finding)


NO_CREDENTIALS = _row("no, malformed, unknown or wrongly encoded ``Authorization: Token``",
                      401, CLIENT_ERROR, rule=CREDENTIALS_REQUIRED.id)
FROM_NOT_A_ROLE = _row("OCPI-from-* not a role of the credentials", 403, CLIENT_ERROR,
                       rule=FROM_HEADERS_MATCH_CREDENTIALS.id)
TOO_LARGE = _row("body over ``max_body_bytes``", 413, CLIENT_ERROR, rule=BODY_SIZE_LIMIT.id)
BODY_TIMEOUT = _row("body not received within ``body_read_timeout``", 408, CLIENT_ERROR,
                    rule=BODY_READ_TIMEOUT.id)
NOT_JSON = _row("body is not JSON", 400, INVALID, rule=SYNTAX.id)
NO_SUCH_COMMAND = _row("unknown command name in the path (not 2.3.0)", 404, CLIENT_ERROR,
                       rule=OTHER_COMMANDS_NOT_SUPPORTED.id)
OPEN_COMMAND = _row("unknown command name in the path, OCPI 2.3.0", 200, OK, "NOT_SUPPORTED", OPEN_ENUM.id)
OTHER_COMMAND = _row("RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR", 200, OK, "NOT_SUPPORTED",
                     OTHER_COMMANDS_NOT_SUPPORTED.id)
BACKLOG_FULL = _row("StartSession or StopSession while the partner has ``max_backlog`` commands under way",
                    200, CLIENT_ERROR, "REJECTED", BACKLOG_LIMIT.id)
IDS_CANNOT_TRAVEL = _row("StartSession or StopSession whose X-Correlation-ID (or X-Request-ID in its place) is not "
                         "printable ASCII", 200, CLIENT_ERROR, "REJECTED", CORRELATION_ID_TRAVELS.id)
STOP_INVALID = _row("StopSession breaks the field table or a type", 200, INVALID, "REJECTED", by_finding=True)
STOP_USERINFO = _row("StopSession response_url carries user information", 200, INVALID, "REJECTED",
                     RESPONSE_URL_NO_USERINFO.id)
STOP_URL = _row("StopSession response_url host not allowed, or no host can be read from it", 200, INVALID,
                "REJECTED", RESPONSE_URL_ALLOWED.id)
STOP_UNKNOWN = _row("StopSession for an unknown session id", 200, OK, "UNKNOWN_SESSION")
STOP_FOREIGN = _row("StopSession for a session of another party's Token", 200, OK, "REJECTED")
STOP_DONE = _row("StopSession for a session already completed", 200, OK, "REJECTED")
STOP_OK = _row("StopSession otherwise", 200, OK, "ACCEPTED")
TOKEN_UNKNOWN = _row("Tokens GET of a Token never pushed", 404, UNKNOWN_TOKEN, rule=UNKNOWN_TOKEN_NOT_STORED.id)
VERSION_UNKNOWN = _row("a version this CPO does not serve (Versions module or any path)", 404, UNSUPPORTED_VERSION)

#: The rows before the StartSession decision's, in the order a request meets them.
BEFORE_DECISION = (
    NO_CREDENTIALS, FROM_NOT_A_ROLE, TOO_LARGE, BODY_TIMEOUT, NOT_JSON, NO_SUCH_COMMAND, OPEN_COMMAND, OTHER_COMMAND,
    BACKLOG_FULL, IDS_CANNOT_TRAVEL,
)
#: The rows after it.
AFTER_DECISION = (STOP_INVALID, STOP_USERINFO, STOP_URL, STOP_UNKNOWN, STOP_FOREIGN, STOP_DONE, STOP_OK, TOKEN_UNKNOWN, VERSION_UNKNOWN)


def choices() -> tuple[Choice, ...]:
    """The whole table: the HTTP-level rows, the StartSession decision's rows, the others."""
    decided = tuple(
        Choice(o.situation, 200, o.status_code, o.result.value, o.rule, o.rule is None) for o in OUTCOMES
    )
    return (*BEFORE_DECISION, *decided, *AFTER_DECISION)


#: Every answer of the reference CPO, in the order a request meets them (computed once).
CHOICES = choices()


def backlog_message(limit: int, pending: int, timeout: float) -> str:
    """The message of a command refused because the partner's lane is full
    (``commands.backlog-limit``): *pending* under way is all it can answer within the *timeout*,
    or *limit* (``max_backlog``) is reached; it names both, so the partner knows what to wait for."""
    return (
        f"REJECTED: {pending} commands of yours are under way, as many as this CPO can answer "
        f"within the {timeout:g} s timeout "
        f"(it takes at most {limit} commands under way per partner, max_backlog); try again once "
        f"their results have come [{BACKLOG_LIMIT.id}]"
    )


def finding_text(findings: Iterable[Finding]) -> str:
    """Findings as one status_message: ``pointer: message [rule]``, separated by ``;``."""
    return "; ".join(f"{f.pointer or '/'}: {f.message} [{f.rule}]" for f in findings)


def display(text: str) -> list[DisplayText]:
    """A CommandResponse/CommandResult message: one English DisplayText, cut to its 512.

    The text is made safe first (:func:`~ocpi_ref.flow.text.safe_text`), so it is always a
    valid ``string(512)``.
    """
    return [display_text(text)]


def not_json(findings: Iterable[Finding]) -> Reply | None:
    """HTTP 400 with status 2001 when a ``json.syntax`` *error* is among *findings*, else None.

    Only an error: the same rule also warns of a byte order mark, which is ignored (RFC 8259
    §8.1) and leaves a body that is JSON.
    """
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not any(f.rule == SYNTAX.id for f in errors):
        return None
    return NOT_JSON.reply(finding_text(errors))


def json_object(body: bytes, what: str) -> dict[str, Any] | Reply:
    """*body* parsed as one JSON object, or the Reply refusing it (400 when it is not JSON)."""
    loaded = load(body)
    if (refused := not_json(loaded.findings)) is not None:
        return refused
    errors = [f for f in loaded.findings if f.severity is Severity.ERROR]
    if errors or not loaded.usable:
        return Reply(200, INVALID, message=finding_text(errors))
    if not isinstance(loaded.value, dict):
        return Reply(200, INVALID, message=f"/: a {what} is a JSON object, got {json_type_name(loaded.value)}")
    return loaded.value
