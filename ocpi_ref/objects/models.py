"""The Versions module's objects, as the StartSession flow needs them (OCPI 2.2.1 §6).

* :class:`Version`: one entry of the version list (§6.1.2): ``version`` and ``url``;
* :class:`VersionDetails`: a version's modules (§6.2.1), each an :class:`Endpoint` (§6.2.2)
  with ``identifier``, ``role`` (2.2 and later) and ``url``; ``Endpoint211`` is the
  2.1.1 Endpoint (§5.2.2 of that document), which has no role.

``version`` and ``identifier`` are plain strings: VersionNumber grows with every release and
ModuleID admits custom modules (§6.2.4), so an unlisted value is not an error here.
"""

from __future__ import annotations

from enum import Enum

from ..model_base import OcpiModel
from ..types import URL, string

__all__ = ["Endpoint", "Endpoint211", "InterfaceRole", "Version", "VersionDetails", "VersionDetails211"]


class InterfaceRole(str, Enum):
    """Which interface of a module an endpoint implements (OCPI 2.2.1 §6.2.3)."""

    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


class Version(OcpiModel):
    """One version a party speaks, and where its details are (OCPI 2.2.1 §6.1.2)."""

    version: string()
    url: URL


class Endpoint(OcpiModel):
    """One module of a version: identifier, interface role and URL (OCPI 2.2.1 §6.2.2)."""

    identifier: string()
    role: InterfaceRole
    url: URL


class Endpoint211(OcpiModel):
    """A 2.1.1 endpoint: identifier and URL only (OCPI 2.1.1 §5.2.2)."""

    identifier: string()
    url: URL


class VersionDetails(OcpiModel):
    """The details of one version (OCPI 2.2.1 §6.2.1); ``endpoints`` has cardinality ``+``."""

    version: string()
    endpoints: list[Endpoint]


class VersionDetails211(OcpiModel):
    """The 2.1.1 version details (OCPI 2.1.1 §5.2.1)."""

    version: string()
    endpoints: list[Endpoint211]
