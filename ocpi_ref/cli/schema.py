"""``ocpi-ref schema``: the JSON Schema (2020-12) of an object in one version.

Every object the package models: the StartSession, its Token, the CommandResponse, the
CommandResult, the CdrToken of Sessions and CDRs, and the response envelope. 2.1.1 has no
CommandResult (its asynchronous answer is a CommandResponse) and no CdrToken: asking for one
exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..schema import SCHEMA_OBJECTS, object_schema
from ..versions import DEFAULT_VERSION, VERSIONS
from .common import EXIT_OK, EXIT_USAGE

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``schema`` on the subcommands *sub*."""
    schema = sub.add_parser("schema", help="print the JSON Schema of an object")
    schema.add_argument("object", choices=tuple(SCHEMA_OBJECTS), help=", ".join(
        f"{kind}: {name}, {what}" for kind, (name, what) in SCHEMA_OBJECTS.items()))
    schema.add_argument(
        "--version", choices=VERSIONS, default=DEFAULT_VERSION, help=f"OCPI version (default {DEFAULT_VERSION})"
    )
    schema.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        schema = object_schema(args.object, args.version)
    except ValueError as exc:
        print(f"ocpi-ref schema: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_OK
