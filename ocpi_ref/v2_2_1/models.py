"""OCPI 2.2.1 object models: StartSession, the Token it carries, and the command replies.

Field names, cardinalities and lengths are the spec's field tables, one class per table; each
docstring names the section. Cardinality ``1`` is a required field, ``?`` an optional one that
may be omitted or ``null``, ``*`` an optional list. JSON types are strict: a number is not a
string and ``"yes"`` is not a boolean.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from ..model_base import OcpiModel
from ..rules.start_session import connector_requires_evse
from ..types import URL, DateTimeField, cistring, country_code, language_code, string
from .enums import (
    AuthMethod,
    CommandResponseType,
    CommandResultType,
    ProfileType,
    TokenType,
    WhitelistType,
)

__all__ = [
    "CdrToken",
    "CommandResponse",
    "CommandResult",
    "DisplayText",
    "EnergyContract",
    "OcpiResponse",
    "StartSession",
    "StopSession",
    "Token",
    "AuthMethod",
]

VERSION = "2.2.1"

#: Rules a valid StartSession model satisfies by construction (its validator enforces them).
MODEL_ENFORCED = frozenset({"start-session.connector-requires-evse"})


class DisplayText(OcpiModel):
    """Text in one language (OCPI 2.2.1 §16.3); ``language`` is an ISO 639-1 code."""

    language: language_code()
    text: string(512)


class EnergyContract(OcpiModel):
    """The energy supplier a Token's owner has a contract with (OCPI 2.2.1 §12.4.2)."""

    supplier_name: string(64)
    contract_id: string(64) | None = None


class Token(OcpiModel):
    """A Token, owned by the eMSP whose country_code and party_id it carries (OCPI 2.2.1 §12.3.2)."""

    country_code: country_code()
    party_id: cistring(3)
    uid: cistring(36)
    type: TokenType
    contract_id: cistring(36)
    visual_number: string(64) | None = None
    issuer: string(64)
    group_id: cistring(36) | None = None
    valid: StrictBool
    whitelist: WhitelistType
    language: language_code() | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: DateTimeField


class CdrToken(OcpiModel):
    """The Token as a Session or CDR records it (OCPI 2.2.1 §10.4.5)."""

    country_code: country_code()
    party_id: cistring(3)
    uid: cistring(36)
    type: TokenType
    contract_id: cistring(36)


class StartSession(OcpiModel):
    """The body of a START_SESSION command, sent by the eMSP to the CPO (OCPI 2.2.1 §13.3.5).

    The one cross-field rule the object alone can show, ``start-session.connector-requires-evse``,
    is enforced here too, so :meth:`model_validate_json` refuses such a payload; rules that need
    context (the sender, the EVSE) are in :func:`ocpi_ref.check_start_session`.
    """

    response_url: URL
    token: Token
    location_id: cistring(36)
    evse_uid: cistring(36) | None = None
    connector_id: cistring(36) | None = None
    authorization_reference: cistring(36) | None = None

    @model_validator(mode="after")
    def _connector_needs_evse(self) -> StartSession:
        # Cheap pre-test on the hot path; the rule function words the finding. The checker
        # drops this "ocpi_rule" error and reports the rule from its own run of the function.
        if self.connector_id is None or self.evse_uid is not None:
            return self
        doc = {"connector_id": self.connector_id}
        if "evse_uid" in self.__pydantic_fields_set__:
            doc["evse_uid"] = None
        for finding in connector_requires_evse(doc):
            raise PydanticCustomError(
                "ocpi_rule",
                "{message} ({rule})",
                {"rule": finding.rule, "message": finding.message, "pointer": finding.pointer},
            )
        return self


class StopSession(OcpiModel):
    """The body of a STOP_SESSION command (OCPI 2.2.1 §13.3.6)."""

    response_url: URL
    session_id: cistring(36)


class CommandResponse(OcpiModel):
    """The CPO's synchronous reply to a command, inside the envelope (OCPI 2.2.1 §13.3.2)."""

    result: CommandResponseType
    timeout: Annotated[StrictInt, Field(ge=0)]
    message: list[DisplayText] | None = None


class CommandResult(OcpiModel):
    """The Charge Point's answer, POSTed as a bare body to response_url (OCPI 2.2.1 §13.3.3)."""

    result: CommandResultType
    message: list[DisplayText] | None = None


T = TypeVar("T")


class OcpiResponse(OcpiModel, Generic[T]):
    """The envelope every OCPI response body is wrapped in (OCPI 2.2.1 §4.1.7).

    ``data`` is absent or ``null`` when ``status_code`` is not a 1xxx success code; the
    status code has four digits (OCPI 2.2.1 §5).
    """

    data: T | None = None
    status_code: Annotated[StrictInt, Field(ge=1000, le=9999)]
    status_message: string() | None = None
    timestamp: DateTimeField
