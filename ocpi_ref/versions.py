"""The four published OCPI versions this reference knows, and what each one's objects are.

Versions are plain strings as the Versions module writes them (``"2.2.1"``), ordered oldest
first in :data:`VERSIONS`. A :class:`VersionSpec` holds the models and enums of one version;
each version package defines its own, and :func:`ocpi_ref.specs.spec` finds it by version, so
code that serves or checks several versions asks for them by version instead of importing a
version package by name. This module imports no version package: it is below all of them.

Section numbers: 2.1.1 numbers follow its published PDF (Commands is chapter 13, so
StartSession is §13.3.3); 2.2, 2.2.1 and 2.3.0 number Commands 13 as well (StartSession
§13.3.5). The second edition of 2.3.0 inserts a chapter 11 (Invoice Reconciliation), moving
chapters 11 to 15 up by one, so StartSession becomes §14.3.5 there; :func:`edition2_section`
derives those numbers instead of storing them twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "DEFAULT_VERSION",
    "VERSIONS",
    "VersionSpec",
    "edition2_section",
    "from_version",
    "version_key",
]

#: The published versions, oldest first.
VERSIONS: tuple[str, ...] = ("2.1.1", "2.2", "2.2.1", "2.3.0")
#: The version this reference is built around, used when none is named.
DEFAULT_VERSION = "2.2.1"

def version_key(version: str) -> int:
    """Position of *version* in :data:`VERSIONS`; ``ValueError`` names an unknown one."""
    try:
        return VERSIONS.index(version)
    except ValueError:
        known = ", ".join(VERSIONS)
        raise ValueError(f"unknown OCPI version {version!r}; known: {known}") from None


def from_version(first: str, last: str | None = None) -> tuple[str, ...]:
    """The versions from *first* to *last* (default: the newest), oldest first."""
    stop = version_key(last) + 1 if last else len(VERSIONS)
    return VERSIONS[version_key(first) : stop]


def edition2_section(section: str) -> str:
    """The number of a 2.3.0 section in the spec's second edition (``13.3.5`` → ``14.3.5``).

    Edition 2 inserts Invoice Reconciliation as chapter 11, so chapters 11 to 15 move up by
    one; it has no Payments chapter (16 in the first edition), and Types stays 17.
    """
    chapter, _, rest = section.partition(".")
    number = int(chapter)
    if 11 <= number <= 15:
        chapter = str(number + 1)
    return f"{chapter}.{rest}" if rest else chapter


@dataclass(frozen=True)
class VersionSpec:
    """The objects of one OCPI version that the StartSession clause touches.

    ``command_result`` is ``None`` for 2.1.1, which has no CommandResult: its asynchronous
    answer is a CommandResponse again. ``open_enums`` names the enums that are OpenEnums
    (2.3.0): values outside the list are kept and reported as information.
    """

    version: str
    start_session: type[BaseModel]
    token: type[BaseModel]
    command_response: type[BaseModel]
    command_result: type[BaseModel] | None
    cdr_token: type[BaseModel] | None
    enums: dict[str, type[Enum]]
    open_enums: frozenset[str] = field(default_factory=frozenset)
    sections: dict[str, str] = field(default_factory=dict)
    """Object or enum name → its section number in this version."""
    model_enforced: frozenset[str] = field(default_factory=frozenset)
    """Rule ids the StartSession model enforces itself (its validator raises on them)."""

    @property
    def objects(self) -> dict[str, type[BaseModel]]:
        """The models by spec name, for tables that walk every object of a version."""
        pairs: list[tuple[str, Any]] = [
            ("StartSession", self.start_session),
            ("Token", self.token),
            ("CommandResponse", self.command_response),
            ("CommandResult", self.command_result),
            ("CdrToken", self.cdr_token),
        ]
        return {name: model for name, model in pairs if model is not None}
