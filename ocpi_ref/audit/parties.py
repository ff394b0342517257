"""Who sent a recorded request, and which credentials tokens must never be printed.

A StartSession's sender is named by its OCPI-from headers (2.2 and later), else by the roles
configured for the credentials token it carries, in the CPO configuration's style::

    [[partners]]
    token = "…"            # the token the eMSP sends (plain; its Base64 form is matched too)
    roles = ["DE-TNM"]

Every credentials token the audit sees (in an ``Authorization`` header or the configuration),
in every encoding, is a secret: :meth:`Partners.scrub` removes them from any text the audit
prints or writes.
"""

from __future__ import annotations

import base64
import binascii
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Partners", "load_partners"]

_MASK = "[credentials token]"


def _forms(token: str) -> set[str]:
    """*token* as it is, Base64 encoded, and Base64 decoded when it decodes to text."""
    forms = {token, base64.b64encode(token.encode()).decode()}
    try:
        forms.add(base64.b64decode(token, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError):
        pass
    return {f for f in forms if len(f) >= 4}


def _strip(header: str) -> str:
    return header[6:].strip() if header[:6].lower() == "token " else header.strip()


@dataclass
class Partners:
    """Credentials tokens mapped to roles; the set of secrets seen so far."""

    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    groups: dict[str, int] = field(default_factory=dict)
    """Every form of each partner's tokens (its own and the CPO's for it) to the partner's number."""
    plain: set[str] = field(default_factory=set)
    """The configured tokens as they are (not encoded)."""

    def add(self, token: str, roles: tuple[str, ...], callback_token: str | None = None) -> None:
        """A partner: the *token* it sends, its *roles*, and the token the CPO sends it."""
        group = len({*self.groups.values()})
        for form in _forms(token):
            self.roles[form] = roles
            self.groups[form] = group
        for form in _forms(callback_token) if callback_token else ():
            self.groups[form] = group
        self.plain |= {token, *((callback_token,) if callback_token else ())}
        self.secrets |= _forms(token) | (_forms(callback_token) if callback_token else set())

    def note_secret(self, header: str | None) -> None:
        """Remember the token of an ``Authorization`` header (it must never be printed)."""
        if header:
            token = _strip(header)
            if token and token not in self.secrets:
                self.secrets |= _forms(token) | {header.strip()}

    def encoding_of(self, header: str | None) -> str | None:
        """``"plain"`` or ``"base64"`` when *header* carries a configured token in that form."""
        token = _strip(header) if header else ""
        if token in self.plain:
            return "plain"
        return "base64" if token in self.groups else None

    def group_of(self, header: str | None) -> int | None:
        """The partner (by number) whose credentials *header* carries, either direction."""
        return self.groups.get(_strip(header)) if header else None

    def roles_of(self, header: str | None) -> tuple[str, ...] | None:
        return self.roles.get(_strip(header)) if header else None

    def sender_of(self, rec: Any, version: str) -> tuple[str, ...] | None:
        """The roles of the party that sent *rec*: its OCPI-from headers (2.2+), else its credentials'."""
        headers = rec.request_headers
        country, party = headers.get("ocpi-from-country-code"), headers.get("ocpi-from-party-id")
        if version != "2.1.1" and country and party:
            return (f"{country}-{party}",)
        return self.roles_of(headers.get("authorization"))

    def scrub(self, text: str) -> str:
        """*text* with every known credentials token, in every encoding, masked."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, _MASK)
        return text


def load_partners(path: str | Path) -> Partners:
    """Read ``[[partners]] token, roles`` (extra keys such as ``name`` are ignored).

    Raises ValueError naming the partner and key when the file is not such a configuration.
    """
    with open(path, "rb") as fh:
        try:
            raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not TOML: {exc}") from None
    partners = Partners()
    for i, entry in enumerate(raw.get("partners") or ()):
        token, roles = entry.get("token"), entry.get("roles")
        if not isinstance(token, str) or not token:
            raise ValueError(f"{path}: partners[{i}].token: a non-empty string is required")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError(f"{path}: partners[{i}].roles: a list of CC-PID strings is required")
        callback = entry.get("callback_token")
        partners.add(token, tuple(roles), callback if isinstance(callback, str) and callback else None)
    return partners
