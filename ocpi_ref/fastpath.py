"""The checker's fast pass: one run of pydantic-core over the text, and what it decides alone.

Most payloads conform, so bytes or text go straight to the model's ``validate_json`` (parsed
and validated in Rust). It validates with a stricter twin of the model's own validator
(:func:`fast_validator`: the same core schema, but text fields at least one character long and
no DateTime in the year 0000), so a payload it accepts holds nothing the full path would warn
about. That costs no Python call per field: every type check (URL grammar, printable
characters, code lists) is a pattern run in Rust.

* **Valid**: the answer is kept when nothing could hide from the model: no object has unknown
  fields, and an upper bound of the member names in the text equals the number of members
  parsed (so no name appears twice). The duplicate test is two C-speed passes over the bytes.
* **Refused**: the findings are built from the refusal itself (each error's ``loc``, ``type``
  and ``input``) when the text is plain JSON read without a doubt (:func:`plain`:
  no byte order mark, no name twice, nothing past a limit, nothing orjson and the standard
  library would read differently) and no error is one of the stricter twin's own (an empty
  string, a year 0000). Then the full path would find exactly these errors: the same model
  errors (the twin refuses nothing else), no empty string or year 0000 to warn about, and the
  rules, unknown members and OpenEnum values read from the same parsed document.

Any doubt sends the payload down the full path (:mod:`ocpi_ref.checker`), which finds every
problem. ``tests/test_fast_paths.py`` compares both paths on generated documents.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

from .errors import findings_from_errors
from .findings import Finding
from .jsondoc import DEFAULT_MAX_DEPTH
from .members import open_enum_values, unknown_members
from .rules.start_session import CONTEXT_CHECKS, PAYLOAD_CHECKS, Check, Context
from .shape import fields_of
from .specs import spec
from .types import FAST_PATH_PATTERNS
from .versions import VersionSpec

__all__ = ["NO_CONTEXT", "Plan", "fast_check", "fast_validator", "name_bound", "plain", "plan", "rules_on"]

NO_CONTEXT = Context()


@dataclass(frozen=True)
class Plan:
    """What the checker runs for one version, worked out once."""

    spec: VersionSpec
    payload: tuple[Check, ...]
    fast_payload: tuple[Check, ...]
    """Payload rules the model does not enforce itself; a valid model satisfies the rest."""
    context: tuple[Check, ...]
    paths: tuple[tuple[str, ...], ...]
    """Where the StartSession holds a model (itself, token, token.energy_contract, ...), the
    order :func:`ocpi_ref.members.unknown_fields` walks them in."""
    models: tuple[tuple[tuple[str, ...], str, type[BaseModel]], ...]
    """Each path with its JSON pointer and model, for :func:`ocpi_ref.members.unknown_members`."""
    lists: bool
    """Whether some model holds a list of models (then the refused fast pass is not taken)."""
    validate_json: Callable[[bytes | str], BaseModel]
    open_enums: bool


def fast_validator(model: type[BaseModel]) -> SchemaValidator:
    """The model's own validator, stricter where the full path would only warn.

    A copy of the model's core schema in which every OCPI text type (a ``str`` schema with a
    pattern) needs at least one character and a DateTime may not be in the year 0000. It builds
    the model's own classes, so what it returns is the StartSession a caller expects; a payload
    it refuses only takes the full path, which accepts it with a warning if that is all.
    """
    classes: list[type] = []

    def stricter(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "str" and "pattern" in node:
                node["min_length"] = 1
                node["pattern"] = FAST_PATH_PATTERNS.get(node["pattern"], node["pattern"])
            if node.get("type") == "model" and isinstance(node.get("cls"), type):
                classes.append(node["cls"])
            for value in node.values():
                stricter(value)
        elif isinstance(node, list):
            for value in node:
                stricter(value)

    schema = copy.deepcopy(model.__pydantic_core_schema__)
    stricter(schema)
    # pydantic-core reuses a complete model class's own validator for a nested model schema,
    # which would skip the stricter copy; while building, the classes read as incomplete.
    with _BUILDING:
        complete = {cls: cls.__dict__.get("__pydantic_complete__") for cls in classes}
        try:
            for cls in complete:
                type.__setattr__(cls, "__pydantic_complete__", False)
            return SchemaValidator(schema)
        finally:
            for cls, value in complete.items():
                type.__setattr__(cls, "__pydantic_complete__", value)


_BUILDING = threading.Lock()


@cache
def plan(version: str) -> Plan:
    """The :class:`Plan` of *version* (built once per version)."""
    vspec = spec(version)
    payload = tuple(check for rule, check in PAYLOAD_CHECKS if rule.applies_to(version))
    fast = tuple(
        check
        for rule, check in PAYLOAD_CHECKS
        if rule.applies_to(version) and rule.id not in vspec.model_enforced
    )
    context = tuple(check for rule, check in CONTEXT_CHECKS if rule.applies_to(version))
    models: list[tuple[tuple[str, ...], str, type[BaseModel]]] = []
    lists = False

    def visit(path: tuple[str, ...], where: str, model: type[BaseModel]) -> None:
        nonlocal lists
        models.append((path, where, model))
        for name, shape in fields_of(model).items():
            if shape.model and shape.is_list:
                lists = True
            elif shape.model:
                visit((*path, name), f"{where}/{name}", shape.model)

    visit((), "", vspec.start_session)
    return Plan(
        vspec,
        payload,
        fast,
        context,
        tuple(path for path, _, _ in models),
        tuple(models),
        lists,
        fast_validator(vspec.start_session).validate_json,
        bool(vspec.open_enums),
    )


def _members(plan: Plan, start: BaseModel) -> int:
    """Members parsed into *start* and the models inside it; -1 if any kept an unknown field."""
    count = 0
    for path in plan.paths:
        obj: Any = start
        for name in path:
            obj = obj.__dict__[name]
            if obj is None:
                break
        else:
            if obj.__pydantic_extra__:
                return -1
            count += len(obj.__pydantic_fields_set__)
    return count


def fast_check(
    plan: Plan, data: bytes | str, ctx: Context, max_depth: int
) -> tuple[list[Finding] | None, BaseModel | None]:
    """One pass of pydantic-core over the text: ``(findings, model)`` when that decides.

    ``(findings, None)``: the model refuses the payload and its refusal says everything.
    ``(None, model)``: the model accepts the payload but some member names are not its fields
    (unknown or repeated), which only the document shows; the full path then reads the document
    for them and keeps this model instead of validating again. ``(None, None)``: the model
    refuses it, and only the full path can be sure to find every reason.
    """
    try:
        start = plan.validate_json(data)
    except ValidationError as error:
        return _refused(plan, data, ctx, error, max_depth), None
    members = _members(plan, start)
    if members < 0 or name_bound(data) != members:
        return None, start
    fields = start.__dict__  # pydantic keeps a model's field values in a plain dict
    doc = {**fields, "token": fields["token"].__dict__}
    findings: list[Finding] = []
    for check in plan.fast_payload:
        if found := check(doc, ctx):
            findings.extend(found)
    if ctx is not NO_CONTEXT:
        for check in plan.context:
            findings.extend(check(doc, ctx))
    if plan.open_enums:
        findings.extend(open_enum_values(doc, plan.spec.start_session))
    return findings, start


def _refused(
    plan: Plan, data: bytes | str, ctx: Context, error: ValidationError, max_depth: int
) -> list[Finding] | None:
    """The full path's findings for a payload the model refused, or None when in doubt.

    The full path reads the text with the standard library (here orjson reads it, which gives
    the same values for plain JSON), validates the document again (here the refusal at hand
    serves: the stricter twin refuses what the model refuses, and more only at an empty string
    or a year 0000, which send the payload down the full path), and reports unknown members,
    OpenEnum values and suspect values (none: the twin refused every empty string and every
    year 0000 it validated, and the full path warns only about those).
    """
    if plan.lists:
        return None
    errors = error.errors(include_url=False, include_context=False)
    for err in errors:
        value = err["input"]
        if type(value) is str and (not value or value.startswith("0000-")):
            return None  # maybe the twin's own refusal: the full path says what the model says
    doc = plain(data, max_depth)
    if type(doc) is not dict:
        return None
    model = plan.spec.start_session
    findings = list(findings_from_errors(model, errors))
    findings.extend(unknown_members(doc, plan.models, plan.spec.version))
    if plan.open_enums:
        findings.extend(open_enum_values(doc, model))
    return rules_on(plan, doc, ctx, findings)


def rules_on(plan: Plan, doc: Any, ctx: Context, findings: list[Finding]) -> list[Finding]:
    """*findings* with those of the payload rules, and of the context rules when context is given."""
    for check in plan.payload:
        findings.extend(check(doc, ctx))
    if ctx is not NO_CONTEXT:
        for check in plan.context:
            findings.extend(check(doc, ctx))
    return findings


def plain(data: bytes | str, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The value of a JSON text that :func:`ocpi_ref.jsondoc.load` reads without a finding, or None at any doubt.

    orjson reads it (several times faster than the standard library) and refuses all that
    would give :func:`load` a finding or a value of another kind: bad UTF-8, a lone surrogate,
    NaN and Infinity, a number past a double's range, a byte order mark. What orjson reads in
    its own way is a doubt too: an integer past 64 bits (orjson makes it a double, so any double
    that large is one), and a member name twice (orjson keeps the last value in the last place):
    the members it parsed must be as many as an upper bound of the names in the text. A text
    that nests near *max_depth* is a doubt too (or past 200 levels, whatever the limit). The
    caller checks the size limit.
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    members = _plain_members(value, min(max_depth, _PLAIN_DEPTH) - 2)
    if members < 0 or name_bound(data) != members:
        return None
    return value


#: Doubles this large may stand for an integer orjson did not keep (past 64 bits).
_EXACT_INTEGERS = float(2**63)
_COMPOSITE = frozenset((dict, list, float))
#: Nesting that :func:`plain` leaves to the full path whatever the limit (it walks recursively).
_PLAIN_DEPTH = 200


def _plain_members(value: Any, room: int) -> int:
    """The members of every object in *value*; -1 if it holds a double of 2**63 or more, or
    containers nested more than *room* levels below it."""
    kind = type(value)
    if kind is dict:
        count, items = len(value), value.values()
    elif kind is list:
        count, items = 0, value
    else:
        return -1 if kind is float and abs(value) >= _EXACT_INTEGERS else 0
    if room < 0:
        return -1
    if _COMPOSITE.isdisjoint(map(type, items)):
        return count
    for item in items:
        if type(item) in _COMPOSITE:
            more = _plain_members(item, room - 1)
            if more < 0:
                return -1
            count += more
    return count


_JSON_WHITESPACE = b" \t\r\n"


def name_bound(data: bytes | str) -> int:
    """An upper bound of the member names in a JSON text (-1: a str with a lone surrogate).

    Between a name's closing quote and its colon there is only JSON whitespace, so with every
    whitespace byte deleted each name ends in `":` and ``count(b'":')`` bounds the names:
    deleting whitespace inside strings can only add matches, never remove one. (Two C-speed
    passes: cheaper than looking first whether any quote is followed by whitespace.)
    """
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            return -1
    return data.translate(None, _JSON_WHITESPACE).count(b'":')
