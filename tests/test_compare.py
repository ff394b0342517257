"""ocpi_ref.compare: the tables of "Four versions side by side", built from the models and rules."""

from __future__ import annotations

import pytest

from ocpi_ref import RULES
from ocpi_ref.compare import enum_table, field_table, rule_table, verdict_table
from ocpi_ref.versions import VERSIONS


def _rows(table, marked: bool = True) -> dict[str, list[str]]:
    """Row name -> the cells after it (without the Δ column when the table is *marked*)."""
    out = {}
    for line in table.text.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")][marked:]
        out[cells[0].strip("`")] = cells[1:]
    return out


@pytest.mark.rule("field.required")
def test_field_table_has_a_column_per_version_and_marks_what_changed():
    table = field_table("StartSession")
    head = table.text.splitlines()[0]
    assert all(v in head for v in VERSIONS) and "ed.\u00a02:\u00a0§14.3.5" in head
    rows = _rows(table)
    assert rows["connector_id"] == ["—", "—", "CiString(36) ·\u00a0?", "CiString(36) ·\u00a0?"]
    assert "**Δ**" in next(line for line in table.text.splitlines() if "`connector_id`" in line)
    assert table._repr_markdown_() == str(table) == table.text


def test_long_type_names_may_break_between_their_words():
    cells = _rows(field_table("CommandResponse"))["result"]
    assert cells == ["Command<wbr>Response<wbr>Type ·\u00a01"] * 4
    assert _rows(field_table("StartSession"))["location_id"][1] == "CiString(36) ·\u00a01"


@pytest.mark.rule("type.open-enum")
def test_enum_table_lists_each_value_once_and_names_the_open_enums():
    table = enum_table("TokenType")
    assert _rows(table)["EMAID"] == ["—", "—", "—", "✓"]
    assert table.text.splitlines()[0].count("*OpenEnum*") == 1


def test_rule_table_has_every_rule():
    assert list(_rows(rule_table())) == list(RULES)


def test_verdict_table_checks_each_document_against_every_version(start_session):
    rows = _rows(verdict_table({"2.2.1": start_session}), marked=False)
    assert rows["2.2.1"][2] == "conforms"
    assert rows["2.2.1"][0].startswith("**does not conform")


@pytest.mark.rule("commands.backlog-limit", "commands.credentials-required")
def test_rule_table_shows_no_section_for_our_choices():
    rows = _rows(rule_table())
    assert rows["commands.backlog-limit"] == ["our choice"] * 4
    assert rows["commands.credentials-required"][0] == "our choice"
    assert rows["commands.credentials-required"][2] == "§4.1.2"
    assert rows["commands.body-size-limit"][2] == "§5"  # a deviation names what it deviates from
