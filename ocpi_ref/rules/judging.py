"""Whether a broken rule FAILs the party judged, and on what the verdict rests, in words.

The conformance suite (judging a CPO) and the judge (judging an eMSP) decide every verdict here,
from the rule's record alone: FAIL only for a MUST/SHALL (NOT) sentence addressed to the party
judged in that version (:meth:`~.model.Rule.obliges`); anything else is a warning.
"""

from __future__ import annotations

from .model import Basis, Party
from .registry import RULES

__all__ = ["basis_text", "fails"]


def fails(rule_id: str | None, version: str | None, party: Party) -> bool:
    """Whether breaking *rule_id* in *version* FAILs *party* (False for no rule or an unknown one)."""
    rule = RULES.get(rule_id) if rule_id else None
    if rule is None or (version is not None and not rule.applies_to(version)):
        return False
    return rule.obliges(party, version)


def basis_text(rule_id: str | None, version: str | None, party: Party) -> str:
    """On what a check rests: ``spec sentence (SHALL, addressed to the CPO)``, ``spec
    definition``, ``our choice``, or why the judged party is not bound by the sentence."""
    rule = RULES.get(rule_id) if rule_id else None
    if rule is None:
        return "no rule: not a verdict on the peer"
    v = version if version is not None and rule.applies_to(version) else None
    basis = rule.basis_in(v)
    bound = ", ".join(p.value for p in rule.binds)
    if basis is Basis.SENTENCE:
        keyword = rule.keyword_in(v) or rule.level_in(v).value
        text = f"{basis.value} ({keyword}, addressed to the {bound})"
        return text if party in rule.binds else text + f": not a duty of the {party.value}"
    return basis.value + ("" if party in rule.binds or basis is not Basis.DEFINITION else f" (binds the {bound})")
