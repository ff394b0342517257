"""What a StartSession puts into the Session and CDR it leads to (OCPI 2.2.1 §13.3.5).

The full Session and CDR objects are outside this reference; these functions build the
token-related part, which is what the StartSession clause governs.
"""

from __future__ import annotations

from typing import Any

from ..v2_2_1.enums import AuthMethod
from ..v2_2_1.models import CdrToken, StartSession, Token

__all__ = ["cdr_token_from", "session_token_fields"]


def cdr_token_from(token: Token) -> CdrToken:
    """The CdrToken of *token*: owner, uid, type and contract_id, exactly as received.

    ``start-session.token-in-session-and-cdr``: a Token seen only in a StartSession is not
    stored, but this is how its information reaches the Session and the CDR.
    """
    return CdrToken(
        country_code=token.country_code,
        party_id=token.party_id,
        uid=token.uid,
        type=token.type,
        contract_id=token.contract_id,
    )


def session_token_fields(start: StartSession) -> dict[str, Any]:
    """The Session/CDR fields a StartSession decides, as JSON-ready values.

    ``cdr_token`` from the Token, ``auth_method`` COMMAND, and the StartSession's
    ``authorization_reference`` when it has one (``start-session.authorization-reference-echo``).
    """
    fields: dict[str, Any] = {
        "cdr_token": cdr_token_from(start.token).model_dump(mode="json"),
        "auth_method": AuthMethod.COMMAND.value,
    }
    if start.authorization_reference is not None:
        fields["authorization_reference"] = str(start.authorization_reference)
    return fields
