"""Rule records say what the spec says, and the reference's choices say that they are choices.

The census below reads every record: its level in each version is the spec's (``policy`` only
where the spec has no statement), every ``policy`` level comes with the choice it stands for,
and every quote is found word for word in that version's spec text (when the verbatim sources
are at hand; see ``tests/test_spec_census.py``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from ocpi_ref import RULES, Level
from ocpi_ref.versions import VERSIONS

from spec_sources import SPEC_SRC

FOLDERS = {"2.1.1": "2.1.1", "2.2": "2.2", "2.2.1": "2.2.1", "2.3.0": "v2.3.0"}


@cache
def _spec_text(version: str) -> str | None:
    folder = SPEC_SRC / FOLDERS[version]
    if not folder.is_dir():
        return None
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.*")) if p.is_file())
    return _plain(text)


def _plain(text: str) -> str:
    """Markup and line breaks gone, so a quote matches however the source wraps or marks it."""
    text = re.sub(r"<<[^,>]*,([^>]*)>>", r"\1", text)  # AsciiDoc cross-references
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # Markdown links
    text = re.sub(r"[`*_]", "", text)
    return re.sub(r"\s+", " ", text)


def census() -> list[tuple[str, str, Level, str | None]]:
    """(rule, version, the spec's level there, this reference's choice there) for every record."""
    return [
        (rule.id, v, rule.level_in(v), rule.choice_in(v) or None)
        for rule in RULES.values()
        for v in rule.versions
    ]


@pytest.mark.parametrize(("rule_id", "version", "level", "choice"), census(), ids=lambda x: str(x)[:40])
def test_a_policy_level_always_names_the_choice_it_stands_for(rule_id, version, level, choice):
    if level is Level.POLICY:
        assert choice, f"{rule_id} in {version}: a policy without the choice it makes"
    statement = RULES[rule_id].statement_in(version)
    assert len(statement) > 40


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_quote_is_the_spec_word_for_word(rule_id):
    rule = RULES[rule_id]
    for version in rule.versions:
        quote = rule.quote_in(version)
        text = _spec_text(version)
        if not quote:
            continue
        if text is None:
            pytest.skip(f"the OCPI {version} sources are not at {SPEC_SRC}")
        assert _plain(quote) in text, f"{rule_id}: {quote!r} is not in the OCPI {version} text"
        assert len(quote.split()) < 20


def test_the_census_table_shows_spec_level_and_choice_per_rule():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
    import traceability

    rows = {row.rule_id: row for row in traceability.matrix()}
    assert rows["commands.credentials-required"].level == "policy in 2.1.1; SHALL in 2.2, 2.2.1, 2.3.0"
    assert rows["field.unknown"].level == "policy in 2.1.1, 2.2, 2.2.1; SHALL NOT in 2.3.0"
    assert rows["json.limits"].level == "policy" and "refuses" in rows["json.limits"].choice
    assert rows["start-session.own-tokens-only"].choice == ""
    assert rows["type.datetime"].choice.startswith("2.1.1: ")


# ---- the records this reference used to state at a level the spec does not have --------

@pytest.mark.rule("start-session.location-of-receiver")
def test_location_of_receiver_is_a_definition_and_2003_is_a_choice():
    rule = RULES["start-session.location-of-receiver"]
    assert rule.level is Level.DEFINED
    assert "2003" in rule.choice and "REJECTED" in rule.choice
    assert "answers" not in rule.statement


@pytest.mark.rule("commands.accepted-without-car")
def test_accepted_without_car_comes_from_a_diagram():
    rule = RULES["commands.accepted-without-car"]
    assert rule.level is Level.EXAMPLE and "diagram" in rule.statement and rule.choice


@pytest.mark.rule("commands.result-bare-body")
def test_result_bare_body_headers_are_the_reference_s_choice():
    rule = RULES["commands.result-bare-body"]
    assert rule.level is Level.DEFINED
    assert "X-Request-ID" not in rule.statement and "X-Request-ID" in rule.choice


@pytest.mark.rule("commands.request-ids-echoed")
def test_fresh_request_ids_are_a_choice():
    rule = RULES["commands.request-ids-echoed"]
    assert rule.level is Level.SHALL
    assert "fresh" not in rule.statement and "fresh" in rule.choice


@pytest.mark.rule("start-session.evse-optional")
def test_not_supported_without_evse_is_a_choice():
    rule = RULES["start-session.evse-optional"]
    assert rule.level is Level.MAY
    assert "NOT_SUPPORTED" in rule.choice and "support the request" not in rule.statement


@pytest.mark.rule("start-session.token-in-session-and-cdr")
def test_the_cdr_is_not_required_to_say_command():
    rule = RULES["start-session.token-in-session-and-cdr"]
    assert "with auth_method COMMAND" not in rule.statement
    assert "last method" in rule.statement and "§10.3.1" in rule.statement
    assert "COMMAND" in rule.choice and "Session" in rule.choice


@pytest.mark.rule("start-session.authorization-reference-echo")
def test_authorization_reference_carries_the_last_given_value_rule():
    rule = RULES["start-session.authorization-reference-echo"]
    assert rule.quote == "the last given value SHALL be used here"
    assert "§9.3.1" in rule.statement and "§10.3.1" in rule.statement


# ---- versions and sections ---------------------------------------------------------------

@pytest.mark.rule("commands.credentials-required")
def test_http_401_is_a_policy_in_2_1_1():
    rule = RULES["commands.credentials-required"]
    assert rule.level_in("2.1.1") is Level.POLICY and rule.choice_in("2.1.1")
    assert all(rule.level_in(v) is Level.SHALL for v in ("2.2", "2.2.1", "2.3.0"))
    if _spec_text("2.1.1") is not None:
        assert "401" not in _spec_text("2.1.1").split("Request format")[1].split("Response format")[0]


@pytest.mark.rule("json.syntax")
def test_http_400_is_cited_from_the_status_codes_chapter():
    rule = RULES["json.syntax"]
    assert rule.sections == {"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"}
    assert rule.level is Level.MUST and rule.level_in("2.1.1") is Level.DEFINED


@pytest.mark.rule("commands.result-after-accepted")
def test_result_after_accepted_cites_the_receiver_interface():
    rule = RULES["commands.result-after-accepted"]
    assert set(rule.sections.values()) == {"13.2.1"}
    assert "if this response is ACCEPTED" in rule.quote_in("2.2.1")


@pytest.mark.rule("field.unknown")
def test_unknown_fields_cite_only_what_mentions_them():
    rule = RULES["field.unknown"]
    assert rule.sections["2.3.0"] == "4.1.8" and rule.level_in("2.3.0") is Level.SHALL_NOT
    for version in ("2.1.1", "2.2", "2.2.1"):
        assert rule.level_in(version) is Level.POLICY
        assert not rule.sections[version].startswith("4.1"), version


@pytest.mark.rule("type.datetime")
def test_2_1_1_datetime_has_its_own_statement_and_quote():
    rule = RULES["type.datetime"]
    assert "ISO 8601" in rule.quote_in("2.1.1") and "RFC 3339" not in rule.quote_in("2.1.1")
    assert "RFC 3339" in rule.quote_in("2.2.1")
    assert "ISO 8601" in rule.statement_in("2.1.1") and "extended format" in rule.choice_in("2.1.1")


@pytest.mark.rule("type.cistring")
def test_cistring_case_is_a_recommendation_not_the_spec():
    rule = RULES["type.cistring"]
    assert "no party changes its case" not in rule.statement
    assert "same value" in rule.statement
    assert "recommends" in rule.choice


def test_levels_are_known_for_every_version_a_rule_has():
    for rule in RULES.values():
        assert set(rule.per_version) <= set(rule.versions), rule.id
        for version in VERSIONS:
            if rule.applies_to(version):
                assert isinstance(rule.level_in(version), Level)
