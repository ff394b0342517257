"""Recorded HTTP traffic as :class:`Record` objects: HAR 1.2, HAR entries as JSON Lines, mitmproxy flows.

Every reader is a generator, so a JSON Lines log is read one line at a time and memory stays
bounded by what the engine keeps open, not by the file. A HAR file is one JSON document and is
parsed whole (that is what browsers, Charles, Fiddler and gateways export; large logs are JSON
Lines). A record's ``index`` is its place in the input: the ``log.entries`` index of a HAR, the
0-based line number of a JSON Lines log, the flow's position in a mitmproxy file.
"""

from __future__ import annotations

import base64
import heapq
import binascii
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

try:  # the parse floor the benchmark measures against; the standard library otherwise
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson comes with the proxy extra
    _loads = json.loads

__all__ = ["InputError", "Record", "from_har_entry", "read_har", "read_jsonl", "read_records", "to_har", "to_har_entry"]


class InputError(ValueError):
    """The input is not a recording this module can read (the audit cannot run: exit 2)."""


@dataclass(slots=True)
class Record:
    """One HTTP request and its response, as recorded. Header names are lower case."""

    index: int
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int | None
    response_headers: dict[str, str]
    response_body: bytes | None
    started: datetime
    ended: datetime | None = None
    _split: Any = field(default=None, repr=False, compare=False)

    def _parts(self) -> Any:
        if self._split is None or self._split[0] != self.url:  # the URL may be changed after
            self._split = (self.url, urlsplit(self.url))
        return self._split[1]

    @property
    def path(self) -> str:
        return self._parts().path

    @property
    def query(self) -> str:
        return self._parts().query


def _headers(items: Any) -> dict[str, str]:
    """HAR's ``[{"name", "value"}]`` as a dict; a repeated header keeps its first value."""
    out: dict[str, str] = {}
    for item in items or ():
        try:
            name = item["name"].lower()
        except (TypeError, KeyError, AttributeError):
            continue  # not a {"name", "value"} pair
        if name not in out:
            out[name] = str(item.get("value", ""))
    return out


def _body(text: Any, encoding: Any = None) -> bytes | None:
    if not isinstance(text, str):
        return None
    if encoding == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return text.encode("utf-8", "surrogatepass")
    return text.encode("utf-8", "surrogatepass")


def _when(text: Any, label: str) -> datetime:
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{label}: startedDateTime {text!r} is not an ISO 8601 date and time") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def from_har_entry(entry: Any, index: int, label: str | None = None) -> Record:
    """One HAR 1.2 entry (``log.entries[i]``) as a :class:`Record`; *label* names it in errors."""
    label = label or f"entry {index}"
    if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict):
        raise InputError(f"{label}: not a HAR entry (no request object)")
    req, resp = entry["request"], entry.get("response") or {}
    started = _when(entry.get("startedDateTime"), label)
    took = entry.get("time")
    ended = started + timedelta(milliseconds=took) if isinstance(took, int | float) and took >= 0 else None
    content = resp.get("content") or {}
    status = resp.get("status")
    return Record(
        index=index,
        method=str(req.get("method", "")).upper(),
        url=str(req.get("url", "")),
        request_headers=_headers(req.get("headers")),
        request_body=_body((req.get("postData") or {}).get("text")),
        status=status if isinstance(status, int) and status > 0 else None,
        response_headers=_headers(resp.get("headers")),
        response_body=_body(content.get("text"), content.get("encoding")),
        started=started,
        ended=ended,
    )


def read_har(data: bytes) -> Iterator[Record]:
    """The records of a HAR 1.2 document."""
    try:
        doc = _loads(data)
    except ValueError as exc:
        raise InputError(f"not a HAR file: {exc}") from None
    entries = doc.get("log", {}).get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError("not a HAR file: no log.entries list")
    for i, entry in enumerate(entries):
        yield from_har_entry(entry, i)


def read_jsonl(lines: Iterable[bytes], keep: Callable[[bytes], bool] | None = None) -> Iterator[Record]:
    """The records of a JSON Lines log of HAR entries, one line at a time (blank lines count).

    With *keep*, only the lines it keeps are parsed (a partition of the log); every record
    still has its line number in the whole log."""
    for i, line in enumerate(lines):
        if not line.strip() or (keep is not None and not keep(line)):
            continue
        try:
            entry = _loads(line)
        except ValueError as exc:
            raise InputError(f"line {i + 1}: not JSON: {exc}") from None
        yield from_har_entry(entry, i, f"line {i + 1}")


def read_flows(stream: IO[bytes]) -> Iterator[Record]:
    """The HTTP flows of a mitmproxy flow file (needs the ``proxy`` extra)."""
    try:
        from mitmproxy import http, io
        from mitmproxy.exceptions import FlowReadException
    except ImportError:  # pragma: no cover - without the extra
        raise InputError("reading mitmproxy flow files needs mitmproxy: pip install 'ocpi-ref[proxy]'") from None
    from .flows import record_of_flow

    try:
        for i, flow in enumerate(io.FlowReader(stream).stream()):
            if isinstance(flow, http.HTTPFlow):
                yield record_of_flow(flow, i)
    except FlowReadException as exc:
        raise InputError(f"not a mitmproxy flow file: {exc}") from None


def read_records(path: str | Path) -> Iterator[Record]:
    """The records of the file at *path*, its format told by its first bytes.

    JSON Lines when the first line is a whole JSON object with a ``request``; HAR when the file
    starts with ``{``; a mitmproxy flow file otherwise.
    """
    with open(path, "rb") as fh:
        head = fh.readline()
        if not head:
            raise InputError(f"{path}: the file is empty")
        if head.lstrip().startswith(b"{"):
            if _is_entry(head):
                yield from read_jsonl(_chain(head, fh))
                return
            yield from read_har(head + fh.read())
            return
        fh.seek(0)
        yield from read_flows(fh)


def _is_entry(line: bytes) -> bool:
    try:
        doc = _loads(line)
    except ValueError:
        return False
    return isinstance(doc, dict) and "request" in doc


def _chain(first: bytes, rest: Iterable[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _har_headers(headers: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in headers.items()]


def _har_text(body: bytes | None) -> dict[str, Any]:
    if body is None:
        return {"size": 0, "mimeType": "application/json"}
    try:
        return {"size": len(body), "mimeType": "application/json", "text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"size": len(body), "mimeType": "application/json", "encoding": "base64",
                "text": base64.b64encode(body).decode("ascii")}


def to_har_entry(record: Record) -> dict[str, Any]:
    """A HAR 1.2 entry of *record* (what :func:`from_har_entry` reads back unchanged)."""
    took = (record.ended - record.started).total_seconds() * 1000 if record.ended else 0
    request: dict[str, Any] = {
        "method": record.method, "url": record.url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _har_headers(record.request_headers), "queryString": [], "headersSize": -1,
        "bodySize": len(record.request_body or b""),
    }
    if record.request_body is not None:
        request["postData"] = {k: v for k, v in _har_text(record.request_body).items() if k != "size"}
    return {
        "startedDateTime": record.started.isoformat().replace("+00:00", "Z"),
        "time": took,
        "request": request,
        "response": {
            "status": record.status or 0, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
            "headers": _har_headers(record.response_headers), "content": _har_text(record.response_body),
            "redirectURL": "", "headersSize": -1, "bodySize": len(record.response_body or b""),
        },
        "cache": {},
        "timings": {"send": 0, "wait": took, "receive": 0},
    }


def to_har(records: Iterable[Record], creator: str = "ocpi-ref") -> dict[str, Any]:
    """A HAR 1.2 document holding *records* in order."""
    return {"log": {"version": "1.2", "creator": {"name": creator, "version": "1"},
                    "entries": [to_har_entry(r) for r in records]}}


#: How far out of start order a recording may be (mitmproxy writes a HAR in response order).
SLACK = timedelta(seconds=120)


def in_start_order(records: Iterable[Record], slack: timedelta = SLACK) -> Iterator[Record]:
    """*records* sorted by start time, as long as none comes more than *slack* late.

    A bounded heap: memory holds only the records of the last *slack*, so a large log stays
    streamed. Equal start times keep their input order.
    """
    heap: list[tuple[datetime, int, Record]] = []
    latest: datetime | None = None
    for rec in records:
        heapq.heappush(heap, (rec.started, rec.index, rec))
        latest = rec.started if latest is None or rec.started > latest else latest
        while heap and heap[0][0] < latest - slack:
            yield heapq.heappop(heap)[2]
    while heap:
        yield heapq.heappop(heap)[2]
