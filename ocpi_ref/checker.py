"""``check_start_session``: every finding for one StartSession document, in any OCPI version.

The stages run in order, each on what the previous one could read:

1. the JSON layer (:func:`ocpi_ref.jsondoc.load`): encoding, syntax, duplicates, limits;
2. the model of the version (:class:`~ocpi_ref.versions.VersionSpec`): field table and OCPI
   types, every error, not the first;
3. unknown fields, reported as information; in 2.3.0, values outside an OpenEnum's list too;
   values that are legal but surely a mistake (an empty string, the year 0000), as warnings;
4. the clause's payload rules, then its context rules when context is given; a rule runs
   only on a version that has it (:attr:`Rule.sections <ocpi_ref.Rule.sections>`).

The report keeps the two verdicts apart (:class:`~ocpi_ref.report.Report`): ``conforms``
follows the spec's rules only, ``accepted`` adds this reference's own limits (``json.limits``).

Rules in stage 4 run on the parsed JSON, so a StartSession with a bad Token still gets its
connector rule checked.

A fast path comes first: most payloads conform, so bytes or text go straight to the model's
``model_validate_json`` (parsed and validated in Rust). Its answer is kept only when nothing
could hide from it: the model is valid (so no NaN, no lone surrogate, no bad UTF-8, no unknown
type), no object has unknown fields, and an upper bound of the member names in the text equals
the number of members parsed (so no name appears twice). The fast path validates with a
stricter twin of the model's own validator (:func:`_fast_validator`: the same core schema, but
text fields at least one character long and no DateTime in the year 0000), so a payload it
accepts holds nothing the full path would warn about. That costs no Python call per field:
every type check (URL grammar, printable characters, code lists) is a pattern run in Rust, and
the duplicate test is two C-speed passes over the bytes. Any doubt sends the payload down the
full path above, which finds every problem.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

from .errors import findings_from_error
from .findings import Finding, Severity
from .jsondoc import _SOUND_DEPTH, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, json_type_name, load
from .party import parse_parties
from .report import Report
from .rules.checker import INTERNAL_ERROR
from .rules.start_session import CONTEXT_CHECKS, PAYLOAD_CHECKS, Check, Context
from .rules.types import JSON_TYPE
from .members import open_enum_values, suspect_values, unknown_fields
from .shape import fields_of
from .specs import spec
from .types import FAST_PATH_PATTERNS
from .versions import DEFAULT_VERSION, VersionSpec

__all__ = ["check_start_session", "check_start_session_model", "internal_error", "suspect_values", "unknown_fields"]

_NO_CONTEXT = Context()


def _new_report(fields: tuple[str, tuple[Finding, ...], bool]) -> Report:
    """``Report(version, findings, complete)`` without the named tuple's Python-level __new__."""
    return tuple.__new__(Report, fields)


@dataclass(frozen=True)
class _Plan:
    """What the checker runs for one version, worked out once."""

    spec: VersionSpec
    payload: tuple[Check, ...]
    fast_payload: tuple[Check, ...]
    """Payload rules the model does not enforce itself; a valid model satisfies the rest."""
    context: tuple[Check, ...]
    paths: tuple[tuple[str, ...], ...]
    """Where the StartSession holds a model (itself, token, token.energy_contract, ...)."""
    validate_json: Callable[[bytes | str], BaseModel]
    open_enums: bool


def _fast_validator(model: type[BaseModel]) -> SchemaValidator:
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
def _plan(version: str) -> _Plan:
    vspec = spec(version)
    payload = tuple(check for rule, check in PAYLOAD_CHECKS if rule.applies_to(version))
    fast = tuple(
        check
        for rule, check in PAYLOAD_CHECKS
        if rule.applies_to(version) and rule.id not in vspec.model_enforced
    )
    context = tuple(check for rule, check in CONTEXT_CHECKS if rule.applies_to(version))
    paths: list[tuple[str, ...]] = []
    todo: list[tuple[tuple[str, ...], type[BaseModel]]] = [((), vspec.start_session)]
    while todo:
        path, model = todo.pop(0)
        paths.append(path)
        todo.extend(
            ((*path, name), shape.model)
            for name, shape in fields_of(model).items()
            if shape.model and not shape.is_list
        )
    return _Plan(
        vspec,
        payload,
        fast,
        context,
        tuple(paths),
        _fast_validator(vspec.start_session).validate_json,
        bool(vspec.open_enums),
    )


def check_start_session(
    data: Any,
    *,
    version: str = DEFAULT_VERSION,
    sender: Any = None,
    evse_capabilities: Iterable[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Report:
    """Check a StartSession of OCPI *version* and report *all* findings.

    Args:
        data: the document as bytes, text, or an already parsed JSON value.
        version: ``"2.1.1"``, ``"2.2"``, ``"2.2.1"`` (the default) or ``"2.3.0"``; only the
            rules that version has are run.
        sender: the requesting party's role or roles (``"NL-TNM"``, ``("NL", "TNM")``, a
            :class:`~ocpi_ref.PartyId`, or a list of them). When given, a Token owned by
            another party is a ``start-session.own-tokens-only`` error (2.2 and later).
        evse_capabilities: the target EVSE's capabilities; with
            ``START_SESSION_CONNECTOR_REQUIRED`` a missing connector_id is an error (2.2.1 and
            later).
        max_bytes: documents larger than this are refused (``json.limits``).
        max_depth: documents nested deeper than this are refused (``json.limits``).

    Returns:
        A :class:`~ocpi_ref.Report`; ``report.conforms`` is false when a spec rule is broken
        (None when the document was too large or too deep to examine), ``report.accepted``
        also when this reference refuses the document for its own protection.
        Bad *data* never raises; a malformed *sender* or an unknown *version* does (they are
        the caller's arguments).
    """
    findings, _start, complete = _run(version, data, sender, evse_capabilities, max_bytes, max_depth)
    return _new_report((version, tuple(findings), complete))


def check_start_session_model(
    data: Any,
    *,
    version: str = DEFAULT_VERSION,
    sender: Any = None,
    evse_capabilities: Iterable[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> tuple[Report, BaseModel | None]:
    """:func:`~ocpi_ref.check_start_session`, and the StartSession model when the report is accepted.

    The checker builds the model anyway; a caller that goes on with it (the CPO deciding what
    to answer) takes it from here instead of parsing and validating the body a second time.
    The model is None whenever the report is not :attr:`~ocpi_ref.Report.accepted`:
    a document that does not conform, or one this reference refuses to process.
    """
    findings, start, complete = _run(version, data, sender, evse_capabilities, max_bytes, max_depth)
    report = _new_report((version, tuple(findings), complete))
    return report, start if report.accepted else None


def _run(
    version: str,
    data: Any,
    sender: Any,
    evse_capabilities: Iterable[str] | None,
    max_bytes: int,
    max_depth: int,
) -> tuple[list[Finding], BaseModel | None, bool]:
    plan = _plan(version)
    if sender is None and evse_capabilities is None:
        ctx = _NO_CONTEXT
    else:
        ctx = Context(
            sender=parse_parties(sender) if sender is not None else None,
            evse_capabilities=frozenset(evse_capabilities) if evse_capabilities is not None else None,
        )
    try:
        return _check(plan, data, ctx, max_bytes, max_depth)
    except Exception as exc:  # noqa: BLE001 - the checker promises to answer, whatever happens
        return [internal_error(exc)], None, False


def internal_error(exc: BaseException) -> Finding:
    """The finding of a checker that could not finish; its report is incomplete (``complete``
    False), so its conformance is unknown rather than claimed."""
    return Finding(
        INTERNAL_ERROR.id,
        Severity.ERROR,
        "",
        f"the checker could not finish ({type(exc).__name__}); this is a bug in ocpi-ref",
    )


_JSON_WHITESPACE = b" \t\r\n"


def _squeezed(data: bytes | str) -> bytes | None:
    """The JSON text as UTF-8 with every JSON whitespace byte deleted (None: not encodable).

    Between a name's closing quote and its colon there is only JSON whitespace, so here every
    name ends in `":` and ``count(b'":')`` is an upper bound of the member names: deleting
    whitespace inside strings can only add matches, never remove one.
    """
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return data.translate(None, _JSON_WHITESPACE)


def _members(plan: _Plan, start: BaseModel) -> int:
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


def _fast(plan: _Plan, data: bytes | str, ctx: Context) -> tuple[list[Finding] | None, BaseModel | None]:
    """One pass of pydantic-core over the text: ``(findings, model)`` when that decides.

    ``(None, model)``: the model accepts the payload but some member names are not its fields
    (unknown or repeated), which only the document shows; the full path then reads the document
    for them and keeps this model instead of validating again. ``(None, None)``: the model
    refuses it, and the full path finds every reason.
    """
    try:
        start = plan.validate_json(data)
    except ValidationError:
        return None, None
    squeezed = _squeezed(data)
    if squeezed is None or squeezed.count(b'":') != _members(plan, start):
        return None, start
    fields = start.__dict__  # pydantic keeps a model's field values in a plain dict
    doc = {**fields, "token": fields["token"].__dict__}
    findings: list[Finding] = []
    for check in plan.fast_payload:
        if found := check(doc, ctx):
            findings.extend(found)
    if ctx is not _NO_CONTEXT:
        for check in plan.context:
            findings.extend(check(doc, ctx))
    if plan.open_enums:
        findings.extend(open_enum_values(doc, plan.spec.start_session))
    return findings, start


def _check(
    plan: _Plan, data: Any, ctx: Context, max_bytes: int, max_depth: int
) -> tuple[list[Finding], BaseModel | None, bool]:
    # A model-valid document without unknown fields nests no deeper than _SOUND_DEPTH, so only a
    # depth limit below it could refuse what the fast path accepts.
    valid = None  # the model of a payload the fast pass validated, when it could not decide
    if isinstance(data, (bytes, str)) and len(data) <= max_bytes and max_depth >= _SOUND_DEPTH:
        found, valid = _fast(plan, data, ctx)
        if found is not None:
            return found, valid, True
    loaded = load(data, max_bytes=max_bytes, max_depth=max_depth)
    findings, complete = loaded.findings, loaded.complete
    if not loaded.usable:
        return findings, None, complete
    doc = loaded.value
    if not isinstance(doc, Mapping):
        findings.append(
            Finding(
                JSON_TYPE.id,
                Severity.ERROR,
                "",
                f"a StartSession is a JSON object, got {json_type_name(doc)}",
            )
        )
        return findings, None, complete
    model = plan.spec.start_session
    start = valid
    if start is None:  # validated once: the fast pass's model is kept when there is one
        try:
            start = model.model_validate(doc)
        except ValidationError as exc:
            findings.extend(findings_from_error(model, exc, skip=loaded.flagged))
    findings.extend(unknown_fields(doc, model, version=plan.spec.version))
    if plan.spec.open_enums:
        findings.extend(open_enum_values(doc, model))
    findings.extend(suspect_values(doc, model))
    for check in plan.payload:
        findings.extend(check(doc, ctx))
    if ctx is not _NO_CONTEXT:
        for check in plan.context:
            findings.extend(check(doc, ctx))
    return findings, start, complete
