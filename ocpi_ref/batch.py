"""Batch checking: one JSON document per line, one result per line, on every core.

:func:`check_record` checks one record (bytes or text, any object kind of
:data:`ocpi_ref.objects.OBJECTS`) and returns its result as a plain dict: the function a
traffic audit calls per message. :func:`check_lines` runs it over a stream of lines, in order,
streaming, with bounded memory: lines are read with a length limit (a longer line is a result,
never held whole), grouped in chunks, and with more than one worker the chunks go to a process
pool with at most two chunks per worker in flight, so the reader never runs far ahead of the
writer. ``ocpi-ref check --jsonl FILE`` is its command line.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .findings import Finding, Severity
from .jsondoc import DEFAULT_MAX_BYTES
from .objects import OBJECTS, check_object
from .report import Report
from .rules.json import LIMITS
from .versions import DEFAULT_VERSION

__all__ = ["CHUNK", "check_lines", "check_record", "read_lines", "summary"]

#: Lines per task sent to a worker process.
CHUNK = 500


def _result(report: Report, line: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {} if line is None else {"line": line}
    out.update(report.to_dict())
    return out


def check_record(data: bytes | str, *, kind: str = "start-session", version: str = DEFAULT_VERSION,
                 line: int | None = None) -> dict[str, Any]:
    """The result of one record: ``{"line"?, "version", "conforms", "accepted", "findings"}``.

    Never raises on any *data* (a line that is not JSON is a ``json.syntax`` finding); an
    unknown *kind* or *version* raises (they are the caller's arguments).
    """
    if kind not in OBJECTS:
        raise ValueError(f"unknown object kind {kind!r}")
    return _result(check_object(kind, data, version=version), line)


def _too_long(version: str, line: int, size: int) -> dict[str, Any]:
    finding = Finding(LIMITS.id, Severity.ERROR, "", f"the line is over {size} bytes, not read: this reference refuses it to protect itself; the spec has no limit")
    return _result(Report(version, (finding,), False), line)


#: A line too long to read: its number and nothing else.
_TOO_LONG = object()


def read_lines(stream: IO[bytes], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[int, Any]]:
    """``(line number, bytes)`` for each non-empty line; a line over *max_bytes* gives
    ``(number, _TOO_LONG)`` and is skipped without being held in memory."""
    number = 0
    while True:
        chunk = stream.readline(max_bytes + 2)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_bytes + 1 or (len(chunk) == max_bytes + 2 and not chunk.endswith(b"\n")):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the line
                chunk = stream.readline(65536)
            yield number, _TOO_LONG
            continue
        body = chunk.rstrip(b"\r\n")
        if body.strip():
            yield number, body


def _check_chunk(task: tuple[str, str, int, list[tuple[int, Any]]]) -> list[dict[str, Any]]:
    kind, version, max_bytes, lines = task
    return [
        _too_long(version, n, max_bytes) if body is _TOO_LONG else check_record(body, kind=kind, version=version, line=n)
        for n, body in lines
    ]


def _chunks(lines: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    for item in lines:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_lines(stream: IO[bytes], *, kind: str = "start-session", version: str = DEFAULT_VERSION,
                workers: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                chunk: int = CHUNK) -> Iterator[dict[str, Any]]:
    """Results for every line of *stream*, in order; *workers* processes (default: every core)."""
    if kind not in OBJECTS:
        raise ValueError(f"unknown object kind {kind!r}")
    workers = workers or os.cpu_count() or 1
    tasks = ((kind, version, max_bytes, c) for c in _chunks(read_lines(stream, max_bytes), chunk))
    if workers == 1:
        for task in tasks:
            yield from _check_chunk(task)
        return
    # Not "fork": a child forked from a process with threads or signal handlers (a server, a
    # test runner) can hang, and Pool's terminate then waits on it for ever.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(workers) as pool:
        pending: deque[Any] = deque()
        for task in tasks:
            pending.append(pool.apply_async(_check_chunk, (task,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
        pool.join()


def summary(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Counts of a batch: lines, conforming, not conforming, unknown, refused, by rule."""
    out: dict[str, Any] = {"lines": 0, "conforms": 0, "does_not_conform": 0, "unknown": 0, "refused": 0, "rules": {}}
    for result in results:
        out["lines"] += 1
        key = {True: "conforms", False: "does_not_conform"}.get(result["conforms"], "unknown")
        out[key] += 1
        out["refused"] += not result["accepted"]
        for finding in result["findings"]:
            if finding["severity"] == "error":
                out["rules"][finding["rule"]] = out["rules"].get(finding["rule"], 0) + 1
    return out

