"""ocpi-ref: the executable reference for OCPI's StartSession clause (OCPI 2.2.1 §13.3.5).

The package root exposes the models of OCPI 2.2.1, the version this reference is built around;
each version lives in its own subpackage (``ocpi_ref.v2_1_1``, ``v2_2``, ``v2_2_1``,
``v2_3_0``), and :func:`ocpi_ref.spec` finds them by version. The checker and the
converter take the version as an argument: ``check_start_session(data, version="2.1.1")``.
The two sides of the flow, without HTTP, are here too: the CPO's :func:`decide_start_session`
and :class:`AuthorizationWindow`, the eMSP's :class:`EmspStarter` (from :mod:`ocpi_ref.flow`).
"""

from .checker import check_start_session
from .convert import Conversion, convert_start_session
from .findings import Finding, Severity
from .flow.decision import Decision, decide_start_session
from .flow.starter import EmspStarter
from .flow.window import AuthorizationWindow
from .party import PartyId
from .report import Report
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
)
from .specs import spec
from .versions import DEFAULT_VERSION, VERSIONS, VersionSpec

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "VERSION",
    "AuthMethod",
    "AuthorizationWindow",
    "CdrToken",
    "CiString",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandType",
    "Conversion",
    "DEFAULT_VERSION",
    "DateTime",
    "Decision",
    "DisplayText",
    "EmspStarter",
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
    "VERSIONS",
    "VersionSpec",
    "WhitelistType",
    "check_start_session",
    "convert_start_session",
    "decide_start_session",
    "get_rule",
    "spec",
]
