"""The eMSP's side of a StartSession, as plain functions (no HTTP).

:class:`EmspStarter` builds the StartSession an eMSP may send: it refuses a Token it does
not own (``start-session.own-tokens-only``), asks the eMSP's own authorization first
(``start-session.emsp-authorizes-token``), and gives every request its own response_url so the
CommandResult can be matched to it (``commands.unique-response-url``).

It builds the StartSession of one OCPI version (``version=``, default ``"2.2.1"``) from a
Token of that version. In 2.1.1 a Token has no owner (the owner is whoever sends it with its
credentials), so there is nothing to check ownership against. A field the version does not
have (``connector_id`` before 2.2.1, ``authorization_reference`` in 2.1.1) is refused with
``ValueError`` rather than dropped, so nothing the caller asked for is silently lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..findings import Finding, RuleViolation, Severity
from ..party import PartyId, parse_parties
from ..rules.start_session import EMSP_AUTHORIZES_TOKEN, OWN_TOKENS_ONLY
from ..specs import spec
from ..v2_2_1.models import StartSession, Token
from ..versions import DEFAULT_VERSION

__all__ = ["EmspStarter"]


def _valid(token: Any) -> bool:
    return bool(token.valid)


class EmspStarter:
    """Builds StartSessions of one OCPI version for one eMSP with the given roles."""

    def __init__(
        self,
        roles: Any,
        callback_base: str,
        *,
        authorize: Callable[[Any], bool] = _valid,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        version: str = DEFAULT_VERSION,
    ) -> None:
        self.roles: tuple[PartyId, ...] = parse_parties(roles)
        self.callback_base = callback_base.rstrip("/")
        self.authorize = authorize
        self.new_id = new_id
        self.version = version
        self.model: type[BaseModel] = spec(version).start_session

    def start_session(
        self,
        token: Token | Any,
        location_id: str,
        *,
        evse_uid: str | None = None,
        connector_id: str | None = None,
        authorization_reference: str | None = None,
    ) -> tuple[str, StartSession | Any]:
        """Return ``(request_id, StartSession)``; raise :class:`RuleViolation` if not allowed.

        *token* is a Token of this starter's version. Raises ``ValueError`` (not a
        RuleViolation) for a field the version does not have.
        """
        if OWN_TOKENS_ONLY.applies_to(self.version):
            self._check_owner(token)
        if not self.authorize(token):
            raise RuleViolation(
                Finding(
                    EMSP_AUTHORIZES_TOKEN.id,
                    Severity.ERROR,
                    "/token",
                    f"Token {token.uid} is not authorized by this eMSP; it is not sent",
                )
            )
        token_model = self.model.model_fields["token"].annotation
        if isinstance(token, BaseModel) and not isinstance(token, token_model):
            token = token.model_dump(mode="json")  # e.g. a 2.2.1 Token for a 2.3.0 StartSession
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
            if value is None:
                continue
            if name not in self.model.model_fields:
                raise ValueError(f"an OCPI {self.version} StartSession has no {name}")
            fields[name] = value
        return request_id, self.model(**fields)

    def _check_owner(self, token: Token) -> None:
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
