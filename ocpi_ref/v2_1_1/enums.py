"""The enums of OCPI 2.1.1 that StartSession and its replies use.

Closed enums, values and order as in the spec's tables. Compared with 2.2 and later:
TokenType has only OTHER and RFID, CommandType has no CANCEL_RESERVATION, CommandResponseType
still has TIMEOUT (2.2 moved it to CommandResultType), and AuthMethod has no COMMAND.
"""

from enum import Enum

from ..v2_2_1.enums import WhitelistType

__all__ = ["AuthMethod", "CommandResponseType", "CommandType", "TokenType", "WhitelistType"]


class TokenType(str, Enum):
    """Kind of Token (OCPI 2.1.1 §12.4.3)."""

    OTHER = "OTHER"
    RFID = "RFID"


class CommandType(str, Enum):
    """The commands a CPO accepts, the last path segment (OCPI 2.1.1 §13.4.2)."""

    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(str, Enum):
    """The answer to a command, both synchronous and asynchronous (OCPI 2.1.1 §13.4.1)."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class AuthMethod(str, Enum):
    """How a Session was authorized (OCPI 2.1.1 §10.4.1); a StartSession has no value of its own."""

    AUTH_REQUEST = "AUTH_REQUEST"
    WHITELIST = "WHITELIST"
