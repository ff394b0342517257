"""The reference CPO's Versions module: which OCPI versions it speaks, and which modules in each.

``GET /ocpi/versions`` lists every version this package knows, each with the URL of its
version details; ``GET /ocpi/cpo/{version}`` gives those details: the version and its
endpoints. What each version lists is a choice of this reference:

=======  ==========================================  ==========================================
version  modules                                     why
=======  ==========================================  ==========================================
2.1.1    commands                                    StartSession and StopSession in that version
2.2      commands (RECEIVER)                         same
2.2.1    commands, tokens (RECEIVER);                the full reference: Tokens receiver,
         sessions, cdrs (SENDER)                     Sessions and CDRs senders
2.3.0    commands (RECEIVER)                         same as 2.1.1 and 2.2
=======  ==========================================  ==========================================

Tokens, Sessions and CDRs are served for 2.2.1 only: a Session started through any version's
StartSession is found there. 2.2 and later endpoints carry ``role`` (the CPO receives commands
and Tokens, and sends Sessions and CDRs); a 2.1.1 endpoint has only ``identifier`` and
``url``, as 2.1.1 defines it. The Credentials module is not implemented: credentials tokens are
exchanged out of band and written into the TOML configuration.

URLs start with the configured ``public_url``, else the address the server listens on
(``ocpi-ref cpo`` fills in the one it bound); never with the request's ``Host`` header, which
the caller chooses.
"""

from __future__ import annotations

from typing import Any

from ..versions import VERSIONS
from .replies import VERSION_UNKNOWN, Reply

__all__ = ["MODULES", "VERSIONS_PATH", "module_base", "unsupported", "version_details", "version_list"]

#: Where the version list is served.
VERSIONS_PATH = "/ocpi/versions"

#: The modules served in each version: (identifier, the CPO's role in it).
MODULES: dict[str, tuple[tuple[str, str], ...]] = {
    "2.1.1": (("commands", "RECEIVER"),),
    "2.2": (("commands", "RECEIVER"),),
    "2.2.1": (
        ("commands", "RECEIVER"),
        ("tokens", "RECEIVER"),
        ("sessions", "SENDER"),
        ("cdrs", "SENDER"),
    ),
    "2.3.0": (("commands", "RECEIVER"),),
}


def module_base(version: str) -> str:
    """The path under which *version*'s modules are served: ``/ocpi/cpo/{version}``."""
    return f"/ocpi/cpo/{version}"


def version_list(root: str) -> list[dict[str, str]]:
    """The Versions endpoint's ``data``: each version with its details URL under *root*."""
    return [{"version": v, "url": root + module_base(v)} for v in VERSIONS]


def version_details(root: str, version: str) -> dict[str, Any]:
    """The version details' ``data`` for a known *version* (2.1.1 endpoints have no role)."""
    base = root + module_base(version)
    endpoints: list[dict[str, str]] = []
    for identifier, role in MODULES[version]:
        endpoint = {"identifier": identifier}
        if version != "2.1.1":
            endpoint["role"] = role
        endpoint["url"] = f"{base}/{identifier}"
        endpoints.append(endpoint)
    return {"version": version, "endpoints": endpoints}


def unsupported(version: str) -> Reply:
    """HTTP 404 with status 3002 for a version this CPO does not serve.

    404 because there is no such resource; 3002 (unsupported version) because it is the one
    status code that tells the client why, so it can pick another from the list.
    """
    return VERSION_UNKNOWN.reply(
        f"OCPI version {version!r} is not supported here; supported: "
        f"{', '.join(VERSIONS)} (see GET /ocpi/versions)"
    )
