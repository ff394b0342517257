"""The enums StartSession and its flow use, with the values of OCPI 2.2.1.

Values and their order follow the spec's tables; the section of each is in its docstring.
They are closed enums in 2.2.1: a value outside the list is a violation.
"""

from enum import Enum

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
    """Kind of Token (OCPI 2.2.1 §12.4.4)."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    OTHER = "OTHER"
    RFID = "RFID"


class WhitelistType(str, Enum):
    """When a CPO may authorize a Token without asking the eMSP (OCPI 2.2.1 §12.4.5)."""

    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class ProfileType(str, Enum):
    """Driver's preferred charging profile (OCPI 2.2.1 §9.4.2)."""

    CHEAP = "CHEAP"
    FAST = "FAST"
    GREEN = "GREEN"
    REGULAR = "REGULAR"


class CommandType(str, Enum):
    """The commands a Receiver accepts, the last path segment (OCPI 2.2.1 §13.4.3)."""

    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(str, Enum):
    """The CPO's synchronous answer to a command (OCPI 2.2.1 §13.4.1)."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResultType(str, Enum):
    """The Charge Point's answer, POSTed later to response_url (OCPI 2.2.1 §13.4.2)."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class AuthMethod(str, Enum):
    """How a Session was authorized; COMMAND for a StartSession (OCPI 2.2.1 §10.4.1)."""

    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"
