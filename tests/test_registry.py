"""The rule registry: every rule is complete, ids are stable and findable."""

from __future__ import annotations

import importlib
import re

import pytest

from ocpi_ref import RULES, Kind, Level, Party, get_rule

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_OF_PREFIX = {
    "start-session": "start_session",
    "type": "types",
    "field": "types",
    "json": "json",
    "commands": "commands",
    "checker": "checker",
}

# The clause's statements, as the reference package issue lists them: none may disappear.
CLAUSE_IDS = {
    "start-session.evse-optional",
    "start-session.emsp-authorizes-token",
    "start-session.cpo-no-validity-check",
    "start-session.ocpp-app-token-no-realtime-auth",
    "start-session.ocpp-rfid-15-minutes",
    "start-session.unpushed-tokens-allowed",
    "start-session.unknown-token-not-stored",
    "start-session.token-in-session-and-cdr",
    "start-session.own-tokens-only",
    "start-session.connector-requires-evse",
    "start-session.connector-required-by-evse",
    "start-session.authorization-reference-echo",
    "start-session.ocpp1-connector-as-evse",
}


def test_clause_ids_are_all_there():
    assert CLAUSE_IDS <= RULES.keys()


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_record_is_complete(rule_id):
    rule = RULES[rule_id]
    assert ID.match(rule.id), rule.id
    assert rule.sections.get("2.2.1"), "every rule cites its OCPI 2.2.1 section"
    assert rule.cite() == f"OCPI 2.2.1 §{rule.sections['2.2.1']}"
    assert isinstance(rule.level, Level) and isinstance(rule.kind, Kind)
    assert rule.binds and all(isinstance(p, Party) for p in rule.binds)
    assert len(rule.statement) > 40 and rule.title
    if rule.quote:
        assert len(rule.quote.split()) < 20, "quotes stay short (CC BY-ND)"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_lives_in_the_module_its_prefix_names(rule_id):
    module = importlib.import_module(f"ocpi_ref.rules.{MODULE_OF_PREFIX[rule_id.split('.')[0]]}")
    assert any(getattr(v, "id", None) == rule_id for v in vars(module).values())


def test_clause_levels_follow_the_text():
    levels = {r: RULES[r].level for r in CLAUSE_IDS}
    assert levels["start-session.cpo-no-validity-check"] is Level.SHALL_NOT
    assert levels["start-session.own-tokens-only"] is Level.SHALL
    assert levels["start-session.unpushed-tokens-allowed"] is Level.MAY
    assert levels["start-session.ocpp1-connector-as-evse"] is Level.SHOULD
    assert RULES["start-session.own-tokens-only"].kind is Kind.CONTEXT
    assert RULES["start-session.connector-requires-evse"].kind is Kind.PAYLOAD


def test_get_rule_names_the_missing_id():
    assert get_rule("type.url").anchor == "type-url"
    with pytest.raises(KeyError, match="no-such.rule"):
        get_rule("no-such.rule")
