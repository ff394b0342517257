"""Each OCPI version's :class:`~ocpi_ref.versions.VersionSpec`, found by version.

This module sits just above the four version packages and imports them all, so the layers
below it (rules, types) never reach up to a version package.
"""

from __future__ import annotations

from . import v2_1_1, v2_2, v2_2_1, v2_3_0
from .versions import VersionSpec, version_key

__all__ = ["spec"]

_SPECS: dict[str, VersionSpec] = {s.version: s for s in (v2_1_1.SPEC, v2_2.SPEC, v2_2_1.SPEC, v2_3_0.SPEC)}


def spec(version: str) -> VersionSpec:
    """The :class:`~ocpi_ref.versions.VersionSpec` of *version*; ``ValueError`` names an unknown one."""
    version_key(version)
    return _SPECS[version]
