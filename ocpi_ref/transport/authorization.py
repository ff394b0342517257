"""The ``Authorization: Token ...`` header in each OCPI version (``commands.authorization-encoding``).

OCPI 2.1.1 puts the credentials token itself after ``Token``; 2.2.1 and 2.3.0 put the Base64
encoding (RFC 4648 §4) of its UTF-8 bytes; the 2.2 text as published says nothing about an
encoding, and many 2.2 implementations (some later ones too) send the token plain. So both the
reference CPO and the reference eMSP decide per version, and per partner:

=======  ==================  ===============
version  accepted (default)  sent (default)
=======  ==================  ===============
2.1.1    plain               plain
2.2      either              plain
2.2.1    base64              base64
2.3.0    base64              base64
=======  ==================  ===============

``either`` matches the raw header value *and* its Base64 decoding against the known tokens.
A partner's ``authorization`` setting (``base64``, ``plain`` or ``either``) replaces the
version's default in every version, for what is accepted from it and for what is sent to it;
as a sending setting ``either`` means the version's own default, since a header is sent one way.
2.2 sends plain by default because that is what its text describes; a 2.2 partner that wants
Base64 says so with ``authorization = "base64"``.

The Versions module's version list accepts ``either`` by default: a client calls it before it
has picked a version.

Nothing is trimmed before the comparison. The spec's own example headers (2.2.1-d2, 2.3.0)
encode the token with a trailing newline, so their Base64 decodes to ``example-token\\n``,
which is not ``example-token``: such a header gets HTTP 401.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Literal

__all__ = [
    "ACCEPTED",
    "ENCODINGS",
    "Encoding",
    "SENT",
    "VERSION_LIST_ACCEPTS",
    "accepted_encoding",
    "decode_base64",
    "header",
    "matching_headers",
    "sent_encoding",
]

Encoding = Literal["base64", "plain", "either"]

#: The values the ``authorization`` setting may take.
ENCODINGS: tuple[str, ...] = ("base64", "plain", "either")

#: What each version accepts when the partner has no ``authorization`` setting.
ACCEPTED: Mapping[str, Encoding] = {
    "2.1.1": "plain",
    "2.2": "either",
    "2.2.1": "base64",
    "2.3.0": "base64",
}

#: How each version sends the token when the partner has no setting (or ``either``).
SENT: Mapping[str, Literal["base64", "plain"]] = {
    "2.1.1": "plain",
    "2.2": "plain",
    "2.2.1": "base64",
    "2.3.0": "base64",
}

#: What ``GET /ocpi/versions`` accepts by default: the client has not chosen a version yet.
VERSION_LIST_ACCEPTS: Encoding = "either"


def accepted_encoding(version: str | None, setting: str | None) -> Encoding:
    """What is accepted in *version* (``None``: the version list) from a partner with *setting*."""
    if setting is not None:
        return setting  # type: ignore[return-value]  # checked against ENCODINGS on load
    return VERSION_LIST_ACCEPTS if version is None else ACCEPTED[version]


def sent_encoding(version: str, setting: str | None) -> Literal["base64", "plain"]:
    """How a token is sent in *version* to a partner with *setting*."""
    if setting == "base64" or setting == "plain":
        return setting
    return SENT[version]


def header(token: str, encoding: Literal["base64", "plain"]) -> str:
    """The ``Authorization`` header value: ``Token <token>`` or ``Token <Base64 of token>``."""
    if encoding == "plain":
        return f"Token {token}"
    return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")


def matching_headers(token: str, encoding: Encoding) -> frozenset[str]:
    """Every header value that carries *token* under *encoding* (for an exact comparison)."""
    if encoding == "either":
        return frozenset({header(token, "plain"), header(token, "base64")})
    return frozenset({header(token, encoding)})


def decode_base64(value: str) -> str | None:
    """The UTF-8 text *value* encodes in strict Base64, or None. Nothing is trimmed."""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
