"""The CPO's store of Tokens pushed by eMSPs through the Tokens module (OCPI 2.2.1 §12).

Only pushed Tokens live here. A Token that arrives in a StartSession is never added
(``start-session.unknown-token-not-stored``), so a Token GET for it finds nothing.
"""

from __future__ import annotations

from ..types import CiString
from ..v2_2_1.enums import TokenType
from ..v2_2_1.models import Token

__all__ = ["TokenStore"]


class TokenStore:
    """Pushed Tokens by owner, uid and type; lookups ignore case, values keep it."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[CiString, CiString, CiString, TokenType], Token] = {}

    @staticmethod
    def _key(country_code: str, party_id: str, uid: str, type: TokenType) -> tuple:
        return (CiString(country_code), CiString(party_id), CiString(uid), TokenType(type))

    def put(self, token: Token) -> None:
        """Store or replace a pushed Token."""
        self._tokens[self._key(token.country_code, token.party_id, token.uid, token.type)] = token

    def get(
        self, country_code: str, party_id: str, uid: str, type: TokenType = TokenType.RFID
    ) -> Token | None:
        """The stored Token, or None; *type* defaults to RFID as the Tokens GET does."""
        return self._tokens.get(self._key(country_code, party_id, uid, type))

    def __len__(self) -> int:
        return len(self._tokens)
