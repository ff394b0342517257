"""``ocpi-ref conformance cpo``: the reference eMSP drives a CPO under test through the scenarios.

A thin front on the pytest plugin (:mod:`ocpi_ref.conformance.plugin`): it runs pytest on the
conformance items only, with ``--junitxml`` when ``--junit FILE`` is given, and prints the
readable report: one line per scenario, the evidence of each failure and warning below it,
and a summary line. ``--list`` names every scenario, whether it writes, and its rule ids.

Exit codes: 0 no scenario failed (warnings and skips allowed), 1 at least one failed, 2 the
command could not run: bad arguments, or what the tester gave does not fit the CPO (unreachable,
credentials refused at the start, a version it does not offer, a role it does not take), with a
one-line reason and the likely fix on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Any

from ..versions import VERSIONS
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, port, seconds

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``conformance`` (with its ``cpo``) on the subcommands *sub*."""
    conformance = sub.add_parser("conformance", help="test a CPO against the StartSession clause over HTTP")
    conformance_sub = conformance.add_subparsers(dest="conformance_command", required=True, parser_class=type(conformance))
    cpo = conformance_sub.add_parser("cpo", help="run the conformance scenarios against a CPO")
    cpo.add_argument("--cpo", metavar="URL", help="the CPO's Versions URL, e.g. https://cpo.example.com/ocpi/versions")
    cpo.add_argument("--credentials", metavar="TOKEN", help="our credentials token at that CPO")
    cpo.add_argument("--role", action="append", metavar="CC-PID", help="our role (repeatable), e.g. DE-TNM")
    cpo.add_argument("--location", metavar="ID", help="a Location the CPO offers for testing")
    cpo.add_argument("--evse", metavar="UID", help="an EVSE of that Location that accepts a remote start")
    cpo.add_argument("--connector", metavar="ID", default="1", help="connector id for the connector scenario (default 1)")
    cpo.add_argument("--version", choices=VERSIONS, help="the OCPI version (default: the newest the CPO lists)")
    cpo.add_argument("--foreign-owner", metavar="CC-PID", default="FR-ZZZ", help="a party that is not us (default FR-ZZZ)")
    cpo.add_argument("--callback-host", default="127.0.0.1", help="where our callback listens (default 127.0.0.1)")
    cpo.add_argument("--callback-port", type=port, default=0, help="our callback's port (default: a free one)")
    cpo.add_argument("--callback-url", metavar="URL", help="our callback's base URL as the CPO reaches it (default: where it listens)")
    cpo.add_argument("--callback-token", metavar="TOKEN", help="the token the CPO calls us with (checked exactly when given)")
    cpo.add_argument("--authorization", choices=("base64", "plain"), help="send our token this way whatever the version")
    cpo.add_argument("--silent-evse", metavar="UID", help="an EVSE of that Location that will not answer (TIMEOUT scenario)")
    cpo.add_argument("--commands-url", metavar="URL", help="the commands endpoint, when discovery does not yield it")
    cpo.add_argument("--read-only", action="store_true", help="run only the scenarios that write nothing")
    cpo.add_argument("--settle", type=seconds, default=2.0, metavar="SECONDS", help="how long to listen for CommandResults that should not come (default 2)")
    cpo.add_argument("--scenario", action="append", metavar="NAME", help="run only this scenario (repeatable; see --list)")
    cpo.add_argument("--junit", metavar="FILE", help="write a JUnit XML report (pytest's --junitxml)")
    cpo.add_argument("--json", metavar="FILE", help="write the run as JSON")
    cpo.add_argument("--list", action="store_true", help="list the scenarios and exit")
    cpo.set_defaults(handler=_run)


def _options(args: argparse.Namespace) -> list[str]:
    pairs = [
        ("--ocpi-cpo", args.cpo), ("--ocpi-token", args.credentials), ("--ocpi-location", args.location),
        ("--ocpi-evse", args.evse), ("--ocpi-connector", args.connector), ("--ocpi-version", args.version),
        ("--ocpi-foreign-owner", args.foreign_owner), ("--ocpi-callback-host", args.callback_host),
        ("--ocpi-callback-port", str(args.callback_port)), ("--ocpi-callback-url", args.callback_url),
        ("--ocpi-callback-token", args.callback_token), ("--ocpi-authorization", args.authorization),
        ("--ocpi-settle", str(args.settle)), ("--ocpi-json", args.json), ("--junitxml", args.junit),
        ("--ocpi-silent-evse", args.silent_evse), ("--ocpi-commands-url", args.commands_url),
    ]
    out = [f"{flag}={value}" for flag, value in pairs if value is not None]
    out += [f"--ocpi-role={r}" for r in args.role or ()]
    out += [f"--ocpi-scenario={s}" for s in args.scenario or ()]
    return out + (["--ocpi-read-only"] if args.read_only else [])


def _list() -> int:
    from ..conformance import select

    for s in select():
        print(f"{s.name:<38} {'writes' if s.writes else 'reads '}  {' '.join(s.rules)}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.list:
        return _list()
    missing = [name for name in ("cpo", "credentials", "role", "location") if not getattr(args, name)]
    if missing:
        print("ocpi-ref conformance cpo: needs " + ", ".join("--" + m for m in missing), file=sys.stderr)
        return EXIT_USAGE
    import pytest

    from ..conformance import Target, render_text, select
    from ..conformance.plugin import PLUGIN_NAME

    try:
        Target(args.cpo, args.credentials, args.role, args.location, foreign_owner=args.foreign_owner, version=args.version)
        select(args.scenario)
    except (ValueError, KeyError) as exc:
        print(f"ocpi-ref conformance cpo: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE

    class Front:
        run: Any = None

        def pytest_unconfigure(self, config: pytest.Config) -> None:
            Front.run = config.pluginmanager.get_plugin(PLUGIN_NAME)

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as empty:
        argv = [empty, "--rootdir", empty, "-c", os.devnull, "--noconftest", "-p", "no:cacheprovider",
                "-p", "no:terminal", "--ocpi-only", *_options(args)]
        if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
            argv += ["-p", "ocpi_ref.conformance.plugin"]
        code = pytest.main(argv, plugins=[Front()])
    run = Front.run
    if run is not None and run.mistake:
        print(f"ocpi-ref conformance cpo: {run.mistake}", file=sys.stderr)
        return EXIT_USAGE
    if run is None or code not in (0, 1):
        print(f"ocpi-ref conformance cpo: the run did not complete (pytest exit code {int(code)})", file=sys.stderr)
        return EXIT_USAGE
    print(render_text(run.version, run.outcomes, seconds=time.monotonic() - started, secrets=run.secrets))
    return EXIT_FAILED if any(o.status.value == "fail" for o in run.outcomes) else EXIT_OK
