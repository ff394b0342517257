"""OCPI 2.2: the models and enums of the StartSession clause (§13.3.5).

The enums have the same values as in 2.2.1, so they are the 2.2.1 classes.
"""

from ..v2_2_1 import SPEC as _SPEC_2_2_1
from ..v2_2_1.enums import (
    AuthMethod,
    CommandResponseType,
    CommandResultType,
    CommandType,
    ProfileType,
    TokenType,
    WhitelistType,
)
from ..versions import VersionSpec
from .models import (
    VERSION,
    CdrToken,
    CommandResponse,
    CommandResult,
    DisplayText,
    EnergyContract,
    OcpiResponse,
    StartSession,
    StopSession,
    Token,
)

__all__ = [
    "SPEC",
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
    "StopSession",
    "Token",
    "TokenType",
    "WhitelistType",
]

SPEC = VersionSpec(
    version=VERSION,
    start_session=StartSession,
    token=Token,
    command_response=CommandResponse,
    command_result=CommandResult,
    cdr_token=CdrToken,
    enums=dict(_SPEC_2_2_1.enums),
    sections=dict(_SPEC_2_2_1.sections),
)
