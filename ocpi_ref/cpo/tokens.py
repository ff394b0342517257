"""The Tokens module, receiver side (OCPI 2.2.1): Tokens the eMSP pushes, and nothing else.

A Token seen only in a StartSession is never stored here, so a GET for it is unknown
(``start-session.unknown-token-not-stored``): HTTP 404 with status 2004. A caller reaches only
the Tokens of its own roles.
"""

from __future__ import annotations

from pydantic import ValidationError

from ..errors import findings_from_error
from ..flow.tokens import TokenStore
from ..party import PartyId
from ..types import CiString
from ..v2_2_1.enums import TokenType
from ..v2_2_1.models import Token
from .replies import (
    INVALID,
    OK,
    TOKEN_UNKNOWN,
    UNKNOWN_TOKEN,
    Caller,
    Reply,
    finding_text,
    json_object,
)

__all__ = ["TokensReceiver", "read_token"]


def _invalid(message: str) -> Reply:
    return Reply(200, INVALID, message=message)


def read_token(body: bytes) -> Token | Reply:
    """*body* as an OCPI 2.2.1 Token, or the Reply refusing it with every finding."""
    doc = json_object(body, "Token")
    if isinstance(doc, Reply):
        return doc
    try:
        return Token.model_validate(doc)
    except ValidationError as exc:
        return _invalid(finding_text(findings_from_error(Token, exc)))


class TokensReceiver:
    """GET, PUT and PATCH of ``tokens/{country_code}/{party_id}/{uid}[?type=]``."""

    def __init__(self, store: TokenStore) -> None:
        self.store = store

    def _target(self, caller: Caller, cc: str, pid: str, type_param: str | None) -> TokenType | Reply:
        """The Token type the URL names, or the Reply refusing the request (bad type, not yours)."""
        if type_param is None:
            ttype = TokenType.RFID
        else:
            try:
                ttype = TokenType(type_param)
            except ValueError:
                allowed = ", ".join(t.value for t in TokenType)
                return _invalid(f"query parameter type: {type_param!r} is not one of {allowed}")
        if PartyId(cc, pid) in caller.roles:
            return ttype
        roles = ", ".join(map(str, caller.roles))
        return Reply(404, UNKNOWN_TOKEN, message=f"{cc}-{pid} is not one of your roles ({roles})")

    def get(self, caller: Caller, cc: str, pid: str, uid: str, type_param: str | None) -> Reply:
        """The pushed Token, or HTTP 404 with status 2004."""
        ttype = self._target(caller, cc, pid, type_param)
        if isinstance(ttype, Reply):
            return ttype
        token = self.store.get(cc, pid, uid, ttype)
        if token is None:
            return TOKEN_UNKNOWN.reply(
                f"unknown Token {cc}-{pid} {uid} ({ttype.value}); Tokens received only "
                f"in a StartSession are not stored [{TOKEN_UNKNOWN.rule}]"
            )
        return Reply(data=token.model_dump(mode="json"))

    def put(self, caller: Caller, cc: str, pid: str, uid: str, type_param: str | None, body: bytes) -> Reply:
        """Store the pushed Token; the URL must name the same Token."""
        ttype = self._target(caller, cc, pid, type_param)
        if isinstance(ttype, Reply):
            return ttype
        token = read_token(body)
        if isinstance(token, Reply):
            return token
        mismatch = [
            f"/{name}: {getattr(token, name)!s} differs from the URL's {want}"
            for name, want in (("country_code", cc), ("party_id", pid), ("uid", uid))
            if getattr(token, name) != CiString(want)
        ]
        if token.type is not ttype:
            mismatch.append(f"/type: {token.type.value} differs from the URL's type {ttype.value}")
        if mismatch:
            return _invalid("; ".join(mismatch))
        existed = self.store.get(cc, pid, uid, ttype) is not None
        self.store.put(token)
        return Reply(200 if existed else 201, OK)

    def patch(self, caller: Caller, cc: str, pid: str, uid: str, type_param: str | None, body: bytes) -> Reply:
        """Update fields of a pushed Token; last_updated is required, the identity fixed."""
        ttype = self._target(caller, cc, pid, type_param)
        if isinstance(ttype, Reply):
            return ttype
        doc = json_object(body, "Token patch")
        if isinstance(doc, Reply):
            return doc
        stored = self.store.get(cc, pid, uid, ttype)
        if stored is None:
            return Reply(404, UNKNOWN_TOKEN, message=f"unknown Token {cc}-{pid} {uid} ({ttype.value})")
        if "last_updated" not in doc:
            return _invalid("/last_updated: missing; a PATCH must set it")
        current = stored.model_dump(mode="json")
        fixed = [k for k in ("country_code", "party_id", "uid", "type") if k in doc and doc[k] != current[k]]
        if fixed:
            return _invalid("; ".join(f"/{k}: cannot be changed by a PATCH" for k in fixed))
        try:
            token = Token.model_validate({**current, **doc})
        except ValidationError as exc:
            return _invalid(finding_text(findings_from_error(Token, exc)))
        self.store.put(token)
        return Reply()
