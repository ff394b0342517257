"""No credentials in any report: people attach conformance reports and judge reports to tickets.

:func:`redact_headers` replaces the value of every ``Authorization`` header by its scheme and
length; :class:`Scrubber` then removes every known secret from a finished report, in each
encoding it may travel in (as it is, Base64 in both alphabets with and without padding,
percent-encoded, JSON-escaped), in case a peer echoes it in a body or a message.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from urllib.parse import quote

__all__ = ["REDACTED", "Scrubber", "encodings", "redact_headers"]

REDACTED = "<redacted>"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """*headers* with every credential replaced: ``Token <redacted: 28 characters>``."""
    out = {}
    for name, value in headers.items():
        if name.lower() in _SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            out[name] = f"{scheme} <redacted: {len(rest)} characters>" if rest else f"<redacted: {len(value)} characters>"
        else:
            out[name] = value
    return out


def encodings(secret: str) -> set[str]:
    """The forms *secret* may take in a report (never shorter than 4 characters)."""
    raw = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), json.dumps(secret, ensure_ascii=True)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        for payload in (raw, raw + b"\n"):  # the spec's own examples encode a trailing newline
            text = enc(payload).decode("ascii")
            forms |= {text, text.rstrip("="), quote(text, safe="")}
    return {f for f in forms if len(f) >= 4}


class Scrubber:
    """Removes every form of the given secrets from a text (longest first)."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        forms: set[str] = set()
        for s in secrets:
            if s:
                forms |= encodings(s)
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text
