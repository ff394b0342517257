"""The CPO's decision on a StartSession, as a plain function (no HTTP, no clock).

:func:`decide_start_session` returns the CommandResponse the CPO sends back and the OCPI
status code of the envelope, each refusal tied to the rule behind it. The table of refusals
is this reference's documented choice (the spec fixes only 2003 for an unknown Location):

=====================================  ===========  ==============  ==================================
situation                              status_code  result          rule
=====================================  ===========  ==============  ==================================
body breaks the field table or a type  2001         REJECTED        the finding's rule
Token owned by another party           2001         REJECTED        start-session.own-tokens-only
response_url host not allowed          2001         REJECTED        commands.response-url-allowed
unknown Location                       2003         REJECTED        start-session.location-of-receiver
unknown EVSE or connector              2003         REJECTED        start-session.location-of-receiver
EVSE requires connector_id, none sent  2001         REJECTED        start-session.connector-required-by-evse
no EVSE named, no Charge Point picks   1000         NOT_SUPPORTED   start-session.evse-optional
otherwise                              1000         ACCEPTED
=====================================  ===========  ==============  ==================================

What it never looks at is the Token's validity or whitelist
(``start-session.cpo-no-validity-check``), nor whether the Token was ever pushed
(``start-session.unpushed-tokens-allowed``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..findings import Report
from ..party import PartyId, parse_parties
from ..rules.commands import RESPONSE_URL_ALLOWED
from ..rules.start_session import (
    CONNECTOR_REQUIRED_BY_EVSE,
    connector_required_by_evse,
    EVSE_OPTIONAL,
    LOCATION_OF_RECEIVER,
)
from ..types import CiString
from .checker import check_start_session_model
from .enums import CommandResponseType
from .models import CommandResponse, DisplayText, StartSession
from .topology import ChargePoint, Evse, Location

__all__ = ["Decision", "decide_start_session"]


OK, INVALID, UNKNOWN_LOCATION = 1000, 2001, 2003


@dataclass(frozen=True)
class Decision:
    """What the CPO answers, why, and where the Charge Point is asked to start."""

    result: CommandResponseType
    status_code: int
    message: str
    rule: str | None = None
    start_session: StartSession | None = None
    location: Location | None = None
    charge_point: ChargePoint | None = None
    evse: Evse | None = None
    report: Report | None = None

    @property
    def accepted(self) -> bool:
        return self.result is CommandResponseType.ACCEPTED

    def response(self, timeout: int) -> CommandResponse:
        """The CommandResponse to put in the envelope's ``data``."""
        return CommandResponse(
            result=self.result,
            timeout=timeout,
            message=[DisplayText(language="en", text=self.message[:512])],
        )


def _refuse(status: int, rule: str | None, message: str, **kw: Any) -> Decision:
    return Decision(CommandResponseType.REJECTED, status, message, rule, **kw)


def decide_start_session(
    body: Any,
    *,
    sender: Any,
    locations: Mapping[str, Location] | Iterable[Location],
    response_url_allowed: Callable[[str], bool] | None = None,
) -> Decision:
    """Decide the CPO's synchronous answer to a StartSession *body* from *sender*.

    *body* is what arrived (bytes, text or parsed JSON); *sender* the caller's roles, as
    identified by its credentials. *response_url_allowed* receives the URL and says whether
    the CPO may POST to it; by default any http(s) URL is allowed.
    """
    roles: tuple[PartyId, ...] = parse_parties(sender)
    report, start = check_start_session_model(body, sender=roles)
    if start is None:
        first = report.errors[0]
        listed = "; ".join(f"{f.pointer or '/'}: {f.message} [{f.rule}]" for f in report.errors)
        return _refuse(INVALID, first.rule, listed, report=report)

    allowed = response_url_allowed or _http_url
    if not allowed(start.response_url):
        host = urlsplit(start.response_url).hostname
        return _refuse(
            INVALID,
            RESPONSE_URL_ALLOWED.id,
            f"response_url host {host!r} is not one this CPO may call",
            start_session=start,
            report=report,
        )

    location = _find_location(locations, start.location_id)
    if location is None:
        return _refuse(
            UNKNOWN_LOCATION,
            LOCATION_OF_RECEIVER.id,
            f"unknown location {start.location_id}",
            start_session=start,
            report=report,
        )
    common = {"start_session": start, "location": location, "report": report}

    if start.evse_uid is None:
        chooser = next((cp for cp in location.charge_points if cp.can_choose_evse), None)
        if chooser is None:
            return Decision(
                CommandResponseType.NOT_SUPPORTED,
                OK,
                "no evse_uid given and no Charge Point at this location can choose an EVSE itself",
                EVSE_OPTIONAL.id,
                charge_point=None,
                **common,
            )
        return Decision(
            CommandResponseType.ACCEPTED,
            OK,
            f"Charge Point {chooser.id} will choose the EVSE",
            charge_point=chooser,
            **common,
        )

    found = location.find_evse(start.evse_uid)
    if found is None:
        return _refuse(
            UNKNOWN_LOCATION,
            LOCATION_OF_RECEIVER.id,
            f"unknown EVSE {start.evse_uid} at location {location.id}",
            **common,
        )
    cp, evse = found
    if start.connector_id is not None and evse.connector(start.connector_id) is None:
        return _refuse(
            UNKNOWN_LOCATION,
            LOCATION_OF_RECEIVER.id,
            f"unknown connector {start.connector_id} at EVSE {evse.uid}",
            **common,
        )
    if any(connector_required_by_evse({"connector_id": start.connector_id}, evse.capabilities)):
        return _refuse(
            INVALID,
            CONNECTOR_REQUIRED_BY_EVSE.id,
            f"EVSE {evse.uid} requires connector_id (START_SESSION_CONNECTOR_REQUIRED)",
            charge_point=cp,
            evse=evse,
            **common,
        )
    # start-session.cpo-no-validity-check: token.valid and token.whitelist are not consulted.
    return Decision(
        CommandResponseType.ACCEPTED,
        OK,
        f"forwarded to Charge Point {cp.id}, EVSE {evse.uid}",
        charge_point=cp,
        evse=evse,
        **common,
    )


def _http_url(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _find_location(
    locations: Mapping[str, Location] | Iterable[Location], location_id: str
) -> Location | None:
    items = locations.values() if isinstance(locations, Mapping) else locations
    want = CiString(location_id)
    return next((loc for loc in items if CiString(loc.id) == want), None)

