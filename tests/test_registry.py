"""The rule registry: every rule is complete, ids are stable and findable."""

from __future__ import annotations

import importlib
import re

import pytest

from ocpi_ref import RULES, Kind, Level, Party, get_rule
from ocpi_ref.versions import VERSIONS, edition2_section

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_OF_PREFIX = {
    "start-session": "start_session",
    "type": "types",
    "field": "types",
    "json": "json",
    "commands": "commands",
    "conformance": "conformance",
    "checker": "checker",
    "convert": "convert",
    "object": "objects",
    "audit": "audit",
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
    assert rule.sections and set(rule.sections) <= set(VERSIONS), "sections name known versions"
    assert all(re.fullmatch(r"\d+(?:\.\d+)*", s) for s in rule.sections.values())
    default = "2.2.1" if "2.2.1" in rule.sections else rule.versions[-1]
    assert rule.cite().startswith(f"OCPI {default} §{rule.sections[default]}")
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


# Which versions have which statement of the clause (ocpi-facts §4.2 and §9): 2.1.1 has only
# the EVSE sentence and the field table, 2.2 adds the Token paragraphs, 2.2.1 connector_id.
@pytest.mark.rule("start-session.evse-optional", "start-session.connector-requires-evse")
def test_clause_rules_state_the_versions_they_apply_to():
    clause = {r.id: r.versions for r in RULES.values() if r.id.startswith("start-session.")}
    from_211 = {"start-session.evse-optional", "start-session.location-of-receiver"}
    from_221 = {"start-session.connector-requires-evse", "start-session.connector-required-by-evse"}
    for rule_id, versions in clause.items():
        first = "2.1.1" if rule_id in from_211 else "2.2.1" if rule_id in from_221 else "2.2"
        assert versions == VERSIONS[VERSIONS.index(first):], rule_id
    assert RULES["start-session.evse-optional"].sections["2.1.1"] == "13.3.3"
    assert RULES["type.open-enum"].versions == ("2.3.0",)
    assert RULES["commands.v211-response-either-shape"].versions == ("2.1.1",)


def test_edition2_numbers_move_chapters_11_to_15_only():
    assert edition2_section("13.3.5") == "14.3.5"
    assert edition2_section("12.3.2") == "13.3.2"
    assert edition2_section("4.1.2") == "4.1.2"
    assert edition2_section("17.3") == "17.3"
    assert RULES["start-session.evse-optional"].cite("2.3.0") == "OCPI 2.3.0 §13.3.5 (§14.3.5 in edition 2)"
    assert RULES["type.open-enum"].cite("2.3.0") == "OCPI 2.3.0 §17.3"
