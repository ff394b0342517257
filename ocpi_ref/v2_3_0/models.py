"""OCPI 2.3.0 object models: the 2.2.1 tables, with TokenType as an OpenEnum.

StartSession, CommandResponse and CommandResult are field for field the 2.2.1 tables; what
changes is the Token: its ``type`` is an OpenEnum that knows EMAID and keeps any other string
(the checker reports such a value as information, never as an error). CdrToken's ``type``
follows. 2.3.0 also says a receiver SHALL NOT reject a payload for fields the spec does not
define (OCPI 2.3.0 §4.1.8); every model here keeps them, as in every version.
"""

from __future__ import annotations

from pydantic import StrictBool

from ..model_base import OcpiModel
from ..types import URL, DateTimeField, cistring, open_enum, string
from ..v2_2_1.enums import ProfileType, WhitelistType
from ..v2_2_1.models import (
    CommandResponse,
    CommandResult,
    DisplayText,
    EnergyContract,
    OcpiResponse,
    StopSession,
)
from ..v2_2_1.models import StartSession as _StartSession221
from .enums import TokenType

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

VERSION = "2.3.0"


class Token(OcpiModel):
    """A Token; ``type`` is an OpenEnum with EMAID (OCPI 2.3.0 §12.3.2)."""

    country_code: cistring(2)
    party_id: cistring(3)
    uid: cistring(36)
    type: open_enum(TokenType)
    contract_id: cistring(36)
    visual_number: string(64) | None = None
    issuer: string(64)
    group_id: cistring(36) | None = None
    valid: StrictBool
    whitelist: WhitelistType
    language: string(2) | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: DateTimeField


class CdrToken(OcpiModel):
    """The Token as a Session or CDR records it (OCPI 2.3.0 §10.4.5)."""

    country_code: cistring(2)
    party_id: cistring(3)
    uid: cistring(36)
    type: open_enum(TokenType)
    contract_id: cistring(36)


class StartSession(_StartSession221):
    """The body of a START_SESSION command (OCPI 2.3.0 §13.3.5; §14.3.5 in edition 2).

    The 2.2.1 table, including its connector/EVSE validator, with the 2.3.0 Token.
    """

    token: Token
