"""OCPI 2.2.1: the models, enums and checker of the StartSession clause (§13.3.5)."""

from .checker import check_start_session
from .enums import (
    AuthMethod,
    CommandResponseType,
    CommandResultType,
    CommandType,
    ProfileType,
    TokenType,
    WhitelistType,
)
from .models import (
    VERSION,
    CdrToken,
    CommandResponse,
    CommandResult,
    DisplayText,
    EnergyContract,
    OcpiResponse,
    StartSession,
    Token,
)

__all__ = [
    "VERSION",
    "AuthMethod",
    "CdrToken",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandType",
    "DisplayText",
    "EnergyContract",
    "OcpiResponse",
    "ProfileType",
    "StartSession",
    "Token",
    "TokenType",
    "WhitelistType",
    "check_start_session",
]
