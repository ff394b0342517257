"""The CPO's decision on a StartSession, as a plain function (no HTTP, no clock).

:func:`decide_start_session` returns the CommandResponse the CPO sends back and the OCPI
status code of the envelope. Every answer it can give is a row of :data:`OUTCOMES` (situation,
status code, result, rule): the function picks a row, and the book renders the same rows, so
the table is written once. It is this reference's documented choice; the spec fixes only 2003
for an unknown Location.

What it never looks at is the Token's validity or whitelist
(``start-session.cpo-no-validity-check``), nor whether the Token was ever pushed
(``start-session.unpushed-tokens-allowed``).

The same table serves every version (``version=``, default ``"2.2.1"``); the body is parsed
and validated once, with that version's model and only the rules that version has
(:func:`ocpi_ref.checker.check_start_session_model`). What differs:

* **2.1.1**: a Token has no owner, so there is no ownership check (the rule starts in 2.2);
  the owner is the party whose credentials sent the command, which the caller records (the
  reference CPO writes the caller's role into the Session). The CommandResponse is
  ``{"result": ...}`` only: no ``timeout``, no ``message``.
* **2.1.1 and 2.2** have no ``connector_id``. One in the body is an unknown field: the model
  keeps it, the checker reports it as information, and the decision ignores it (it selects
  no connector and is never looked up). An EVSE with ``START_SESSION_CONNECTOR_REQUIRED``
  cannot be started through these versions, because they cannot name the connector the EVSE
  needs: the answer is NOT_SUPPORTED (status 1000), not REJECTED, since the request itself
  is correct for its version. ``start-session.connector-required-by-evse`` is the rule that
  explains why, although it is written only from 2.2.1 on.
* **2.3.0**: TokenType is an OpenEnum, so a Token with an unlisted type (``BADGE``) is
  accepted; the checker reports it as information (``type.open-enum``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from ..checker import check_start_session_model
from ..report import Report
from ..party import PartyId, parse_parties
from ..rules.commands import RESPONSE_URL_ALLOWED, RESPONSE_URL_NO_USERINFO, UNKNOWN_EVSE_REJECTED
from ..rules.start_session import (
    CONNECTOR_REQUIRED_BY_EVSE,
    CPO_NO_VALIDITY_CHECK,
    EVSE_OPTIONAL,
    LOCATION_OF_RECEIVER,
    OWN_TOKENS_ONLY,
    connector_required_by_evse,
)
from ..types import CiString
from ..v2_1_1 import CommandResponse as CommandResponse211
from ..v2_2_1.enums import CommandResponseType
from ..v2_2_1.models import CommandResponse
from ..versions import DEFAULT_VERSION
from .text import display_text
from .topology import ChargePoint, Evse, Location

__all__ = ["OUTCOMES", "Decision", "Outcome", "decide_start_session", "url_parts", "url_refusal"]

OK, INVALID, UNKNOWN_LOCATION = 1000, 2001, 2003
_REJECTED, _NOT_SUPPORTED = CommandResponseType.REJECTED, CommandResponseType.NOT_SUPPORTED


@dataclass(frozen=True)
class Outcome:
    """One row of the CPO's decision table. ``rule`` ``None``: the first finding's own rule."""

    situation: str
    status_code: int
    result: CommandResponseType
    rule: str | None


INVALID_BODY = Outcome("body breaks the field table or a type", INVALID, _REJECTED, None)
FOREIGN_TOKEN = Outcome("Token owned by a party not among the caller's roles", INVALID, _REJECTED, OWN_TOKENS_ONLY.id)
URL_USERINFO = Outcome(
    "response_url carries user information (``user:pw@``)", INVALID, _REJECTED, RESPONSE_URL_NO_USERINFO.id
)
URL_NOT_ALLOWED = Outcome(
    "response_url host not allowed for this partner, or no host can be read from it",
    INVALID, _REJECTED, RESPONSE_URL_ALLOWED.id,
)
NO_LOCATION = Outcome("unknown Location", UNKNOWN_LOCATION, _REJECTED, LOCATION_OF_RECEIVER.id)
NO_EVSE = Outcome("unknown EVSE or connector", UNKNOWN_LOCATION, _REJECTED, UNKNOWN_EVSE_REJECTED.id)
CONNECTOR_MISSING = Outcome(
    "EVSE requires connector_id, none given", INVALID, _REJECTED, CONNECTOR_REQUIRED_BY_EVSE.id
)
CONNECTOR_UNSAYABLE = Outcome(
    "same EVSE, OCPI 2.1.1 or 2.2 (no connector_id)", OK, _NOT_SUPPORTED, CONNECTOR_REQUIRED_BY_EVSE.id
)
NO_CHOOSER = Outcome("no evse_uid and no Charge Point can choose", OK, _NOT_SUPPORTED, EVSE_OPTIONAL.id)
CHOOSER = Outcome("no evse_uid, a Charge Point chooses the EVSE", OK, CommandResponseType.ACCEPTED, EVSE_OPTIONAL.id)
FORWARDED = Outcome(
    "StartSession otherwise (validity never checked)", OK, CommandResponseType.ACCEPTED, CPO_NO_VALIDITY_CHECK.id
)

#: Every answer :func:`decide_start_session` gives, in the order it tests for them.
OUTCOMES: tuple[Outcome, ...] = (
    INVALID_BODY, FOREIGN_TOKEN, URL_USERINFO, URL_NOT_ALLOWED, NO_LOCATION, NO_EVSE,
    CONNECTOR_MISSING, CONNECTOR_UNSAYABLE, NO_CHOOSER, CHOOSER, FORWARDED,
)


@dataclass(frozen=True)
class Decision:
    """What the CPO answers, why, and where the Charge Point is asked to start.

    ``outcome`` is the row of :data:`OUTCOMES`; ``start_session`` is the model of ``version``
    (a 2.1.1 StartSession has no owner in its Token and no connector_id).
    """

    outcome: Outcome
    message: str
    rule: str | None = None
    start_session: Any = None
    location: Location | None = None
    charge_point: ChargePoint | None = None
    evse: Evse | None = None
    report: Report | None = None
    version: str = DEFAULT_VERSION

    @property
    def result(self) -> CommandResponseType:
        return self.outcome.result

    @property
    def status_code(self) -> int:
        return self.outcome.status_code

    @property
    def accepted(self) -> bool:
        return self.outcome.result is CommandResponseType.ACCEPTED

    def response(self, timeout: int) -> CommandResponse | CommandResponse211:
        """The CommandResponse to put in the envelope's ``data`` (2.1.1: ``result`` only)."""
        if self.version == "2.1.1":
            return CommandResponse211(result=self.result.value)
        return CommandResponse(
            result=self.result,
            timeout=timeout,
            message=[display_text(self.message)],
        )


def _decide(outcome: Outcome, message: str, rule: str | None = None, **kw: Any) -> Decision:
    return Decision(outcome, message, rule or outcome.rule, **kw)


def decide_start_session(
    body: Any,
    *,
    sender: Any,
    locations: Mapping[str, Location] | Iterable[Location],
    response_url_allowed: Callable[[str], bool] | None = None,
    version: str = DEFAULT_VERSION,
) -> Decision:
    """Decide the CPO's synchronous answer to a StartSession *body* of OCPI *version* from *sender*.

    *body* is what arrived (bytes, text or parsed JSON); *sender* the caller's roles, as
    identified by its credentials (not used for ownership in 2.1.1, which has none).
    *response_url_allowed* receives the URL and says whether the CPO may POST to it; by
    default any http(s) URL is allowed. Raises ``ValueError`` only for an unknown *version*.
    """
    roles: tuple[PartyId, ...] = parse_parties(sender)
    report, start = check_start_session_model(body, version=version, sender=roles)
    if start is None:
        first = report.errors[0]
        listed = "; ".join(f"{f.pointer or '/'}: {f.message} [{f.rule}]" for f in report.errors)
        row = FOREIGN_TOKEN if first.rule == OWN_TOKENS_ONLY.id else INVALID_BODY
        return _decide(row, listed, first.rule, report=report, version=version)

    common: dict[str, Any] = {"start_session": start, "report": report, "version": version}
    refused = url_refusal(start.response_url, response_url_allowed or _http_url)
    if refused is not None:
        row, message = refused
        return _decide(row, message, **common)

    location = _find_location(locations, start.location_id)
    if location is None:
        return _decide(NO_LOCATION, f"unknown location {start.location_id}", **common)
    common["location"] = location

    if start.evse_uid is None:
        return _without_evse(location, common)

    found = location.find_evse(start.evse_uid)
    if found is None:
        return _decide(NO_EVSE, f"unknown EVSE {start.evse_uid} at location {location.id}", **common)
    cp, evse = found
    # 2.1.1 and 2.2 have no connector_id: one sent anyway is an unknown field, never looked at.
    connector_id = start.connector_id if _has_connector_id(start) else None
    if connector_id is not None and evse.connector(connector_id) is None:
        return _decide(NO_EVSE, f"unknown connector {connector_id} at EVSE {evse.uid}", **common)
    if any(connector_required_by_evse({"connector_id": connector_id}, evse.capabilities)):
        return _connector_needed(version, cp, evse, _has_connector_id(start), common)
    # start-session.cpo-no-validity-check: token.valid and token.whitelist are not consulted.
    return _decide(
        FORWARDED, f"forwarded to Charge Point {cp.id}, EVSE {evse.uid}", charge_point=cp, evse=evse, **common
    )


def _has_connector_id(start: Any) -> bool:
    """Does this StartSession's version define ``connector_id``? (2.2.1 and later)"""
    return "connector_id" in type(start).model_fields


def _without_evse(location: Location, common: dict[str, Any]) -> Decision:
    """No evse_uid: a Charge Point that can choose takes it, else NOT_SUPPORTED."""
    chooser = next((cp for cp in location.charge_points if cp.can_choose_evse), None)
    if chooser is None:
        message = "no evse_uid given and no Charge Point at this location can choose an EVSE itself"
        return _decide(NO_CHOOSER, message, **common)
    return _decide(CHOOSER, f"Charge Point {chooser.id} will choose the EVSE", charge_point=chooser, **common)


def _connector_needed(
    version: str, cp: ChargePoint, evse: Evse, has_field: bool, common: dict[str, Any]
) -> Decision:
    """The EVSE needs a connector_id: REJECTED where the version has the field, else NOT_SUPPORTED."""
    if has_field:
        message = f"EVSE {evse.uid} requires connector_id (START_SESSION_CONNECTOR_REQUIRED)"
        return _decide(CONNECTOR_MISSING, message, charge_point=cp, evse=evse, **common)
    message = (
        f"EVSE {evse.uid} requires a connector_id (START_SESSION_CONNECTOR_REQUIRED), which an "
        f"OCPI {version} StartSession cannot carry; use OCPI 2.2.1 or later"
    )
    return _decide(CONNECTOR_UNSAYABLE, message, charge_point=cp, evse=evse, **common)


def url_parts(url: str) -> SplitResult | None:
    """*url* split, or None when no host can be read from it.

    The URL type lets through what ``urlsplit`` refuses (``http://[zz]/x``, an unclosed
    ``[``) or what ``hostname`` and ``port`` then raise on; such a URL names no host to call.
    """
    try:
        parts = urlsplit(url)
        parts.hostname, parts.port  # noqa: B018 (both parse lazily and may raise)
    except ValueError:
        return None
    return parts


def url_refusal(url: str, allowed: Callable[[str], bool]) -> tuple[Outcome, str] | None:
    """Why the CPO will not POST to *url* (the row and its message), or None when it may.

    User information is refused first (``commands.response-url-no-userinfo``), then a URL
    without a readable host or one *allowed* refuses (``commands.response-url-allowed``).
    """
    parts = url_parts(url)
    if parts is None:
        return URL_NOT_ALLOWED, f"response_url has no host this CPO can read [{RESPONSE_URL_ALLOWED.id}]"
    if "@" in parts.netloc:
        return URL_USERINFO, f"response_url carries user information [{RESPONSE_URL_NO_USERINFO.id}]"
    if not allowed(url):
        return URL_NOT_ALLOWED, f"response_url host {parts.hostname!r} is not one this CPO may call"
    return None


def _http_url(url: str) -> bool:
    parts = url_parts(url)
    return parts is not None and parts.scheme in ("http", "https")


def _find_location(
    locations: Mapping[str, Location] | Iterable[Location], location_id: str
) -> Location | None:
    items = locations.values() if isinstance(locations, Mapping) else locations
    want = CiString(location_id)
    return next((loc for loc in items if CiString(loc.id) == want), None)
