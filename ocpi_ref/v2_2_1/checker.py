"""``check_start_session``: every finding for one StartSession document, never an exception.

The stages run in order, each on what the previous one could read:

1. the JSON layer (:func:`ocpi_ref.jsondoc.load`): encoding, syntax, duplicates, limits;
2. the model (:class:`StartSession`): field table and OCPI types, every error, not the first;
3. unknown fields, reported as information;
4. the clause's payload rules, then its context rules when context is given.

Rules in stage 4 run on the parsed JSON, so a StartSession with a bad Token still gets its
connector rule checked.

A fast path comes first: most payloads conform, so bytes or text go straight to
``StartSession.model_validate_json`` (parsed and validated in Rust). Its answer is kept only
when nothing could hide from it: the model is valid (so no NaN, no lone surrogate, no bad
UTF-8, no unknown type), no object has unknown fields, and an upper bound of the member names
in the text equals the number of members parsed (so no name appears twice). Any doubt sends
the payload down the full path above, which finds every problem.
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
from .models import MODEL_ENFORCED, VERSION, StartSession

__all__ = ["check_start_session"]

# Payload rules the model does not enforce itself; a valid model already satisfies the rest.
_NOT_MODEL_ENFORCED = tuple(check for rule, check in PAYLOAD_CHECKS if rule.id not in MODEL_ENFORCED)
_NO_CONTEXT = Context()


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
    if sender is None and evse_capabilities is None:
        ctx = _NO_CONTEXT
    else:
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


_JSON_WHITESPACE = b" \t\r\n"


def _member_names_at_most(data: bytes | str) -> int:
    """An upper bound of the member names in a JSON text; every name counts at least once.

    Between a name's closing quote and its colon there is only JSON whitespace, so with all
    whitespace deleted every name ends in `":`. Deleting whitespace inside strings can only
    add matches, never remove one, so the count never falls below the true number of names.
    Two C-speed passes, no parsing.
    """
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            return -1
    return data.translate(None, _JSON_WHITESPACE).count(b'":')


def _fast(data: bytes | str, ctx: Context) -> list[Finding] | None:
    """Findings for a payload the model accepts outright, or None to take the full path."""
    try:
        start = StartSession.model_validate_json(data)
    except ValidationError:
        return None
    token, contract = start.token, start.token.energy_contract
    if start.__pydantic_extra__ or token.__pydantic_extra__:
        return None
    members = len(start.__pydantic_fields_set__) + len(token.__pydantic_fields_set__)
    if contract is not None:
        if contract.__pydantic_extra__:
            return None
        members += len(contract.__pydantic_fields_set__)
    if _member_names_at_most(data) != members:
        return None
    doc = {
        "connector_id": start.connector_id,
        "evse_uid": start.evse_uid,
        "token": token.__dict__,  # pydantic keeps a model's field values in a plain dict
    }
    findings: list[Finding] = []
    for check in _NOT_MODEL_ENFORCED:
        findings.extend(check(doc, ctx))
    if ctx.sender is not None or ctx.evse_capabilities is not None:
        for _rule, check in CONTEXT_CHECKS:
            findings.extend(check(doc, ctx))
    return findings


def _check(data: Any, ctx: Context, max_bytes: int, max_depth: int) -> list[Finding]:
    if isinstance(data, (bytes, str)) and len(data) <= max_bytes:
        fast = _fast(data, ctx)
        if fast is not None:
            return fast
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
        StartSession.model_validate(doc)
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
