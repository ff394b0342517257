"""The enums of OCPI 2.3.0 that differ from 2.2.1: TokenType and CommandType are OpenEnums.

2.3.0 adds EMAID to TokenType (ISO 15118 contract identifiers) and makes TokenType and
CommandType OpenEnums (OCPI 2.3.0 §17.3): the listed values below are the known ones, and a
field of either type also accepts any other string (see :func:`ocpi_ref.types.open_enum`).
The other enums are closed and have the same values as in 2.2.1.
"""

from enum import Enum

from ..v2_2_1.enums import (
    AuthMethod,
    CommandResponseType,
    CommandResultType,
    CommandType,
    ProfileType,
    WhitelistType,
)

__all__ = [
    "AuthMethod",
    "CommandResponseType",
    "CommandResultType",
    "CommandType",
    "ProfileType",
    "TokenType",
    "WhitelistType",
]


class TokenType(str, Enum):
    """Known kinds of Token; an OpenEnum (OCPI 2.3.0 §12.4.4)."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    EMAID = "EMAID"
    OTHER = "OTHER"
    RFID = "RFID"
