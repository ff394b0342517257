"""ocpi-ref: the executable reference for OCPI's StartSession clause (OCPI 2.2.1 §13.3.5).

The package root exposes OCPI 2.2.1, the version this reference is built around; each version
lives in its own subpackage (``ocpi_ref.v2_2_1``).
"""

from .findings import Finding, Report, Severity
from .party import PartyId
from .rules import RULES, Kind, Level, Party, Rule, get_rule
from .types import CiString, DateTime
from .v2_2_1 import (
    VERSION,
    AuthMethod,
    CdrToken,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    CommandType,
    DisplayText,
    EnergyContract,
    OcpiResponse,
    ProfileType,
    StartSession,
    Token,
    TokenType,
    WhitelistType,
    check_start_session,
)

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "VERSION",
    "AuthMethod",
    "CdrToken",
    "CiString",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandType",
    "DateTime",
    "DisplayText",
    "EnergyContract",
    "Finding",
    "Kind",
    "Level",
    "OcpiResponse",
    "Party",
    "PartyId",
    "ProfileType",
    "Report",
    "Rule",
    "Severity",
    "StartSession",
    "Token",
    "TokenType",
    "WhitelistType",
    "check_start_session",
    "get_rule",
]
