"""Who is calling: the ``Authorization: Token`` header, the ``OCPI-from-*`` headers, the size limit.

The header is read as :mod:`ocpi_ref.transport.authorization` says: per version a default
(2.1.1 plain, 2.2 either, 2.2.1 and 2.3.0 Base64), replaced by the partner's ``authorization``
setting (``commands.authorization-encoding``). Every partner's token is compared in constant
time, so the time of a refusal tells nothing about which tokens exist.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from ..party import PartyId
from ..rules.commands import AUTHORIZATION_ENCODING, CREDENTIALS_REQUIRED
from ..transport.authorization import accepted_encoding, decode_base64
from ..versions import DEFAULT_VERSION, VERSIONS
from .config import CpoConfig, Partner
from .replies import FROM_NOT_A_ROLE, NO_CREDENTIALS, TOO_LARGE, Caller, Refusal, Reply

__all__ = ["Credentials"]

log = logging.getLogger("ocpi_ref.cpo")

#: What a client is told to send, by the accepted encoding (the 401 message).
_HINT = {
    "plain": "<your credentials token>",
    "base64": "<Base64 of your credentials token>",
    "either": "<your credentials token, plain or Base64-encoded>",
}


@dataclass(frozen=True)
class _Accepting:
    """The partners whose token may arrive Base64-encoded, and those whose may arrive plain."""

    base64: tuple[Partner, ...]
    plain: tuple[Partner, ...]


def _accepting(partners: tuple[Partner, ...], version: str | None) -> _Accepting:
    modes = [(p, accepted_encoding(version, p.authorization)) for p in partners]
    return _Accepting(
        tuple(p for p, mode in modes if mode != "plain"),
        tuple(p for p, mode in modes if mode != "base64"),
    )


def _match(partners: tuple[Partner, ...], token: str) -> Partner | None:
    """The partner whose token is *token*; every one is compared, in constant time each."""
    found = None
    wanted = token.encode()
    for partner in partners:
        if hmac.compare_digest(partner.token.encode(), wanted):
            found = partner
    return found


class Credentials:
    """The partners of one CPO configuration, and who may send its token which way."""

    def __init__(self, config: CpoConfig) -> None:
        self.config = config
        # Per version (None: the version list), who may send its token which way.
        self._accepting = {v: _accepting(config.partners, v) for v in (*VERSIONS, None)}

    def authenticate(
        self,
        authorization: str | None,
        from_country_code: str | None,
        from_party_id: str | None,
        version: str | None = DEFAULT_VERSION,
        *,
        routing: bool = True,
    ) -> Caller:
        """The caller behind the ``Authorization`` and ``OCPI-from-*`` headers, or a Refusal.

        *version* picks the accepted encodings (None: the Versions module's version list).
        OCPI-from headers are read only where they exist: not in 2.1.1, and not with
        *routing* false (the Versions module, where the spec says they SHALL NOT be used).
        """
        partner = self.partner(authorization, version)
        if partner is None:
            raise Refusal(self.unauthorized(version))
        if not routing or version == "2.1.1":
            return Caller(partner, partner.roles)
        if from_country_code is None and from_party_id is None:
            return Caller(partner, partner.roles)
        if not from_country_code or not from_party_id:
            raise _spoof(partner, "OCPI-from-country-code and OCPI-from-party-id come together")
        try:
            claimed = PartyId(from_country_code, from_party_id)
        except ValueError:
            raise _spoof(partner, "the OCPI-from headers do not name a party") from None
        if claimed not in partner.roles:
            raise _spoof(
                partner,
                f"OCPI-from {from_country_code}-{from_party_id} is not a role of these credentials "
                f"({', '.join(map(str, partner.roles))})",
            )
        return Caller(partner, (claimed,), claimed)

    def partner(self, authorization: str | None, version: str | None) -> Partner | None:
        """The partner whose token the header carries, in an encoding it may use in *version*.

        The Base64 decoding is tried first, then the raw value; nothing is trimmed, so a token
        encoded with a trailing newline matches neither (commands.authorization-encoding).
        """
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        if scheme != "Token" or not value or " " in value:
            return None
        table = self._accepting[version]
        found = None
        if table.base64:
            token = decode_base64(value)
            if token is not None:
                found = _match(table.base64, token)
        if found is None and table.plain:
            found = _match(table.plain, value)
        return found

    @staticmethod
    def unauthorized(version: str | None) -> Reply:
        """The 401 reply, telling the client how this version expects the token."""
        expected = _HINT[accepted_encoding(version, None)]
        where = f"OCPI {version}" if version is not None else "the version list"
        return NO_CREDENTIALS.reply(
            f"missing or unknown credentials: {where} expects 'Authorization: Token "
            f"{expected}' unless agreed otherwise [{CREDENTIALS_REQUIRED.id}] "
            f"(encoding: {AUTHORIZATION_ENCODING.id})"
        )

    def too_large(self, size: int | None) -> Reply:
        """The 413 reply for a body over the limit (*size* when known)."""
        limit = self.config.max_body_bytes
        told = f"{size} bytes" if size is not None else "more"
        return TOO_LARGE.reply(
            f"the body is {told}; this CPO accepts at most {limit} bytes [{TOO_LARGE.rule}]"
        )


def _spoof(partner: Partner, why: str) -> Refusal:
    log.warning("partner %s: refused OCPI-from headers: %s", partner.name, why)
    return Refusal(FROM_NOT_A_ROLE.reply(f"{why} [{FROM_NOT_A_ROLE.rule}]"))
