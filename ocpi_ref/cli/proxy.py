"""``ocpi-ref proxy --cpo URL --emsp URL``: audit live traffic through mitmproxy in reverse mode.

The eMSP calls the CPO through ``--cpo-port``; the CPO's CommandResults, authorization requests
and pushed Sessions reach the eMSP through ``--emsp-port`` (so the eMSP's response_urls must
point there). Each exchange is printed with its findings as it closes; on Ctrl-C (or SIGTERM)
the HAR, the JSON report and the JUnit file are written where asked. Needs the ``proxy`` extra.

Exit codes as ``ocpi-ref audit``: 0, 1 an error of a spec sentence binding the party at fault, 2
it cannot run (mitmproxy missing, a port taken, a bad configuration).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from ..versions import VERSIONS
from .common import EXIT_USAGE

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``proxy`` on the subcommands *sub*."""
    cmd = sub.add_parser("proxy", help="audit live traffic between a CPO and an eMSP through mitmproxy")
    cmd.add_argument("--cpo", required=True, metavar="URL", help="the CPO's base URL (upstream of --cpo-port)")
    cmd.add_argument("--emsp", required=True, metavar="URL", help="the eMSP's base URL (upstream of --emsp-port)")
    cmd.add_argument("--host", default="127.0.0.1", help="where both listeners listen (default 127.0.0.1)")
    cmd.add_argument("--cpo-port", type=int, default=8081, help="listener in front of the CPO (default 8081)")
    cmd.add_argument("--emsp-port", type=int, default=8082, help="listener in front of the eMSP (default 8082)")
    cmd.add_argument("--har", metavar="FILE", help="write the traffic as HAR 1.2 at the end (credentials masked)")
    cmd.add_argument("--report", metavar="FILE", help="write the JSON report at the end")
    cmd.add_argument("--junit", metavar="FILE", help="write a JUnit XML report at the end")
    cmd.add_argument("--config", metavar="TOML", help="[[partners]] token, roles: who holds which credentials")
    cmd.add_argument("--version", choices=VERSIONS, default=None, help="OCPI version where a URL names none")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        from ..audit.live import start_proxy
    except ImportError:
        print("ocpi-ref proxy: needs mitmproxy: pip install 'ocpi-ref[proxy]'", file=sys.stderr)
        return EXIT_USAGE
    wanted = {"audit_har": args.har, "audit_report": args.report, "audit_junit": args.junit,
               "audit_config": args.config, "version": args.version}
    settings = {k: v for k, v in wanted.items() if v}
    running: list[Any] = []

    async def serve() -> None:  # mitmproxy's master is made inside the running loop
        proxy = start_proxy(args.cpo, args.emsp, cpo_port=args.cpo_port, emsp_port=args.emsp_port,
                            host=args.host, **settings)
        running.append(proxy)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, proxy.master.shutdown)
        print(f"ocpi-ref proxy: CPO {args.cpo} at http://{args.host}:{args.cpo_port}, "
              f"eMSP {args.emsp} at http://{args.host}:{args.emsp_port}; Ctrl-C to stop", file=sys.stderr, flush=True)
        await proxy.master.run()

    try:
        asyncio.run(serve())
    except SystemExit as exc:  # mitmproxy exits when its startup logged an error (a port taken)
        if exc.code:
            print("ocpi-ref proxy: mitmproxy could not start (see above)", file=sys.stderr)
            return EXIT_USAGE
    except Exception as exc:  # mitmproxy's OptionsError, a bad configuration
        print(f"ocpi-ref proxy: {exc}", file=sys.stderr)
        return EXIT_USAGE
    proxy = running[0]
    return proxy.addon.report.exit_code
