"""The record that describes one rule: id, section, level, bound party, kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = ["Kind", "Level", "Party", "Rule"]


class Level(str, Enum):
    """Normative level, as the spec's requirement keywords (OCPI 2.2.1 §2.1).

    ``POLICY`` marks what is not a spec statement but this reference's documented choice
    (a size limit, reporting unknown fields); such rules never claim the spec's authority.
    """

    SHALL = "SHALL"
    SHALL_NOT = "SHALL NOT"
    SHOULD = "SHOULD"
    SHOULD_NOT = "SHOULD NOT"
    MAY = "MAY"
    POLICY = "policy"


class Party(str, Enum):
    """Who a rule binds."""

    EMSP = "eMSP"
    CPO = "CPO"
    CHARGE_POINT = "Charge Point"
    SENDER = "sender"


class Kind(str, Enum):
    """What it takes to check a rule."""

    PAYLOAD = "payload"
    """The document alone shows whether it holds."""
    CONTEXT = "context"
    """Needs facts outside the document, such as the sender's roles or the EVSE's capabilities."""
    BEHAVIOUR = "behaviour"
    """About what a party does; checked in the command flow, not on a payload."""


@dataclass(frozen=True)
class Rule:
    """One normative statement with a stable id.

    ``sections`` maps each OCPI version the rule applies to onto its section number there.
    ``statement`` is our own wording; ``quote`` at most a short normative phrase of the spec.
    """

    id: str
    title: str
    statement: str
    sections: dict[str, str]
    level: Level
    binds: tuple[Party, ...]
    kind: Kind
    quote: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(self.sections)

    def cite(self, version: str = "2.2.1") -> str:
        """The citation, e.g. ``OCPI 2.2.1 §13.3.5``."""
        return f"OCPI {version} §{self.sections[version]}"

    @property
    def anchor(self) -> str:
        """The HTML anchor Sphinx makes of the rule's label (dots become hyphens)."""
        return self.id.replace(".", "-")
