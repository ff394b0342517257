"""The audit of a large JSON Lines log on every core: one process per partition of the log.

Exchanges never span two partners' credentials (the eMSP's commands carry its token, the CPO's
callbacks the token it holds for that eMSP), so the log is partitioned by partner: each worker
reads every line, but parses and audits only the lines whose ``Authorization`` token belongs to
its partners (found by a byte search, without parsing). Each worker keeps the line numbers of
the whole log, so the merged report names the same entries a single process would. Records
without credentials go to the first worker.
"""

from __future__ import annotations

import multiprocessing
import re
import zlib
from pathlib import Path
from typing import Any

from .parties import Partners, _strip
from .records import read_jsonl
from .report import audit

__all__ = ["audit_parallel"]

_AUTHORIZATION = re.compile(rb'"authorization",\s*"value":\s*"([^"]*)"', re.IGNORECASE)


def _partition(line: bytes, partners: Partners, workers: int) -> int:
    found = _AUTHORIZATION.search(line)
    if found is None:
        return 0
    token = _strip(found.group(1).decode("latin-1"))
    group = partners.groups.get(token)
    return (group if group is not None else zlib.crc32(token.encode())) % workers


def _worker(args: tuple[str, Partners, int, int, dict[str, Any]]) -> dict[str, Any]:
    path, partners, worker, workers, engine_kw = args
    with open(path, "rb") as fh:
        records = read_jsonl(fh, keep=lambda line: _partition(line, partners, workers) == worker)
        report = audit(records, partners=partners, **engine_kw)
    return {"exchanges": [ex.to_dict() for ex in report.exchanges], "unmatched": [u.to_dict() for u in report.unmatched],
            "conforms": report.conforms, "exit_code": report.exit_code}


def audit_parallel(path: str | Path, *, partners: Partners, workers: int | None = None, **engine_kw: Any) -> dict[str, Any]:
    """The JSON report of the log at *path*, audited by *workers* processes (default: every core).

    Exchange ids are given again in the order of their first entry; ``exit_code`` is the
    worst of the workers'.
    """
    workers = workers or multiprocessing.cpu_count()
    jobs = [(str(path), partners, w, workers, engine_kw) for w in range(workers)]
    if workers == 1:
        parts = [_worker(jobs[0])]
    else:
        # Not "fork": a child forked from a process with threads or signal handlers (a server, a
        # test runner) can hang, and Pool's terminate then waits on it for ever.
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        with multiprocessing.get_context(method).Pool(workers) as pool:
            parts = pool.map(_worker, jobs)
            pool.close()
            pool.join()
    exchanges = sorted((ex for p in parts for ex in p["exchanges"]), key=lambda ex: ex["entries"][0])
    for n, ex in enumerate(exchanges, 1):
        ex["id"] = f"x{n}"
    unmatched = sorted((u for p in parts for u in p["unmatched"]), key=lambda u: u["entry"])
    return {"conforms": all(p["conforms"] for p in parts), "exchanges": exchanges, "unmatched": unmatched,
            "exit_code": max(p["exit_code"] for p in parts)}
