"""OCPI 2.1.1 object models: StartSession, its Token, and the CommandResponse.

2.1.1 differs from 2.2 and later in ways that matter to a receiver:

* identifiers are case-sensitive ``string``, and ``string`` is printable ASCII only;
* a DateTime is ISO 8601's combined date and time (:data:`~ocpi_ref.types.DateTimeField211`),
  not the RFC 3339 subset of 2.2; a status code has at least four digits, not exactly four;
* location_id and evse_uid are string(39); there is no connector_id and no
  authorization_reference;
* the Token carries no owner: its country_code and party_id are the URL segments of the Tokens
  module and the credentials of the party that sent it, and it has ``auth_id`` where 2.2 has
  ``contract_id``;
* there is no CommandResult: the asynchronous answer is a CommandResponse again, and the
  CommandResponse has no ``timeout``, so an eMSP waits for a time it configures itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt

from ..model_base import OcpiModel
from ..types import URL, DateTimeField211, ascii_string, language_code
from .enums import CommandResponseType, TokenType, WhitelistType

__all__ = [
    "CommandResponse",
    "DisplayText",
    "OcpiResponse",
    "StartSession",
    "StopSession",
    "Token",
    "read_command_response",
]

VERSION = "2.1.1"


class DisplayText(OcpiModel):
    """Text in one language (OCPI 2.1.1 §14.3); ``language`` is an ISO 639-1 code."""

    language: language_code(ascii_only=True)
    text: ascii_string(512)


class Token(OcpiModel):
    """A Token as 2.1.1 defines it: no owner fields, ``auth_id`` (OCPI 2.1.1 §12.3.2)."""

    uid: ascii_string(36)
    type: TokenType
    auth_id: ascii_string(36)
    visual_number: ascii_string(64) | None = None
    issuer: ascii_string(64)
    valid: StrictBool
    whitelist: WhitelistType
    language: language_code(ascii_only=True) | None = None
    last_updated: DateTimeField211


class StartSession(OcpiModel):
    """The body of a START_SESSION command (OCPI 2.1.1 §13.3.3)."""

    response_url: URL
    token: Token
    location_id: ascii_string(39)
    evse_uid: ascii_string(39) | None = None


class StopSession(OcpiModel):
    """The body of a STOP_SESSION command (OCPI 2.1.1 §13.3.4)."""

    response_url: URL
    session_id: ascii_string(36)


class CommandResponse(OcpiModel):
    """The answer to a command, in the envelope and later POSTed to response_url (OCPI 2.1.1 §13.3.1).

    Only ``result``: 2.1.1 has no ``timeout`` and no ``message``.
    """

    result: CommandResponseType


def read_command_response(data: Any) -> CommandResponse:
    """Read a 2.1.1 CommandResponse in either shape the spec shows.

    2.1.1 defines the object ``{"result": ...}`` but its POST tables (and its changelog, which
    lets ``data`` be a string "for the commands module") show the bare CommandResponseType;
    2.1.1-d2 settled on the object. Both occur in the field, so both are accepted on input:
    a bare string is read as ``{"result": string}``. This reference always sends the object
    (rule ``commands.v211-response-either-shape``). Raises ``pydantic.ValidationError``.
    """
    if isinstance(data, str):
        data = {"result": data}
    return CommandResponse.model_validate(data)


class OcpiResponse(OcpiModel):
    """The 2.1.1 response envelope (OCPI 2.1.1 §3.1.5); ``data`` may be any JSON value.

    2.1.1 says status codes use "at least four digits" (§3.1.5), so there is no upper bound.
    """

    data: Any = None
    status_code: Annotated[StrictInt, Field(ge=1000)]
    status_message: ascii_string() | None = None
    timestamp: DateTimeField211
