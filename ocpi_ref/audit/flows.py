"""mitmproxy HTTP flows as :class:`~ocpi_ref.audit.records.Record` objects (the ``proxy`` extra).

The URL is the one the client asked for (``pretty_url``: in reverse mode, the listener's own
address and the path), so ``--cpo-url`` and ``--emsp-url`` prefixes and response_urls match
what the parties themselves wrote.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .records import Record

__all__ = ["record_of_flow"]


def _headers(headers: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items(multi=True):
        out.setdefault(name.lower(), value)
    return out


def _when(stamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(stamp, timezone.utc) if stamp else None


def record_of_flow(flow: Any, index: int) -> Record:
    """One ``mitmproxy.http.HTTPFlow`` as a record numbered *index*."""
    req, resp = flow.request, flow.response
    body = req.get_content(strict=False)
    return Record(
        index=index,
        method=req.method.upper(),
        url=req.pretty_url,
        request_headers=_headers(req.headers),
        request_body=body if body or req.method.upper() in ("POST", "PUT", "PATCH") else None,
        status=resp.status_code if resp is not None else None,
        response_headers=_headers(resp.headers) if resp is not None else {},
        response_body=resp.get_content(strict=False) if resp is not None else None,
        started=_when(req.timestamp_start) or datetime.now(timezone.utc),
        ended=_when(resp.timestamp_end) if resp is not None else None,
    )
