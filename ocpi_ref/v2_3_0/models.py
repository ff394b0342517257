"""OCPI 2.3.0 object models: the 2.2.1 tables, with TokenType as an OpenEnum.

StartSession, CommandResponse and CommandResult are field for field the 2.2.1 tables; what
changes is the Token: its ``type`` is an OpenEnum that knows EMAID and keeps any other string
(the checker reports such a value as information, never as an error). CdrToken's ``type``
follows. 2.3.0 also says a receiver SHALL NOT reject a payload for fields the spec does not
define (OCPI 2.3.0 §4.1.8); every model here keeps them, as in every version.
"""

from __future__ import annotations


from ..types import open_enum
from ..v2_2_1.models import (
    CommandResponse,
    CommandResult,
    DisplayText,
    EnergyContract,
    OcpiResponse,
    StopSession,
)
from ..v2_2_1.models import CdrToken as _CdrToken221
from ..v2_2_1.models import StartSession as _StartSession221
from ..v2_2_1.models import Token as _Token221
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


class Token(_Token221):
    """A Token; ``type`` is an OpenEnum with EMAID (OCPI 2.3.0 §12.3.2). Otherwise the 2.2.1 table."""

    type: open_enum(TokenType)


class CdrToken(_CdrToken221):
    """The Token as a Session or CDR records it (OCPI 2.3.0 §10.4.5); ``type`` as in Token."""

    type: open_enum(TokenType)


class StartSession(_StartSession221):
    """The body of a START_SESSION command (OCPI 2.3.0 §13.3.5; §14.3.5 in edition 2).

    The 2.2.1 table, including its connector/EVSE validator, with the 2.3.0 Token.
    """

    token: Token
