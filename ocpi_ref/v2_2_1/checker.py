"""``check_start_session``: every finding for one StartSession document, never an exception.

The stages run in order, each on what the previous one could read:

1. the JSON layer (:func:`ocpi_ref.jsondoc.load`): encoding, syntax, duplicates, limits;
2. the model (:class:`StartSession`): field table and OCPI types, every error, not the first;
3. unknown fields, reported as information;
4. the clause's payload rules, then its context rules when context is given.

Rules in stage 4 run on the parsed JSON, so a StartSession with a bad Token still gets its
connector rule checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import findings_from_error
from ..findings import Finding, Report, Severity, pointer
from ..jsondoc import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, json_type_name, load
from ..party import parse_parties
from ..rules.checker import INTERNAL_ERROR
from ..rules.start_session import CONTEXT_CHECKS, PAYLOAD_CHECKS, Context
from ..rules.types import JSON_TYPE, UNKNOWN
from ..shape import fields_of
from .models import SKIP_RULES, VERSION, StartSession

__all__ = ["check_start_session"]

_SKIP = {SKIP_RULES: True}


def check_start_session(
    data: Any,
    *,
    sender: Any = None,
    evse_capabilities: Iterable[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Report:
    """Check a StartSession (OCPI 2.2.1 §13.3.5) and report *all* findings.

    Args:
        data: the document as bytes, text, or an already parsed JSON value.
        sender: the requesting party's role or roles (``"NL-TNM"``, ``("NL", "TNM")``, a
            :class:`~ocpi_ref.PartyId`, or a list of them). When given, a Token owned by
            another party is a ``start-session.own-tokens-only`` error.
        evse_capabilities: the target EVSE's capabilities; with
            ``START_SESSION_CONNECTOR_REQUIRED`` a missing connector_id is an error.
        max_bytes: documents larger than this are refused (``json.limits``).
        max_depth: documents nested deeper than this are refused (``json.limits``).

    Returns:
        A :class:`~ocpi_ref.Report`; ``report.conforms`` is false when any finding is an error.
        Bad *data* never raises; a malformed *sender* does (it is the caller's argument).
    """
    ctx = Context(
        sender=parse_parties(sender) if sender is not None else None,
        evse_capabilities=frozenset(evse_capabilities) if evse_capabilities is not None else None,
    )
    try:
        findings = _check(data, ctx, max_bytes, max_depth)
    except (RecursionError, MemoryError) as exc:
        findings = [_internal(exc)]
    except Exception as exc:  # noqa: BLE001 - the checker promises to answer, whatever happens
        findings = [_internal(exc)]
    return Report(VERSION, tuple(findings))


def _internal(exc: BaseException) -> Finding:
    return Finding(
        INTERNAL_ERROR.id,
        Severity.ERROR,
        "",
        f"the checker could not finish ({type(exc).__name__}); this is a bug in ocpi-ref",
    )


def _check(data: Any, ctx: Context, max_bytes: int, max_depth: int) -> list[Finding]:
    loaded = load(data, max_bytes=max_bytes, max_depth=max_depth)
    findings = loaded.findings
    if not loaded.usable:
        return findings
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
        return findings
    try:
        StartSession.model_validate(doc, context=_SKIP)
    except ValidationError as exc:
        findings.extend(findings_from_error(StartSession, exc, skip=loaded.flagged))
    findings.extend(unknown_fields(doc, StartSession))
    for _rule, check in PAYLOAD_CHECKS:
        findings.extend(check(doc, ctx))
    if ctx.sender is not None or ctx.evse_capabilities is not None:
        for _rule, check in CONTEXT_CHECKS:
            findings.extend(check(doc, ctx))
    return findings


def unknown_fields(doc: Mapping[str, Any], model: type[BaseModel], where: str = "") -> Iterator[Finding]:
    """``field.unknown`` information for every member the spec does not define."""
    shapes = fields_of(model)
    for key in doc.keys() - shapes.keys():
        yield Finding(
            UNKNOWN.id,
            Severity.INFO,
            where + pointer(key),
            f"{key} is not a field of {model.__name__} in OCPI {VERSION}; kept as received",
        )
    for name, shape in shapes.items():
        if shape.model is None:
            continue
        value = doc.get(name)
        if isinstance(value, Mapping) and not shape.is_list:
            yield from unknown_fields(value, shape.model, where + pointer(name))
        elif isinstance(value, list) and shape.is_list:
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from unknown_fields(item, shape.model, f"{where}{pointer(name)}/{i}")
