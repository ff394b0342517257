"""What every ``ocpi-ref`` subcommand shares: the parser class, exit codes, argument types."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..party import PartyId

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_UNKNOWN", "EXIT_USAGE", "Parser", "party", "port", "read_input", "seconds"]

#: 0: success (conforms, lossless, ACCEPTED); 1: it did not; 2: the command could not run;
#: 3 (``check`` only): conformance unknown, the document too large or deep for this reference.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Subcommands; without one, the usage and the list of commands (exit 2), not argparse's
        "the following arguments are required: emsp_command", which names a variable."""
        kwargs.setdefault("metavar", "COMMAND")
        kwargs["required"] = False
        action = super().add_subparsers(**kwargs)
        self.set_defaults(handler=self._no_command)
        return action

    def _no_command(self, args: argparse.Namespace) -> int:
        sys.stderr.write(self.format_help())
        return EXIT_USAGE


def party(text: str) -> PartyId:
    """A ``CC-PID`` role (argparse type)."""
    try:
        return PartyId.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def port(text: str) -> int:
    """A TCP port, 0 to 65535; 0 picks a free one (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: 0 to 65535 (0 picks a free one)")
    return value


def seconds(text: str) -> float:
    """A positive number of seconds (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def read_input(path: str) -> bytes:
    """The bytes of file *path*, or of standard input for ``-``."""
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()
