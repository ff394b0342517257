"""The ``ocpi-ref`` command line, one module per subcommand.

* ``check`` (:mod:`.check`): every finding of a StartSession payload;
* ``schema`` (:mod:`.schema`): the JSON Schema of the object in a version;
* ``convert`` (:mod:`.convert`): a StartSession in another version, every loss listed;
* ``cpo`` (:mod:`.cpo`) and ``emsp`` (:mod:`.emsp`): the reference CPO and eMSP over HTTP,
  present when the ``server`` extra is installed; ``conformance`` (:mod:`.conformance`) tests a
  CPO against the clause over HTTP.
* ``audit`` (:mod:`.audit`): the command exchanges of recorded traffic, judged across messages;
  ``proxy`` (:mod:`.proxy`) the same live, through mitmproxy (the ``proxy`` extra).

Exit codes: 0 success, 1 the payload or exchange failed, 2 the command could not run.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from . import audit, check, convert, proxy, schema
from .common import EXIT_OK, Parser

__all__ = ["build_parser", "main"]


def _version() -> str:
    try:
        return version("ocpi-ref")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> Parser:
    """The ``ocpi-ref`` parser with every subcommand this installation can run."""
    parser = Parser(
        prog="ocpi-ref",
        description="The executable reference for OCPI's StartSession (2.1.1, 2.2, 2.2.1, 2.3.0).",
    )
    parser.add_argument("--version", action="version", version=f"ocpi-ref {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in (check, schema, convert, audit, proxy):
        module.add(sub)
    try:  # the HTTP roles need the server extra only when they run; their parsers need nothing
        from . import cpo, emsp
    except ImportError:  # pragma: no cover - a broken installation
        pass
    else:
        cpo.add(sub)
        emsp.add(sub)
        from . import conformance; conformance.add(sub)  # noqa: E702 - ocpi-ref conformance
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ocpi-ref`` command."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character gets an escape
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to say
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
