"""``ocpi-ref audit``: judge the command exchanges of a recording (HAR, JSON Lines, mitmproxy flows).

Text by default (one line per exchange, its findings below with their basis), ``--format json``
(the schema of :mod:`ocpi_ref.audit.report`), ``--junit FILE`` as well, ``--timeline DIR`` an
HTML timeline per exchange. ``--config`` maps credentials tokens to roles (``[[partners]] token,
roles``), so the Token ownership rule can run where no OCPI-from headers name the sender.

Exit codes: 0 no finding is an error of a spec sentence binding the party at fault, 1 one is,
2 the audit cannot run (missing or unreadable file, bad configuration), with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..audit import InputError, Partners, audit_file, load_partners
from ..audit.timeline import write_timelines
from ..versions import VERSIONS
from .common import EXIT_USAGE

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``audit`` on the subcommands *sub*."""
    cmd = sub.add_parser("audit", help="audit the command exchanges of recorded OCPI traffic")
    cmd.add_argument("file", help="HAR 1.2 file, JSON Lines of HAR entries, or a mitmproxy flow file")
    cmd.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    cmd.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    cmd.add_argument("--timeline", metavar="DIR", help="also write an HTML timeline per exchange into DIR")
    cmd.add_argument("--config", metavar="TOML", help="[[partners]] token, roles: who holds which credentials")
    cmd.add_argument("--cpo-url", metavar="URL", help="the CPO's URL prefix (commands addressed elsewhere are not the CPO's)")
    cmd.add_argument("--emsp-url", metavar="URL", help="the eMSP's URL prefix")
    cmd.add_argument("--version", choices=VERSIONS, default=None,
                     help="OCPI version where a URL does not name one (default: from the paths, else 2.2.1)")
    cmd.set_defaults(handler=run)


def options(args: argparse.Namespace) -> dict[str, Any]:
    """The engine's settings from the arguments ``audit`` and ``proxy`` share."""
    partners = load_partners(args.config) if args.config else Partners()
    return {"partners": partners, "cpo_url": args.cpo_url, "emsp_url": args.emsp_url,
            "version": getattr(args, "version", None)}


def run(args: argparse.Namespace) -> int:
    try:
        report = audit_file(args.file, **options(args))
    except OSError as exc:
        print(f"ocpi-ref audit: cannot read {exc.filename or args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except (InputError, ValueError) as exc:
        print(f"ocpi-ref audit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(report.to_json() if args.format == "json" else report.text())
    try:
        if args.junit:
            Path(args.junit).write_text(report.junit(), encoding="utf-8")
        if args.timeline:
            write_timelines(report, Path(args.timeline))
    except OSError as exc:
        print(f"ocpi-ref audit: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    return report.exit_code
