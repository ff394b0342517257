"""The registry every rule record is defined into; ids are unique and never reused."""

from __future__ import annotations

from typing import Any

from .model import Rule

__all__ = ["RULES", "define", "get_rule"]

RULES: dict[str, Rule] = {}


def define(**fields: Any) -> Rule:
    """Create a rule record and add it to :data:`RULES` (a duplicate id is a bug)."""
    rule = Rule(**fields)
    if rule.id in RULES:
        raise ValueError(f"rule id defined twice: {rule.id}")
    RULES[rule.id] = rule
    return rule


def get_rule(rule_id: str) -> Rule:
    """The record for *rule_id*; ``KeyError`` names the id when there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no rule with id {rule_id!r}") from None
