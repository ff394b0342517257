"""OCPI 2.3.0: the models and enums of the StartSession clause (§13.3.5; §14.3.5 in edition 2)."""

from ..v2_2_1 import SPEC as _SPEC_2_2_1
from .enums import (
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
    enums={**_SPEC_2_2_1.enums, "TokenType": TokenType},
    open_enums=frozenset({"TokenType", "CommandType"}),
    sections={**_SPEC_2_2_1.sections, "DisplayText": "17.6"},
    model_enforced=_SPEC_2_2_1.model_enforced,
)
