"""OCPI 2.1.1: the models and enums of the StartSession clause (§13.3.3)."""

from ..versions import VersionSpec
from .enums import AuthMethod, CommandResponseType, CommandType, TokenType, WhitelistType
from .models import (
    VERSION,
    CommandResponse,
    DisplayText,
    OcpiResponse,
    StartSession,
    StopSession,
    Token,
    read_command_response,
)

__all__ = [
    "SPEC",
    "VERSION",
    "AuthMethod",
    "CommandResponse",
    "CommandResponseType",
    "CommandType",
    "DisplayText",
    "OcpiResponse",
    "StartSession",
    "StopSession",
    "Token",
    "TokenType",
    "WhitelistType",
    "read_command_response",
]

SPEC = VersionSpec(
    version=VERSION,
    start_session=StartSession,
    token=Token,
    command_response=CommandResponse,
    command_result=None,
    cdr_token=None,
    enums={
        "TokenType": TokenType,
        "WhitelistType": WhitelistType,
        "CommandType": CommandType,
        "CommandResponseType": CommandResponseType,
        "AuthMethod": AuthMethod,
    },
    sections={
        "StartSession": "13.3.3",
        "StopSession": "13.3.4",
        "Token": "12.3.2",
        "CommandResponse": "13.3.1",
        "TokenType": "12.4.3",
        "WhitelistType": "12.4.4",
        "CommandType": "13.4.2",
        "CommandResponseType": "13.4.1",
        "AuthMethod": "10.4.1",
    },
)
