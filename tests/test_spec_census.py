"""Field census: our models and enums against the specification's own tables, in every version.

The verbatim spec sources are in this repository, in ``spec/ocpi-src`` (folders ``2.1.1`` in
Markdown, ``2.2``, ``2.2.1`` and ``v2.3.0`` in AsciiDoc). This module reads the
field tables, enum tables and headings of the Commands, Tokens, CDRs, Sessions and Types
chapters and compares them with :func:`ocpi_ref.versions.spec` and
:func:`ocpi_ref.shape.fields_of`:

* each object's fields: names in order, type label (``CiString(36)``, ``Token``, ``list of
  DisplayText``) and cardinality (``1`` required, ``?`` optional, ``*`` optional list, ``+``
  required list);
* each enum's values, as a set and in order, and which enums are OpenEnums;
* the section numbers we cite, computed from the order of the headings.

Set ``OCPI_SPEC_SRC`` to read the sources from elsewhere. When the sources (or one version's
folder) are absent, every test here skips with a visible reason; none fails or passes silently.

Two differences between versions are expected and checked as such, not hidden: a 2.1.1
``string`` is printable ASCII (its types chapter says so) while its label stays ``string(n)``;
and in 2.3.0 TokenType is an OpenEnum, so Token.type keeps the label ``TokenType`` with
``open_enum`` set.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pydantic import BaseModel

from ocpi_ref.shape import FieldShape, fields_of
from ocpi_ref.specs import spec
from ocpi_ref.versions import VERSIONS
from spec_sources import need

FOLDERS = {"2.1.1": "2.1.1", "2.2": "2.2", "2.2.1": "2.2.1", "2.3.0": "v2.3.0"}

#: The chapter number of each file, as the published PDF numbers it.
_MODULES = {"mod_sessions": "9", "mod_cdrs": "10", "mod_tokens": "12", "mod_commands": "13"}
CHAPTERS = {
    "2.1.1": {**_MODULES, "types": "14"},
    "2.2": {**_MODULES, "types": "16"},
    "2.2.1": {**_MODULES, "types": "16"},
    "2.3.0": {**_MODULES, "types": "17"},
}

OBJECTS = (
    "StartSession",
    "CommandResponse",
    "CommandResult",
    "Token",
    "CdrToken",
    "EnergyContract",
    "DisplayText",
)
ENUMS = (
    "TokenType",
    "WhitelistType",
    "CommandType",
    "CommandResponseType",
    "CommandResultType",
    "AuthMethod",
    "ProfileType",
)
#: Objects :class:`~ocpi_ref.versions.VersionSpec` does not carry; we read them from the package.
NOT_IN_VERSION_SPEC = ("EnergyContract", "DisplayText")
#: The sections the brief of this census names; other cited sections are checked separately.
CITED = (
    "StartSession",
    "Token",
    "CommandResponse",
    "CommandType",
    "CommandResponseType",
    "CommandResultType",
)


# --------------------------------------------------------------------------------------------
# Reading the spec sources
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One table row: its cells (the last one keeps any further ``|``) and its line number."""

    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Heading:
    """A heading that defines something: ``_StartSession_ Object``, ``TokenType _OpenEnum_``."""

    name: str
    kind: str  # "Object", "class", "enum", "OpenEnum" or "type"
    section: str | None  # "13.3.5"; None below level 3 or when the file does not number it
    file: str
    line: int
    rows: tuple[Row, ...]  # the first table under the heading, header row dropped
    text: str  # everything under the heading up to the next heading

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


#: ``_StartSession_ Object``, ``TokenType _OpenEnum_``, ``CdrToken _class_``, ``TokenType *enum*``.
TITLE = re.compile(
    r"^_?(?P<name>[A-Za-z0-9]+)_?\s+"
    r"(?:(?P<object>Object)|[_*](?P<kind>enum|OpenEnum|class|type)[_*])$"
)
#: AsciiDoc: ``==== _StartSession_ Object`` (``==`` is the chapter, ``===`` level 2, ...).
ADOC_HEADING = re.compile(r"^(?P<marks>={2,6}) (?P<title>.+?)\s*$")
#: Markdown: ``### 3.3 _StartSession_ Object``; the file numbers its own headings.
MD_HEADING = re.compile(
    r"^(?P<marks>#{1,6})\s+(?:(?P<number>\d+(?:\.\d+)*)\.?\s+)?(?P<title>.+?)\s*$"
)
#: A new AsciiDoc table row: ``|`` at the start of a line, then a field name or value.
ADOC_ROW_START = re.compile(r"^\|\s*[A-Za-z_]")
#: A Markdown table's separator line: ``|-----|:---|``.
MD_SEPARATOR = re.compile(r"^\|[\s|:-]+$")
#: Links around a type name: AsciiDoc ``<<target,Text>>`` and Markdown ``[Text](target)``.
ADOC_LINK = re.compile(r"<<[^,>]*,([^>]*)>>")
MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _split_cells(row: str, columns: int) -> tuple[str, ...]:
    """``|a |b |c`` → ``("a", "b", "c")``, into at most *columns* cells."""
    return tuple(cell.strip() for cell in row.strip()[1:].split("|", columns - 1))


def _asciidoc_table(lines: list[tuple[int, str]]) -> tuple[Row, ...]:
    """The first ``|===`` table in *lines*; a row may continue on the lines that follow it."""
    starts = [i for i, (_, text) in enumerate(lines) if text.strip() == "|==="]
    if len(starts) < 2:
        return ()
    raw: list[tuple[int, str]] = []  # (line number, joined row text)
    for number, text in lines[starts[0] + 1 : starts[1]]:
        if ADOC_ROW_START.match(text):
            raw.append((number, text.strip()))
        elif text.strip() and raw:
            raw[-1] = (raw[-1][0], f"{raw[-1][1]} {text.strip()}")
    header, *body = raw
    columns = len(_split_cells(header[1], 99))
    return tuple(Row(_split_cells(text, columns), number) for number, text in body)


def _markdown_table(lines: list[tuple[int, str]]) -> tuple[Row, ...]:
    """The first pipe table in *lines*: header, separator, then one row per line."""
    table: list[tuple[int, str]] = []
    for number, text in lines:
        if text.startswith("|"):
            table.append((number, text))
        elif table:
            break
    if not table:
        return ()
    (_, header), *body = table
    columns = len(_split_cells(header.rstrip().rstrip("|"), 99))
    return tuple(
        Row(_split_cells(text, columns), number)
        for number, text in body
        if not MD_SEPARATOR.match(text)
    )


#: (title, line number, section number or None, the body's (line number, text) pairs)
Parsed = list[tuple[str, int, str | None, list[tuple[int, str]]]]


def _asciidoc_headings(path: Path, chapter: str) -> Parsed:
    """(title, line, section, body lines) for each heading; ``===`` and ``====`` are numbered."""
    out: Parsed = []
    level2 = level3 = 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = ADOC_HEADING.match(text)
        if not match:
            if out:
                out[-1][3].append((number, text))
            continue
        level = len(match["marks"]) - 1
        section = None
        if level == 2:
            level2, level3 = level2 + 1, 0
            section = f"{chapter}.{level2}"
        elif level == 3:
            level3 += 1
            section = f"{chapter}.{level2}.{level3}"
        out.append((match["title"], number, section, []))
    return out


def _markdown_headings(path: Path, chapter: str) -> Parsed:
    """(title, line, section, body lines) for each heading; the section is the chapter plus the
    file's own number (``3.3`` → ``13.3.3``). The types file numbers its headings ``1.x``, the
    ``1`` standing for its chapter, so there the chapter replaces it (``1.3`` → ``14.3``)."""
    out: Parsed = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MD_HEADING.match(text)
        if not match:
            if out:
                out[-1][3].append((number, text))
            continue
        own = match["number"]
        if own is None:
            section = None
        elif path.stem == "types":
            section = f"{chapter}.{own.partition('.')[2]}"
        else:
            section = f"{chapter}.{own}"
        out.append((match["title"], number, section, []))
    return out


@cache
def read_census(folder: Path, version: str) -> dict[str, Heading]:
    """Every object, class, enum and type heading of *version*'s files, by name."""
    census: dict[str, Heading] = {}
    for stem, chapter in CHAPTERS[version].items():
        markdown = (folder / f"{stem}.md").is_file()
        path = folder / f"{stem}.md" if markdown else folder / f"{stem}.asciidoc"
        read = _markdown_headings if markdown else _asciidoc_headings
        headings = read(path, chapter)
        for title, line, section, body in headings:
            match = TITLE.match(title)
            if not match:
                continue
            table = _markdown_table(body) if markdown else _asciidoc_table(body)
            heading = Heading(
                name=match["name"],
                kind="Object" if match["object"] else match["kind"],
                section=section,
                file=str(path.relative_to(folder.parent)),
                line=line,
                rows=table,
                text="\n".join(text for _, text in body),
            )
            assert heading.name not in census, (
                f"{heading.name} defined twice: {census[heading.name].where}, {heading.where}"
            )
            census[heading.name] = heading
    return census


def spec_type(cell: str) -> str:
    """A Type cell without its link: ``<<types...,CiString>>(36)`` → ``CiString(36)``."""
    return re.sub(r"\s+", "", MD_LINK.sub(r"\1", ADOC_LINK.sub(r"\1", cell)))


#: Spec type names that our labels spell differently.
OUR_SPELLING = {"int": "integer"}


def spec_fields(heading: Heading) -> list[tuple[str, str, str]]:
    """(field, label as we write it, cardinality) for each row of an object's table."""
    out = []
    for row in heading.rows:
        name, type_cell, card = row.cells[:3]
        base = spec_type(type_cell)
        label = OUR_SPELLING.get(base, base)
        out.append((name, f"list of {label}" if card in ("*", "+") else label, card))
    return out


# --------------------------------------------------------------------------------------------
# Our side
# --------------------------------------------------------------------------------------------


def our_model(version: str, name: str) -> type[BaseModel] | None:
    """Our model of *name* in *version*, or None when we have none."""
    if name in NOT_IN_VERSION_SPEC:
        package = importlib.import_module(f"ocpi_ref.v{version.replace('.', '_')}")
        return getattr(package, name, None)
    return spec(version).objects.get(name)


def cardinality(shape: FieldShape) -> str:
    if shape.is_list:
        return "+" if shape.required else "*"
    return "1" if shape.required else "?"


def our_fields(model: type[BaseModel]) -> list[tuple[str, str, str]]:
    return [(name, shape.label, cardinality(shape)) for name, shape in fields_of(model).items()]


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture
def census(version: str) -> dict[str, Heading]:
    """The spec's headings of *version*; skips when its sources are missing."""
    return read_census(need(FOLDERS[version]), version)


def by_version(names: tuple[str, ...]) -> list:
    return [pytest.param(v, n, id=f"{v}-{n}") for v in VERSIONS for n in names]


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


@pytest.mark.rule(
    "field.required",
    "type.cistring",
    "type.string",
    "type.url",
    "type.datetime",
    "type.enum",
    "type.open-enum",
)
@pytest.mark.parametrize(("version", "name"), by_version(OBJECTS))
def test_field_table_matches_the_spec(version, name, census):
    """Names in order, type labels and cardinalities; nested types are this version's own."""
    heading = census.get(name)
    model = our_model(version, name)
    assert (heading is None) == (model is None), (
        f"OCPI {version} {name}: spec has it: {heading is not None} "
        f"({heading.where if heading else 'no heading'}), we have a model: {model is not None}"
    )
    if heading is None:
        return
    assert heading.rows, f"{heading.where}: no field table under the heading"
    assert our_fields(model) == spec_fields(heading), f"OCPI {version} {name} vs {heading.where}"

    vs = spec(version)
    shapes = fields_of(model)
    for row in heading.rows:
        field, type_cell = row.cells[:2]
        target = census.get(spec_type(type_cell))
        shape = shapes[field]
        if target is None:
            continue
        if target.kind in ("enum", "OpenEnum"):
            assert shape.enum is vs.enums.get(target.name), (
                f"{heading.file}:{row.line}: {name}.{field} should use OCPI {version}'s {target.name}"
            )
            assert shape.open_enum == (target.kind == "OpenEnum"), (
                f"{heading.file}:{row.line}: {name}.{field}: {target.name} is _{target.kind}_ "
                f"({target.where}), our open_enum is {shape.open_enum}"
            )
        elif target.kind in ("Object", "class"):
            assert shape.model is our_model(version, target.name), (
                f"{heading.file}:{row.line}: {name}.{field} should be OCPI {version}'s {target.name}"
            )


@pytest.mark.rule("type.enum", "type.open-enum")
@pytest.mark.parametrize(("version", "name"), by_version(ENUMS))
def test_enum_values_match_the_spec(version, name, census):
    heading = census.get(name)
    ours = spec(version).enums.get(name)
    assert (heading is None) == (ours is None), (
        f"OCPI {version} {name}: spec has it: {heading is not None} "
        f"({heading.where if heading else 'no heading'}), in our .enums: {ours is not None}"
    )
    if heading is None:
        return
    assert heading.kind in ("enum", "OpenEnum"), f"{heading.where}: {name} is a {heading.kind}"
    spec_values = [row.cells[0] for row in heading.rows]
    our_values = [member.value for member in ours]
    assert set(our_values) == set(spec_values), (
        f"OCPI {version} {name} ({heading.where}): "
        f"missing {sorted(set(spec_values) - set(our_values))}, "
        f"extra {sorted(set(our_values) - set(spec_values))}"
    )
    assert our_values == spec_values, f"OCPI {version} {name}: order differs from {heading.where}"


@pytest.mark.rule("type.open-enum", "type.enum")
@pytest.mark.parametrize("version", VERSIONS)
def test_open_enums_are_the_ones_the_spec_calls_openenum(version, census):
    spec_open = {name for name, heading in census.items() if heading.kind == "OpenEnum"}
    vs = spec(version)
    assert vs.open_enums == spec_open, {n: census[n].where for n in spec_open}
    assert vs.open_enums <= set(vs.enums)


@pytest.mark.rule("type.string", "type.cistring")
@pytest.mark.parametrize("version", VERSIONS)
def test_text_types_have_the_character_set_of_the_types_chapter(version, census):
    """CiString is printable ASCII everywhere; string is ASCII in 2.1.1 and UTF-8 from 2.2."""
    models = [m for m in (our_model(version, name) for name in OBJECTS) if m is not None]
    for type_name in ("CiString", "string"):
        heading = census[type_name]
        ascii_only = "Only printable ASCII allowed" in heading.text
        utf8 = "Only printable UTF-8 allowed" in heading.text
        assert ascii_only != utf8, f"{heading.where}: cannot tell the character set of {type_name}"
        for model in models:
            for field, shape in fields_of(model).items():
                if shape.ocpi is not None and shape.ocpi.name == type_name:
                    assert shape.ocpi.ascii_only == ascii_only, (
                        f"OCPI {version} {model.__name__}.{field}: {heading.where} says "
                        f"{'ASCII' if ascii_only else 'UTF-8'}"
                    )


# The two section tests carry no rule marker: no rule id is about section numbers, and a
# borrowed one would make the traceability page claim coverage these tests do not give.
@pytest.mark.parametrize(
    ("version", "name"),
    [pytest.param(v, n, id=f"{v}-{n}") for v in VERSIONS for n in CITED if n in spec(v).sections],
)
def test_cited_section_numbers_follow_the_headings(version, name, census):
    heading = census[name]
    assert spec(version).sections[name] == heading.section, f"OCPI {version} {name}: {heading.where}"


@pytest.mark.parametrize("version", VERSIONS)
def test_every_other_cited_section_follows_the_headings(version, census):
    """The rest of ``.sections`` (StopSession, CdrToken, DisplayText, ...) where the census has it."""
    sections = spec(version).sections
    ours = {n: s for n, s in sections.items() if n not in CITED and n in census}
    theirs = {n: census[n].section for n in ours}
    assert ours == theirs
    unmatched = set(sections) - set(ours) - set(CITED)
    assert unmatched == set(), "a cited name has no heading in the census"


@pytest.mark.rule("start-session.evse-optional", "start-session.connector-requires-evse")
@pytest.mark.parametrize("version", VERSIONS)
def test_start_session_evse_is_optional_and_connector_needs_it_where_the_spec_says(version, census):
    heading = census["StartSession"]
    rows = {row.cells[0]: row for row in heading.rows}
    evse = rows["evse_uid"]
    assert evse.cells[2] == "?", f"{heading.file}:{evse.line}"
    assert not fields_of(spec(version).start_session)["evse_uid"].required
    spec_requires = "Required when `connector_id` is set" in evse.cells[3]
    assert spec_requires == ("connector_id" in rows)
    enforced = "start-session.connector-requires-evse" in spec(version).model_enforced
    assert enforced == spec_requires, f"{heading.file}:{evse.line}"
