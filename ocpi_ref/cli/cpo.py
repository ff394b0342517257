"""``ocpi-ref cpo``: serve the reference CPO from a TOML configuration.

FastAPI and uvicorn (the ``server`` extra) are imported only when the command runs. Exit codes:
0 the server ran and stopped, 2 it could not start (bad configuration, port in use).

``--judge`` serves the same CPO in judging mode (:mod:`ocpi_ref.cpo.judge`): it keeps, per
partner, every finding on that partner's traffic, serves the report as JSON at
``/ocpi-ref/judge`` and prints it at shutdown.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from .common import EXIT_OK, EXIT_USAGE, port

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``cpo`` on the subcommands *sub*."""
    cpo = sub.add_parser(
        "cpo", help="serve the reference CPO (commands in OCPI 2.1.1, 2.2, 2.2.1 and 2.3.0; tokens, sessions and cdrs in 2.2.1)"
    )
    cpo.add_argument("--config", required=True, metavar="FILE", help="TOML configuration (see examples/cpo.toml)")
    cpo.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    cpo.add_argument("--port", type=port, default=8021, help="port (default 8021; 0 picks a free one)")
    cpo.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    cpo.add_argument("--judge", action="store_true", help="judge the eMSPs: keep every finding on each partner's traffic, "
                     "serve it at /ocpi-ref/judge and print it at shutdown")
    cpo.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..cpo.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"ocpi-ref cpo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    import uvicorn

    from ..cpo.app import BASE, VERSIONS_PATH, create_cpo_app, server_limits
    from ..transport.servers import bind, server_config

    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"ocpi-ref cpo: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    host, port = sock.getsockname()[:2]
    root = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    if config.public_url is None:  # the Versions URLs name where we listen, never a Host header
        config = dataclasses.replace(config, public_url=root)
    print(
        f"reference CPO {config.party} serving {root}{BASE} (all versions: {root}{VERSIONS_PATH})",
        flush=True,
    )
    judge = None
    if args.judge:
        from ..cpo.judge import REPORT_PATH, Judge

        judge = Judge(config)
        print(f"judging mode: the report is at {root}{REPORT_PATH}", flush=True)
    # The app times out slow bodies itself (body_read_timeout, commands.body-read-timeout); the
    # server closes idle keep-alive connections after as long, slow request heads after
    # head_read_timeout, and connections past max_connections at once.
    server = uvicorn.Server(
        server_config(judge or create_cpo_app(config), args.log_level, server_limits(config), access_log=True)
    )
    if judge is not None:  # uvicorn re-raises the signal that stopped it: let it return, to print the report
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: None)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        if judge is not None:
            print(judge.text(), flush=True)
    return EXIT_OK
