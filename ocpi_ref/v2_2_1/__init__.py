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
from ..versions import VersionSpec
from .models import (
    MODEL_ENFORCED,
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
    "Token",
    "TokenType",
    "WhitelistType",
    "check_start_session",
]

SPEC = VersionSpec(
    version=VERSION,
    start_session=StartSession,
    token=Token,
    command_response=CommandResponse,
    command_result=CommandResult,
    cdr_token=CdrToken,
    enums={
        "TokenType": TokenType,
        "WhitelistType": WhitelistType,
        "CommandType": CommandType,
        "CommandResponseType": CommandResponseType,
        "CommandResultType": CommandResultType,
        "AuthMethod": AuthMethod,
        "ProfileType": ProfileType,
    },
    sections={
        "StartSession": "13.3.5",
        "StopSession": "13.3.6",
        "Token": "12.3.2",
        "EnergyContract": "12.4.2",
        "CommandResponse": "13.3.2",
        "CommandResult": "13.3.3",
        "CdrToken": "10.4.5",
        "DisplayText": "16.3",
        "TokenType": "12.4.4",
        "WhitelistType": "12.4.5",
        "CommandType": "13.4.3",
        "CommandResponseType": "13.4.1",
        "CommandResultType": "13.4.2",
        "AuthMethod": "10.4.1",
        "ProfileType": "9.4.2",
    },
    model_enforced=MODEL_ENFORCED,
)
