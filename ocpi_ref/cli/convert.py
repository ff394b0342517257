"""``ocpi-ref convert``: a StartSession in another version, every loss listed.

Exit codes: 0 converted without loss, 1 converted with losses (listed on stderr) or not
convertible, 2 the command could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..convert import convert_start_session
from ..report import Report
from ..versions import VERSIONS
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, party, read_input

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``convert`` on the subcommands *sub*."""
    convert = sub.add_parser(
        "convert", help="convert a StartSession to another OCPI version, listing every loss"
    )
    convert.add_argument("file", help="JSON file, or - for standard input")
    convert.add_argument("--from", dest="source", choices=VERSIONS, required=True, help="its OCPI version")
    convert.add_argument("--to", dest="target", choices=VERSIONS, required=True, help="the OCPI version wanted")
    convert.add_argument(
        "--owner",
        type=party,
        metavar="CC-PID",
        help="the Token's owner (the party whose credentials sent it); needed to convert a 2.1.1 StartSession to a later version",
    )
    convert.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        data = read_input(args.file)
    except OSError as exc:
        print(f"ocpi-ref convert: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    done = convert_start_session(data, args.source, args.target, owner=args.owner)
    if done.document is not None:
        print(json.dumps(done.document, indent=2, ensure_ascii=False))
    if done.findings or not done.ok:
        print(_text(done), file=sys.stderr)
    return EXIT_OK if done.lossless else EXIT_FAILED


def _text(done: Any) -> str:
    """The conversion in words, each finding labelled as ``check`` labels it (a size or depth
    limit of this reference is ``refused``, not ``error``); :meth:`Report.line` escapes a lone
    surrogate in a pointer (a member name made of one), as ``check`` does."""
    labels = Report(done.source)
    return "\n".join([str(done).partition("\n")[0], *(f"  {labels.line(f)}" for f in done.findings)])
