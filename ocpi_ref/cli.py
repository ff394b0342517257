"""The ``ocpi-ref`` command line: ``check`` a payload, print a ``schema``, ``convert`` between
versions, run the flow.

Exit codes of ``check`` follow the spec verdict (``conforms``): 0 the payload conforms, 1 it
does not (invalid JSON included), 3 unknown (too large or too deep for this reference to read),
2 the command could not run (missing file, bad arguments), with one line on stderr. The
reference receiver's own refusals are printed (``refused``) but do not change the exit code.
Exit codes of ``convert``: 0 converted without loss, 1 converted with losses (listed on stderr)
or not convertible, 2 the command could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .checker import check_start_session
from .convert import convert_start_session
from .party import PartyId
from .schema import start_session_schema
from .versions import DEFAULT_VERSION, VERSIONS

__all__ = ["main"]

EXIT_OK, EXIT_NONCONFORMING, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _party(text: str) -> PartyId:
    try:
        return PartyId.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ocpi-ref", description="The OCPI StartSession reference.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="check a StartSession payload and list every finding")
    check.add_argument("file", help="JSON file, or - for standard input")
    check.add_argument(
        "--sender",
        action="append",
        type=_party,
        metavar="CC-PID",
        help="a role of the requesting party (repeatable); enables the ownership rule",
    )
    check.add_argument(
        "--evse-capability",
        action="append",
        metavar="CAPABILITY",
        help="a capability of the target EVSE (repeatable), e.g. START_SESSION_CONNECTOR_REQUIRED",
    )
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--version", choices=VERSIONS, default=DEFAULT_VERSION, help="OCPI version")
    check.set_defaults(handler=_check)

    schema = sub.add_parser("schema", help="print the JSON Schema of an object")
    schema.add_argument("object", choices=("start-session",))
    schema.add_argument("--version", choices=VERSIONS, default=DEFAULT_VERSION, help="OCPI version")
    schema.set_defaults(handler=_schema)

    convert = sub.add_parser(
        "convert", help="convert a StartSession to another OCPI version, listing every loss"
    )
    convert.add_argument("file", help="JSON file, or - for standard input")
    convert.add_argument("--from", dest="source", choices=VERSIONS, required=True)
    convert.add_argument("--to", dest="target", choices=VERSIONS, required=True)
    convert.add_argument(
        "--owner",
        type=_party,
        metavar="CC-PID",
        help="the Token's owner; needed to convert a 2.1.1 StartSession to a later version",
    )
    convert.set_defaults(handler=_convert)

    try:
        from .v2_2_1.service.cli import add_commands
    except ImportError:  # the service extra is not installed
        pass
    else:
        add_commands(sub)
    return parser


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def _check(args: argparse.Namespace) -> int:
    try:
        data = _read(args.file)
    except OSError as exc:
        print(f"ocpi-ref check: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    report = check_start_session(
        data, version=args.version, sender=args.sender, evse_capabilities=args.evse_capability
    )
    if args.format == "json":
        print(report.to_json())
    else:
        print(report)
        if report.conforms is False:
            others = [v for v in VERSIONS if v != args.version and check_start_session(data, version=v).conforms]
            if others:
                print(f"hint: this payload conforms to OCPI {', '.join(others)}; check with --version")
    return {True: EXIT_OK, False: EXIT_NONCONFORMING}.get(report.conforms, EXIT_UNKNOWN)


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(start_session_schema(args.version), indent=2))
    return EXIT_OK


def _convert(args: argparse.Namespace) -> int:
    try:
        data = _read(args.file)
    except OSError as exc:
        print(f"ocpi-ref convert: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    done = convert_start_session(data, args.source, args.target, owner=args.owner)
    if done.document is not None:
        print(json.dumps(done.document, indent=2, ensure_ascii=False))
    if done.findings or not done.ok:
        print(done, file=sys.stderr)
    return EXIT_OK if done.lossless else EXIT_NONCONFORMING


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ocpi-ref`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to say
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
