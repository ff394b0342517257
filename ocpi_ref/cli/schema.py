"""``ocpi-ref schema``: the JSON Schema (2020-12) of an object in one version."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..schema import start_session_schema
from ..versions import DEFAULT_VERSION, VERSIONS
from .common import EXIT_OK

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``schema`` on the subcommands *sub*."""
    schema = sub.add_parser("schema", help="print the JSON Schema of an object")
    schema.add_argument("object", choices=("start-session",))
    schema.add_argument(
        "--version", choices=VERSIONS, default=DEFAULT_VERSION, help=f"OCPI version (default {DEFAULT_VERSION})"
    )
    schema.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(start_session_schema(args.version), indent=2))
    return EXIT_OK
