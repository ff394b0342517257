"""The record that describes one rule: id, section, level, bound party, kind.

A record keeps apart what the specification says and what this reference chooses:
``level``, ``statement``, ``quote`` and ``sections`` are the spec's (a level the spec does not
state is never written as one), ``choice`` is this reference's own decision where it goes
beyond the text. A version whose text differs overrides them in ``per_version``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from ..versions import DEFAULT_VERSION, VERSIONS, edition2_section

__all__ = ["Basis", "Kind", "Level", "Party", "Rule", "VersionText", "KEYWORD_LEVELS", "OBLIGATIONS"]


class Level(str, Enum):
    """Normative level, as the spec's requirement keywords (OCPI 2.2.1 §2.1, RFC 2119).

    ``DEFINED`` is a definition the spec states without a keyword (a field table, a type, a
    status code's meaning, a field description's lowercase "required" or "optional");
    ``PLAIN`` is a sentence that asks or allows something in plain words, not an RFC 2119
    keyword ("It is advised", a lowercase "should", "don't need to"; the record's ``keyword``
    keeps the word); ``EXAMPLE`` is behaviour the spec shows only in an example or a
    sequence diagram. ``POLICY`` marks what is not a spec statement at all but this
    reference's documented choice (a size limit, reporting unknown fields); such rules never
    claim the spec's authority, and their findings never make a document non-conforming.
    """

    MUST = "MUST"
    MUST_NOT = "MUST NOT"
    SHALL = "SHALL"
    SHALL_NOT = "SHALL NOT"
    SHOULD = "SHOULD"
    SHOULD_NOT = "SHOULD NOT"
    MAY = "MAY"
    DEFINED = "defined"
    PLAIN = "plain words"
    EXAMPLE = "example"
    POLICY = "policy"

    @property
    def is_spec(self) -> bool:
        """Whether the spec itself states the rule at this level (everything but POLICY)."""
        return self is not Level.POLICY


class Basis(str, Enum):
    """On what a rule, and so every verdict it gives, rests: one vocabulary for every output.

    Only ``SENTENCE`` and ``DEFINITION`` are the spec's own text; a finding of any other basis
    never makes a document non-conforming and never makes the conformance suite FAIL a system.
    """

    SENTENCE = "spec sentence"
    """A normative sentence of the spec; the record keeps its keyword as written."""
    DEFINITION = "spec definition"
    """A field table, a type, an enum or a status code's meaning, stated without a keyword."""
    EXAMPLE = "spec example"
    """Behaviour the spec shows only in an example or a sequence diagram."""
    READING = "our reading"
    """This reference's interpretation of text that is unclear or truncated (reasoning in ``choice``)."""
    CHOICE = "our choice"
    """This reference's decision where the spec is silent."""
    DEVIATION = "deviation"
    """A deliberate departure from a spec sentence, with its reason in ``choice``."""

    @property
    def is_spec(self) -> bool:
        """Whether the spec's own text decides (a sentence or a definition)."""
        return self in (Basis.SENTENCE, Basis.DEFINITION)


KEYWORD_LEVELS = {
    "MUST": Level.MUST,
    "MUST NOT": Level.MUST_NOT,
    "REQUIRED": Level.MUST,
    "SHALL": Level.SHALL,
    "SHALL NOT": Level.SHALL_NOT,
    "SHOULD": Level.SHOULD,
    "SHOULD NOT": Level.SHOULD_NOT,
    "RECOMMENDED": Level.SHOULD,
    "MAY": Level.MAY,
    "OPTIONAL": Level.MAY,
}
"""The requirement keywords of RFC 2119 as OCPI 2.2 and later declare them (§2.1), each with the
level it states. Only these words, in capitals, are keywords: a lowercase "should" or "required"
is plain English (and 2.1.1 declares no keywords at all)."""

OBLIGATIONS = frozenset({Level.MUST, Level.MUST_NOT, Level.SHALL, Level.SHALL_NOT})
"""Levels that oblige the party a sentence addresses; only these can make the suite FAIL it."""

_BASIS_OF_LEVEL = {Level.DEFINED: Basis.DEFINITION, Level.EXAMPLE: Basis.EXAMPLE, Level.POLICY: Basis.CHOICE}


@dataclass(frozen=True)
class VersionText:
    """What one version's text says where it differs from the record's defaults.

    An empty string (``keyword=""``, ``quote=""``, ``choice=""``) says that version has none,
    where the record's default has one.
    """

    level: Level | None = None
    statement: str | None = None
    quote: str | None = None
    choice: str | None = None
    basis: Basis | None = None
    keyword: str | None = None


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

    ``sections`` maps each OCPI version the rule applies to onto its section number there;
    a version that is not a key does not have the rule, and the checker does not run it there.
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
    choice: str | None = None
    """This reference's own decision where it goes beyond the spec's statement, or None."""
    per_version: dict[str, VersionText] = field(default_factory=dict)
    """The versions whose text says something else, with their level, statement, quote or choice."""
    basis: Basis | None = None
    """On what the rule rests; None means the basis its level implies (see :meth:`basis_in`)."""
    keyword: str | None = None
    """The spec's requirement word exactly as the quote writes it ("SHALL", "should", "advised")."""

    def _in(self, version: str | None, name: str):
        override = self.per_version.get(version or "")
        value = getattr(override, name) if override is not None else None
        return getattr(self, name) if value is None else value

    def level_in(self, version: str | None = None) -> Level:
        """The spec's level in *version* (the record's level unless that version differs)."""
        return self._in(version, "level")

    def statement_in(self, version: str | None = None) -> str:
        return self._in(version, "statement")

    def quote_in(self, version: str | None = None) -> str | None:
        return self._in(version, "quote")

    def choice_in(self, version: str | None = None) -> str | None:
        return self._in(version, "choice")

    def keyword_in(self, version: str | None = None) -> str | None:
        """The requirement word as *version*'s quote writes it, or None when it has none."""
        return self._in(version, "keyword") or None

    def addresses(self) -> str:
        """Whom the rule's sentence addresses, as text: ``eMSP``, ``CPO, eMSP``."""
        return ", ".join(p.value for p in self.binds)

    def basis_text(self, version: str | None = None) -> str:
        """The basis in a few words: ``spec sentence, SHALL, eMSP``, ``spec definition``,
        ``our reading, SHALL NOT, CPO``, ``our choice``, ``deviation``.

        A sentence (or a reading of one) names its keyword as written and whom it addresses.
        """
        basis = self.basis_in(version)
        keyword = self.keyword_in(version)
        if basis in (Basis.SENTENCE, Basis.READING) and keyword:
            return f"{basis.value}, {keyword}, {self.addresses()}"
        return basis.value

    def basis_in(self, version: str | None = None) -> Basis:
        """On what the rule rests in *version*: the record's basis, else the one its level implies."""
        basis = self._in(version, "basis")
        if basis is not None:
            return basis
        return _BASIS_OF_LEVEL.get(self.level_in(version), Basis.SENTENCE)

    def obliges(self, party: Party, version: str | None = None) -> bool:
        """Whether a spec sentence with MUST/SHALL (NOT) addresses *party* in *version*.

        Only such a rule can make the conformance suite or the judge FAIL that party.
        """
        return (
            self.basis_in(version) is Basis.SENTENCE
            and self.level_in(version) in OBLIGATIONS
            and party in self.binds
        )

    @property
    def versions(self) -> tuple[str, ...]:
        """The OCPI versions the rule applies to, oldest first; it never fires on another."""
        return tuple(v for v in VERSIONS if v in self.sections)

    @property
    def since(self) -> str:
        """The first version the rule applies to."""
        return self.versions[0]

    def applies_to(self, version: str) -> bool:
        return version in self.sections

    def cite(self, version: str | None = None) -> str:
        """The citation in *version*, e.g. ``OCPI 2.2.1 §13.3.5``.

        Without a version: 2.2.1 when the rule applies there, else the newest version it
        applies to. A 2.3.0 citation adds the second edition's number when it differs.
        """
        if version is None:
            version = DEFAULT_VERSION if DEFAULT_VERSION in self.sections else self.versions[-1]
        section = self.sections[version]
        text = f"OCPI {version} §{section}"
        if version == "2.3.0" and edition2_section(section) != section:
            text += f" (§{edition2_section(section)} in edition 2)"
        return text

    def cite_all(self) -> str:
        """Every version's section: ``2.1.1 §13.3.3 · 2.2 §13.3.5 · ...``."""
        return " · ".join(self.cite(v).removeprefix("OCPI ") for v in self.versions)

    def across(self, value: Callable[[str], str | None], none: str = "none") -> str:
        """*value* of each version the rule has: one text when all agree, else each with its
        versions (``policy in 2.1.1; SHALL in 2.2, 2.2.1, 2.3.0``)."""
        by_value: dict[str, list[str]] = {}
        for version in self.versions:
            by_value.setdefault(value(version) or none, []).append(version)
        if len(by_value) == 1:
            return next(iter(by_value))
        return "; ".join(f"{text} in {', '.join(versions)}" for text, versions in by_value.items())

    @property
    def is_pure_choice(self) -> bool:
        """Whether the rule is this reference's choice in every version (the spec is silent)."""
        return all(self.basis_in(v) is Basis.CHOICE for v in self.versions)

    def _repr_markdown_(self) -> str:
        """A card for notebooks: the rule, on what it rests (the spec's keyword as written and
        whom it addresses), its level, from which version, every section, and this reference's
        choice, reading or deviation."""
        missing = [v for v in VERSIONS if v not in self.sections]
        since = f"OCPI {self.since}" + (f" (not in {', '.join(missing)})" if missing else "")
        quote = self.across(lambda v: f"“{self.quote_in(v)}”" if self.quote_in(v) else None)
        own = {Basis.READING: "our reading", Basis.DEVIATION: "the deviation"}.get(
            self.basis_in(self.versions[-1]), "this reference's choice"
        )
        rows = (
            ("basis", self.across(lambda v: self.basis_in(v).value)),
            ("keyword as written", self.across(self.keyword_in)),
            ("addresses", self.addresses()),
            ("level", self.across(lambda v: self.level_in(v).value)),
            *((("the spec's words", quote),) if quote != "none" else ()),
            ("kind", self.kind.value),
            ("since", since),
            ("where the spec is silent" if self.is_pure_choice else "sections", self.cite_all()),
            *(((own, self.choice),) if self.choice else ()),
        )
        body = "\n".join(f"| {name} | {value} |" for name, value in rows)
        return f"| rule | `{self.id}`: {self.title} |\n|---|---|\n{body}\n"

    @property
    def anchor(self) -> str:
        """The HTML anchor Sphinx makes of the rule's label (dots become hyphens)."""
        return self.id.replace(".", "-")
