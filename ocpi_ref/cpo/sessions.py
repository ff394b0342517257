"""The Sessions and CDRs modules, sender side (OCPI 2.2.1): paginated GETs of the caller's own.

``date_from`` is required for Sessions (OCPI 2.2.1 §9.2.1.1) and optional for CDRs; a page
holds at most :data:`MAX_PAGE` objects, announced in ``X-Limit``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..flow.sessions import SessionStore
from ..types import DATETIME_PATTERN, DateTime
from .replies import INVALID, Caller, Reply

__all__ = ["MAX_PAGE", "list_cdrs", "list_sessions"]

#: Largest page a Sessions or CDRs GET returns (the X-Limit header).
MAX_PAGE = 100

_DATETIME = re.compile(DATETIME_PATTERN)
#: ASCII digits only (``str.isdigit`` also takes ``²`` and other digits ``int`` refuses).
_DIGITS = re.compile(r"[0-9]+")
#: Digits beyond these make no difference to a page (and ``int`` refuses over 4,300 of them).
_MAX_DIGITS = 18


def list_sessions(store: SessionStore, caller: Caller, query: Mapping[str, str]) -> Reply:
    """Sessions sender GET."""
    parsed = _paging(query, date_from_required=True)
    if isinstance(parsed, Reply):
        return parsed
    page = store.page_sessions(caller.roles, **parsed)
    return Reply(data=list(page.items), page=page)


def list_cdrs(store: SessionStore, caller: Caller, query: Mapping[str, str]) -> Reply:
    """CDRs sender GET (every parameter optional)."""
    parsed = _paging(query, date_from_required=False)
    if isinstance(parsed, Reply):
        return parsed
    page = store.page_cdrs(caller.roles, **parsed)
    return Reply(data=list(page.items), page=page)


def _paging(query: Mapping[str, str], *, date_from_required: bool) -> dict[str, Any] | Reply:
    out: dict[str, Any] = {}
    for name in ("date_from", "date_to"):
        raw = query.get(name)
        if raw is None:
            if name == "date_from" and date_from_required:
                return Reply(200, INVALID, message="query parameter date_from: missing (OCPI DateTime, required)")
            out[name] = None
            continue
        try:
            if not _DATETIME.match(raw):
                raise ValueError
            out[name] = DateTime(raw).to_datetime()
        except ValueError:
            return Reply(200, INVALID, message=f"query parameter {name}: {raw[:40]!r} is not an OCPI DateTime")
    for name, default in (("offset", 0), ("limit", MAX_PAGE)):
        raw = query.get(name)
        if raw is None:
            out[name] = default
            continue
        if _DIGITS.fullmatch(raw) is None:
            return Reply(200, INVALID, message=f"query parameter {name}: {raw[:40]!r} is not a non-negative int")
        digits = raw.lstrip("0") or "0"
        out[name] = int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS
    out["limit"] = min(out["limit"], MAX_PAGE)
    return out
