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

from ocpi_ref import RULES, Kind, Level, Party, Rule
from ocpi_ref.rules import Basis
from ocpi_ref.rules.model import KEYWORD_LEVELS
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
    assert rows["start-session.own-tokens-only"].basis == "spec sentence, SHALL, eMSP"
    assert rows["commands.credentials-required"].basis == (
        "our choice in 2.1.1; spec sentence, SHALL, CPO, eMSP in 2.2, 2.2.1, 2.3.0"
    )
    assert rows["commands.backlog-limit"].section == "" and rows["json.syntax"].section


def test_the_decisions_table_has_a_basis_column():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
    import decisions

    head, rows = decisions._rows("cpo")
    assert head[-1] == "basis"
    by_rule = {row[3]: row[4] for row in rows}
    assert by_rule[":ref:`commands.body-size-limit <commands.body-size-limit>`"] == "deviation"
    assert by_rule[":ref:`json.syntax <json.syntax>`"] == "spec definition in 2.1.1; spec sentence, MUST, CPO, eMSP in 2.2, 2.2.1, 2.3.0"


def test_the_rule_card_says_basis_keyword_and_whom_it_addresses():
    card = RULES["start-session.own-tokens-only"]._repr_markdown_()
    assert card.startswith("| rule | `start-session.own-tokens-only`")
    assert "| basis | spec sentence |" in card and "| keyword as written | SHALL |" in card
    assert "| addresses | eMSP |" in card and "| | |" not in card
    choice = RULES["commands.backlog-limit"]._repr_markdown_()
    assert "| where the spec is silent |" in choice and "| sections |" not in choice
    assert "| our reading |" in RULES["start-session.ocpp-app-token-no-realtime-auth"]._repr_markdown_()


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
    assert rule.level is Level.DEFINED and rule.keyword == "optional"
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


# ---- the keyword as written, the level it states, the basis and its reasoning -------------

RFC_LEVELS = {Level.MUST, Level.MUST_NOT, Level.SHALL, Level.SHALL_NOT, Level.SHOULD, Level.SHOULD_NOT, Level.MAY}


def keyword_problems(rule, version: str) -> list[str]:
    """What is wrong with *rule*'s keyword, level and basis in *version* (empty when nothing)."""
    level, keyword, quote = rule.level_in(version), rule.keyword_in(version), rule.quote_in(version)
    basis, choice = rule.basis_in(version), rule.choice_in(version)
    out = []
    if keyword is not None:
        if not quote:
            out.append(f"keyword {keyword!r} without a quote to find it in")
        elif not re.search(rf"(?<![A-Za-z']){re.escape(keyword)}(?![A-Za-z])", quote):
            out.append(f"keyword {keyword!r} is not a word of the quote {quote!r}")
        stated = KEYWORD_LEVELS.get(keyword)
        if stated is not None and stated is not level:
            out.append(f"keyword {keyword!r} states {stated.value}, the level says {level.value}")
        if stated is None and level in RFC_LEVELS:
            out.append(f"{keyword!r} is not an RFC 2119 keyword, yet the level is {level.value}")
    elif level in RFC_LEVELS or level is Level.PLAIN:
        out.append(f"level {level.value} without the keyword its quote writes")
    if basis in (Basis.READING, Basis.CHOICE, Basis.DEVIATION) and not choice:
        out.append(f"basis {basis.value} without its reasoning in choice")
    if level is Level.POLICY and basis.is_spec:
        out.append(f"level policy, yet basis {basis.value}")
    return out


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_keyword_level_and_basis_agree_with_the_quote(rule_id):
    rule = RULES[rule_id]
    problems = [f"{v}: {p}" for v in rule.versions for p in keyword_problems(rule, v)]
    assert not problems, f"{rule_id}: " + "; ".join(problems)


def test_the_keyword_check_fails_on_each_kind_of_mistake():
    base = dict(id="x.y", title="t", statement="s" * 41, sections={"2.2.1": "5"}, binds=(Party.CPO,), kind=Kind.BEHAVIOUR)
    advised = Rule(**base, level=Level.SHOULD, quote="It is advised to make this URL unique", keyword="advised")
    shall_for_must = Rule(**base, level=Level.SHALL_NOT, quote="a HTTP error MUST NOT be returned", keyword="MUST NOT")
    absent = Rule(**base, level=Level.SHALL, quote="the data SHOULD contain", keyword="SHALL")
    reading = Rule(**base, level=Level.SHALL_NOT, quote="SHALL NOT do", keyword="SHALL NOT", basis=Basis.READING)
    no_keyword = Rule(**base, level=Level.SHALL, quote="SHALL be authorized")
    for rule in (advised, shall_for_must, absent, reading, no_keyword):
        assert keyword_problems(rule, "2.2.1"), rule
    fine = Rule(**base, level=Level.MUST_NOT, quote="a HTTP error MUST NOT be returned", keyword="MUST NOT")
    assert keyword_problems(fine, "2.2.1") == []


@pytest.mark.rule("start-session.own-tokens-only")
def test_own_tokens_only_binds_the_emsp_alone():
    rule = RULES["start-session.own-tokens-only"]
    assert rule.binds == (Party.EMSP,) and rule.obliges(Party.EMSP, "2.2.1")
    assert not rule.obliges(Party.CPO, "2.2.1")


@pytest.mark.rule("start-session.ocpp-app-token-no-realtime-auth")
def test_the_truncated_app_token_sentence_is_a_reading():
    rule = RULES["start-session.ocpp-app-token-no-realtime-auth"]
    assert rule.quote.endswith("for this .") and rule.keyword == "SHALL NOT"
    assert rule.basis_in("2.2.1") is Basis.READING and "cut short" in rule.choice
    assert not rule.obliges(Party.CPO, "2.2.1")


@pytest.mark.rule("commands.ocpp-other-token-no-realtime-auth")
def test_other_and_emaid_tokens_have_their_own_reading():
    rule = RULES["commands.ocpp-other-token-no-realtime-auth"]
    assert rule.basis_in("2.3.0") is Basis.READING and "EMAID" in rule.choice and "tension" in rule.choice
    assert "OTHER" not in RULES["start-session.ocpp-rfid-15-minutes"].statement


@pytest.mark.rule("commands.credentials-required", "json.syntax", "object.invalid-object-2001")
def test_sentences_that_say_what_is_returned_bind_the_receiver():
    for rule_id in ("commands.credentials-required", "json.syntax", "object.invalid-object-2001"):
        rule = RULES[rule_id]
        assert Party.SENDER not in rule.binds and Party.CPO in rule.binds, rule_id
    assert RULES["object.invalid-object-2001"].keyword == "MUST NOT"
    assert RULES["object.invalid-object-2001"].level is Level.MUST_NOT
    assert RULES["commands.credentials-required"].basis_in("2.1.1") is Basis.CHOICE
    assert not RULES["commands.credentials-required"].obliges(Party.CPO, "2.1.1")
    assert RULES["commands.credentials-required"].obliges(Party.CPO, "2.2.1")


@pytest.mark.rule("start-session.connector-requires-evse", "start-session.connector-required-by-evse")
def test_lowercase_required_is_levelled_alike():
    levels = {RULES[r].level for r in ("start-session.connector-requires-evse", "start-session.connector-required-by-evse")}
    assert levels == {Level.DEFINED}


@pytest.mark.rule("object.invalid-object-2001")
def test_the_authenticated_party_condition_is_only_edition_2():
    rule = RULES["object.invalid-object-2001"]
    assert "authenticated" not in rule.statement and "edition 2" in rule.notes[0]


@pytest.mark.rule("commands.body-size-limit", "commands.from-headers-match-credentials", "commands.backlog-limit")
def test_http_refusals_say_whether_they_deviate():
    assert RULES["commands.body-size-limit"].basis_in("2.2.1") is Basis.DEVIATION
    assert RULES["commands.from-headers-match-credentials"].basis_in("2.2.1") is Basis.DEVIATION
    backlog = RULES["commands.backlog-limit"]
    assert backlog.basis_in("2.2.1") is Basis.CHOICE and "429" not in backlog.title


def test_basis_text_names_keyword_and_party():
    assert RULES["start-session.own-tokens-only"].basis_text("2.2.1") == "spec sentence, SHALL, eMSP"
    assert RULES["commands.body-size-limit"].basis_text("2.2.1") == "deviation"
    assert RULES["type.enum"].basis_text("2.2.1") == "spec definition"
    assert RULES["commands.unique-response-url"].basis_text("2.2.1") == "spec sentence, advised, eMSP"


@pytest.mark.rule("commands.auth-method-command")
def test_auth_method_command_rests_on_the_authmethod_definition(start_session):
    from ocpi_ref import StartSession
    from ocpi_ref.flow.session_token import session_token_fields

    rule = RULES["commands.auth-method-command"]
    assert rule.basis_in("2.2.1") is Basis.READING and not rule.obliges(Party.CPO, "2.2.1")
    assert rule.sections["2.2.1"] == "10.4.1" and "COMMAND" not in RULES["start-session.token-in-session-and-cdr"].quote
    assert session_token_fields(StartSession.model_validate(start_session))["auth_method"] == "COMMAND"
