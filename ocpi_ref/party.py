"""A party's identity: country code plus party id (OCPI 2.2.1 §7.4.1 CredentialsRole)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .types import CiString

__all__ = ["PartyId", "parse_parties"]


@dataclass(frozen=True)
class PartyId:
    """``country_code`` + ``party_id`` of one role of a party, compared case-insensitively.

    Both parts are :class:`~ocpi_ref.types.CiString`, so ``PartyId("nl", "tnm")`` equals
    ``PartyId("NL", "TNM")`` and hashes the same, while each keeps the case it was given.
    """

    country_code: CiString
    party_id: CiString

    def __init__(self, country_code: str, party_id: str) -> None:
        object.__setattr__(self, "country_code", CiString(country_code))
        object.__setattr__(self, "party_id", CiString(party_id))

    @classmethod
    def parse(cls, text: str) -> PartyId:
        """Read ``CC-PID`` (``NL-TNM``) or ``CCPID`` (``NLTNM``)."""
        cc, sep, pid = text.strip().partition("-")
        if not sep and len(cc) == 5:
            cc, pid = cc[:2], cc[2:]
        if len(cc) != 2 or not 1 <= len(pid) <= 3 or not (cc + pid).isalnum() or not (cc + pid).isascii():
            raise ValueError(f"not a party (expected CC-PID such as NL-TNM): {text!r}")
        return cls(cc, pid)

    def __str__(self) -> str:
        return f"{self.country_code}-{self.party_id}"


def parse_parties(value: Any) -> tuple[PartyId, ...]:
    """Accept one party or several: ``"NL-TNM"``, ``("NL", "TNM")``, a PartyId, or a list."""
    if value is None:
        return ()
    if isinstance(value, PartyId):
        return (value,)
    if isinstance(value, str):
        return (PartyId.parse(value),)
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, str) for v in value)
        and len(value[0]) == 2
    ):
        return (PartyId(*value),)
    if isinstance(value, Iterable):
        return tuple(p for item in value for p in parse_parties(item))
    raise TypeError(f"cannot read a party from {value!r}")
