"""The eMSP's side of a StartSession, as plain functions (no HTTP).

:class:`EmspStarter` builds the StartSession an eMSP may send: it refuses a Token it does
not own (``start-session.own-tokens-only``), asks the eMSP's own authorization first
(``start-session.emsp-authorizes-token``), and gives every request its own response_url so the
CommandResult can be matched to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ..findings import Finding, RuleViolation, Severity
from ..party import PartyId, parse_parties
from ..rules.start_session import EMSP_AUTHORIZES_TOKEN, OWN_TOKENS_ONLY
from .models import StartSession, Token

__all__ = ["EmspStarter"]


def _valid(token: Token) -> bool:
    return token.valid


class EmspStarter:
    """Builds StartSessions for one eMSP with the given roles."""

    def __init__(
        self,
        roles: Any,
        callback_base: str,
        *,
        authorize: Callable[[Token], bool] = _valid,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.roles: tuple[PartyId, ...] = parse_parties(roles)
        self.callback_base = callback_base.rstrip("/")
        self.authorize = authorize
        self.new_id = new_id

    def start_session(
        self,
        token: Token,
        location_id: str,
        *,
        evse_uid: str | None = None,
        connector_id: str | None = None,
        authorization_reference: str | None = None,
    ) -> tuple[str, StartSession]:
        """Return ``(request_id, StartSession)``; raise :class:`RuleViolation` if not allowed."""
        if PartyId(token.country_code, token.party_id) not in self.roles:
            raise RuleViolation(
                Finding(
                    OWN_TOKENS_ONLY.id,
                    Severity.ERROR,
                    "/token",
                    f"Token of {token.country_code}-{token.party_id} is not ours "
                    f"({', '.join(map(str, self.roles))})",
                )
            )
        if not self.authorize(token):
            raise RuleViolation(
                Finding(
                    EMSP_AUTHORIZES_TOKEN.id,
                    Severity.ERROR,
                    "/token",
                    f"Token {token.uid} is not authorized by this eMSP; it is not sent",
                )
            )
        request_id = self.new_id()
        fields: dict[str, Any] = {
            "response_url": f"{self.callback_base}/{request_id}",
            "token": token,
            "location_id": location_id,
        }
        for name, value in (
            ("evse_uid", evse_uid),
            ("connector_id", connector_id),
            ("authorization_reference", authorization_reference),
        ):
            if value is not None:
                fields[name] = value
        return request_id, StartSession(**fields)
