"""OCPI 2.2 object models where they differ from 2.2.1: StartSession and CdrToken.

2.2 introduced what 2.2.1 keeps: CiString(36) identifiers, the Token's owner
(country_code, party_id), ``contract_id``, ``authorization_reference``, CommandResult and the
``timeout`` of CommandResponse. What 2.2.1 added is missing here: StartSession has no
``connector_id`` (so there is no connector/EVSE rule), and CdrToken has no owner fields. The
Token, CommandResponse, CommandResult and DisplayText tables are the same as in 2.2.1, so the
same classes serve both versions.
"""

from __future__ import annotations

from ..model_base import OcpiModel
from ..types import URL, cistring
from ..v2_2_1.enums import TokenType
from ..v2_2_1.models import (
    CommandResponse,
    CommandResult,
    DisplayText,
    EnergyContract,
    OcpiResponse,
    StopSession,
    Token,
)

__all__ = [
    "CdrToken",
    "CommandResponse",
    "CommandResult",
    "DisplayText",
    "EnergyContract",
    "OcpiResponse",
    "StartSession",
    "StopSession",
    "Token",
]

VERSION = "2.2"


class CdrToken(OcpiModel):
    """The Token as a Session or CDR records it, without its owner (OCPI 2.2 §10.4.5)."""

    uid: cistring(36)
    type: TokenType
    contract_id: cistring(36)


class StartSession(OcpiModel):
    """The body of a START_SESSION command (OCPI 2.2 §13.3.5); no connector_id yet."""

    response_url: URL
    token: Token
    location_id: cistring(36)
    evse_uid: cistring(36) | None = None
    authorization_reference: cistring(36) | None = None
