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

A fast pass comes first (:mod:`ocpi_ref.fastpath`): pydantic-core validates the text, and its
answer is kept when it decides alone, a conforming payload or a refused one that is plain JSON.
Any doubt sends the payload down the full path above, which finds every problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import findings_from_error
from .fastpath import NO_CONTEXT, Plan, fast_check, plan as _plan, rules_on
from .findings import Finding, Severity
from .jsondoc import _SOUND_DEPTH, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, json_type_name, load
from .members import open_enum_values, suspect_values, unknown_fields
from .party import parse_parties
from .report import MAX_FINDINGS, Report
from .rules.checker import INTERNAL_ERROR
from .rules.start_session import Context
from .rules.types import JSON_TYPE
from .versions import DEFAULT_VERSION

__all__ = ["check_start_session", "check_start_session_model", "internal_error", "suspect_values", "unknown_fields"]


def _new_report(fields: tuple[str, tuple[Finding, ...], bool]) -> Report:
    """``Report(version, findings, complete)`` without the named tuple's Python-level __new__;
    past :data:`~ocpi_ref.report.MAX_FINDINGS` findings, :meth:`Report.capped`."""
    if len(fields[1]) > MAX_FINDINGS:
        return Report.capped(*fields)
    return tuple.__new__(Report, (*fields, 0))


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
        ctx = NO_CONTEXT
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


def _check(
    plan: Plan, data: Any, ctx: Context, max_bytes: int, max_depth: int
) -> tuple[list[Finding], BaseModel | None, bool]:
    # A model-valid document without unknown fields nests no deeper than _SOUND_DEPTH, so only a
    # depth limit below it could refuse what the fast path accepts.
    valid = None  # the model of a payload the fast pass validated, when it could not decide
    if isinstance(data, (bytes, str)) and len(data) <= max_bytes and max_depth >= _SOUND_DEPTH:
        found, valid = fast_check(plan, data, ctx, max_depth)
        if found is not None:
            return found, valid, True
    return _full(plan, data, ctx, max_bytes, max_depth, valid)


def _full(
    plan: Plan, data: Any, ctx: Context, max_bytes: int, max_depth: int, valid: BaseModel | None = None
) -> tuple[list[Finding], BaseModel | None, bool]:
    """The full path: read the document, validate it (unless *valid* is the fast pass's model
    of it), walk it for unknown members and suspect values, run the rules."""
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
    return rules_on(plan, doc, ctx, findings), start, complete
