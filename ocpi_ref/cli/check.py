"""``ocpi-ref check``: every finding of a StartSession payload, one line each, pointer first.

``--object`` checks another object of the exchange instead (``envelope``, ``command-response``,
``command-result``, ``token``, ``version-list``, ``version-details``; :mod:`ocpi_ref.objects`);
``--sender`` and ``--evse-capability`` apply to a StartSession only.

Exit codes follow the spec verdict (``conforms``): 0 the payload conforms, 1 it does not
(invalid JSON included), 3 unknown (too large or too deep for this reference to read), 2 the
command could not run (missing file, bad arguments), with one line on stderr. The reference
receiver's own refusals are printed (``refused``) but do not change the exit code. When the payload does not
conform to the version asked for, a last line says which other versions it conforms to,
checked with the same ``--sender`` and ``--evse-capability``; when it breaks a rule every
version shares, no version is suggested.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..batch import check_lines, summary
from ..checker import check_start_session
from ..flow.capabilities import capability_problem
from ..objects import OBJECTS, check_object, render
from ..report import Report
from ..rules.start_session import CONNECTOR_REQUIRED_BY_EVSE, CONNECTOR_REQUIRED_CAPABILITY, CONNECTOR_REQUIRES_EVSE
from ..rules.types import UNKNOWN
from ..specs import spec
from ..versions import DEFAULT_VERSION, VERSIONS
from .common import EXIT_FAILED, EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE, party, read_input

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``check`` on the subcommands *sub*."""
    check = sub.add_parser("check", help="check a StartSession payload and list every finding")
    check.add_argument("file", help="JSON file, or - for standard input")
    check.add_argument(
        "--sender",
        action="append",
        type=party,
        metavar="CC-PID",
        help="a role of the requesting party (repeatable); enables the ownership rule",
    )
    check.add_argument(
        "--evse-capability",
        action="append",
        metavar="CAPABILITY",
        help="a capability of the target EVSE (repeatable), e.g. START_SESSION_CONNECTOR_REQUIRED; one the "
        "version does not list exits 2 (2.3.0's list is open: there only a misspelling of a listed value does)",
    )
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one line per finding (default); json: {version, conforms, accepted, findings: [...]}",
    )
    check.add_argument(
        "--object",
        choices=tuple(OBJECTS),
        default="start-session",
        help="which object the payload is (default start-session); envelope, command-response, "
        "version-list and version-details are whole response bodies",
    )
    check.add_argument(
        "--version", choices=VERSIONS, default=DEFAULT_VERSION, help=f"OCPI version (default {DEFAULT_VERSION})"
    )
    check.add_argument(
        "--jsonl",
        action="store_true",
        help="FILE holds one document per line (JSON Lines): one JSON result per line, with its "
        "line number, in order, on every core; exit 0 every line conforms, 1 some line does not "
        "(a line that is not JSON included), 3 none fails but some is unknown (too long), 2 cannot run",
    )
    check.add_argument("--summary", action="store_true", help="with --jsonl: one JSON summary instead of a line per document")
    check.add_argument("--workers", type=int, default=None, help="with --jsonl: processes to use (default: every core)")
    check.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.jsonl:
        return run_jsonl(args)
    try:
        data = read_input(args.file)
    except OSError as exc:
        print(f"ocpi-ref check: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    context = {"sender": args.sender, "evse_capabilities": args.evse_capability}
    for capability in args.evse_capability or ():  # a typo would silently leave the rule off
        problem = capability_problem(capability, args.version)
        if problem:
            print(f"ocpi-ref check: --evse-capability: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if args.object != "start-session":
        if any(context.values()):
            print("ocpi-ref check: --sender and --evse-capability apply to --object start-session only", file=sys.stderr)
            return EXIT_USAGE
        report = check_object(args.object, data, version=args.version)
        print(report.to_json() if args.format == "json" else render(report, args.object))
        return {True: EXIT_OK, False: EXIT_FAILED}.get(report.conforms, EXIT_UNKNOWN)
    report = check_start_session(data, version=args.version, **context)
    if args.format == "json":
        print(report.to_json())
    else:
        print(report)
        if report.conforms is False:
            hint = _hint(data, args.version, context, report)
            if hint:
                print(hint)
    return {True: EXIT_OK, False: EXIT_FAILED}.get(report.conforms, EXIT_UNKNOWN)


def run_jsonl(args: argparse.Namespace) -> int:
    """``--jsonl``: every line checked as ``--object``, results streamed as JSON Lines."""
    if args.sender or args.evse_capability:
        print("ocpi-ref check: --sender and --evse-capability do not apply to --jsonl", file=sys.stderr)
        return EXIT_USAGE
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"ocpi-ref check: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    verdicts = {"failed": False, "unknown": False}

    def tally(results: Any) -> Any:
        for result in results:
            verdicts["failed"] |= result["conforms"] is False
            verdicts["unknown"] |= result["conforms"] is None
            yield result

    with stream:
        results = tally(check_lines(stream, kind=args.object, version=args.version, workers=args.workers))
        if args.summary:
            print(json.dumps(summary(results)))
        else:
            out = sys.stdout
            for result in results:
                out.write(json.dumps(result, ensure_ascii=True) + "\n")
    return EXIT_FAILED if verdicts["failed"] else EXIT_UNKNOWN if verdicts["unknown"] else EXIT_OK


def _hint(data: bytes, version: str, context: dict[str, Any], report: Report) -> str | None:
    """What to do about a payload that does not conform to *version*, if there is a plain answer.

    A connector_id without evse_uid is fixed by naming the EVSE, not by a version that lacks
    connector_id. Another version is named only when the payload conforms there with the same
    context and without losing a field *version* defines (there it would be an unknown field).
    """
    if CONNECTOR_REQUIRES_EVSE.id in report.rules:
        return f"hint: connector_id names a connector of one EVSE: add that EVSE's evse_uid [{CONNECTOR_REQUIRES_EVSE.id}]"
    if CONNECTOR_REQUIRED_BY_EVSE.id in report.rules:  # not a version without the capability
        return (f"hint: the EVSE has {CONNECTOR_REQUIRED_CAPABILITY}: add connector_id, the id of the connector "
                f"to start on [{CONNECTOR_REQUIRED_BY_EVSE.id}]")
    known = _field_pointers(version)
    others = []
    for other in VERSIONS:
        if other == version:
            continue
        there = check_start_session(data, version=other, **context)
        if there.conforms is True and not any(f.rule == UNKNOWN.id and f.pointer in known for f in there.findings):
            others.append(other)
    if not others:
        return None
    same = " with the same --sender and --evse-capability," if any(context.values()) else ""
    return f"hint:{same} this payload conforms to OCPI {', '.join(others)}; check with --version"


def _field_pointers(version: str) -> frozenset[str]:
    """The pointers of the StartSession and Token fields *version* defines."""
    models = spec(version)
    top = {f"/{name}" for name in models.start_session.model_fields}
    return frozenset(top | {f"/token/{name}" for name in models.token.model_fields})
