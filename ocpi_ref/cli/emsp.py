"""``ocpi-ref emsp start-session``: the reference eMSP drives one exchange and prints each step.

Exit codes: 0 the asynchronous answer was ACCEPTED, 1 the exchange did not succeed (refused,
no result, not ACCEPTED, the CPO's Versions module did not lead to a commands endpoint), 2 the
command could not run (bad arguments, e.g. ``--connector`` with a version whose StartSession
has no connector_id). FastAPI, uvicorn and httpx are imported only when the command runs.

``ocpi-ref emsp start-session --version V`` speaks OCPI V (default 2.2.1). ``--cpo`` is the
CPO's Versions URL (``.../versions``: the commands endpoint is discovered there) or a module
base as before (``.../ocpi/cpo/2.2.1``). 2.1.1 advertises no timeout, so ``--wait SECONDS``
(default 30) bounds the wait for its asynchronous CommandResponse; 2.2 and later wait the
CommandResponse's ``timeout``. ``--stop`` reads the Sessions and CDRs modules, which the
reference CPO serves for 2.2.1 only, so it needs ``--version 2.2.1``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from ..specs import spec
from ..versions import DEFAULT_VERSION, VERSIONS
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, port, read_input, seconds

__all__ = ["add"]


def add(sub: Any) -> None:
    """Register ``emsp`` (with its ``start-session``) on the subcommands *sub*."""
    emsp = sub.add_parser("emsp", help="act as the reference eMSP against a CPO")
    emsp_sub = emsp.add_subparsers(dest="emsp_command", required=True, parser_class=type(emsp))
    start = emsp_sub.add_parser("start-session", help="send one StartSession and print each step")
    start.add_argument(
        "--cpo", required=True, metavar="URL",
        help="the CPO's Versions URL (e.g. http://127.0.0.1:8021/ocpi/versions: the commands endpoint "
        "is discovered there) or a module base (e.g. http://127.0.0.1:8021/ocpi/cpo/2.2.1)")
    start.add_argument("--version", default=DEFAULT_VERSION, choices=VERSIONS, help=f"the OCPI version to speak (default {DEFAULT_VERSION})")
    start.add_argument(
        "--credentials", required=True, metavar="TOKEN",
        help="our credentials token at that CPO (sent plain in 2.1.1 and 2.2, Base64-encoded from 2.2.1 on)")
    start.add_argument(
        "--authorization", choices=("base64", "plain"),
        help="send the credentials token this way whatever the version (some 2.2 CPOs want Base64)")
    start.add_argument(
        "--wait", type=seconds, default=30.0, metavar="SECONDS",
        help="OCPI 2.1.1 only: how long to wait for the asynchronous CommandResponse, since 2.1.1 "
        "advertises no timeout (default 30; 2.2 and later wait the advertised timeout)")
    start.add_argument("--role", action="append", required=True, metavar="CC-PID", help="our role (repeatable), e.g. DE-TNM")
    which = start.add_mutually_exclusive_group(required=True)
    which.add_argument("--token", metavar="FILE", help="the Token as a JSON file")
    which.add_argument("--token-uid", metavar="UID", help="build an RFID Token of our first role with this uid")
    start.add_argument("--location", required=True, metavar="ID")
    start.add_argument("--evse", metavar="UID")
    start.add_argument("--connector", metavar="ID")
    start.add_argument("--authorization-reference", metavar="REF")
    start.add_argument("--from-party", metavar="CC-PID", help="send OCPI-from headers for this role (behind a hub)")
    start.add_argument("--callback-host", default="127.0.0.1", help="where our callback listens (default 127.0.0.1)")
    start.add_argument("--callback-port", type=port, default=0, help="callback port (default: a free one)")
    start.add_argument("--callback-token", metavar="TOKEN", help="the token the CPO must call us with")
    start.add_argument("--callback-url", metavar="URL", type=_http_url,
                       help="our callback's base URL as the CPO reaches it, behind a proxy or NAT (default: where it listens)")
    start.add_argument("--stop", action="store_true", help="after ACCEPTED: show the Session, stop it, show the CDR")
    start.set_defaults(handler=_emsp_start)


def _rfid_token(version: str, role: Any, uid: str) -> Any:
    """An RFID Token of *role* with *uid*, in *version* (a 2.1.1 Token has no owner fields)."""
    fields: dict[str, Any] = {
        "uid": uid,
        "type": "RFID",
        "issuer": "ocpi-ref",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if version == "2.1.1":
        fields["auth_id"] = uid
    else:
        fields.update(country_code=role.country_code, party_id=role.party_id, contract_id=uid)
    return spec(version).token.model_validate(fields)


def _usage_problem(args: argparse.Namespace) -> str | None:
    """Arguments the chosen version cannot carry, or None."""
    try:
        cpo = urlsplit(args.cpo)
        url = cpo.scheme in ("http", "https") and bool(cpo.hostname) and (cpo.port or 0) >= 0
    except ValueError:  # e.g. http://[::1 or a port that is not a number
        url = False
    if not url:
        return f"--cpo {args.cpo!r}: not an http:// or https:// URL (the CPO's Versions URL, e.g. http://127.0.0.1:8021/ocpi/versions)"
    fields = spec(args.version).start_session.model_fields
    given = (
        ("--connector", args.connector, "connector_id"),
        ("--authorization-reference", args.authorization_reference, "authorization_reference"),
    )
    for option, value, name in given:
        if value is not None and name not in fields:
            return f"{option}: an OCPI {args.version} StartSession has no {name}"
    if args.stop and args.version != DEFAULT_VERSION:
        return f"--stop reads the Sessions and CDRs modules, which the reference CPO serves for OCPI {DEFAULT_VERSION} only"
    return None


def _emsp_start(args: argparse.Namespace) -> int:
    from ..findings import RuleViolation
    from ..party import PartyId

    problem = _usage_problem(args)
    if problem is not None:
        print(f"ocpi-ref emsp: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        roles = [PartyId.parse(r) for r in args.role]
        from_party = PartyId.parse(args.from_party) if args.from_party else None
        if args.token:
            token = _token_file(args.token, args.version)
            if isinstance(token, str):
                print(f"ocpi-ref emsp: {token}", file=sys.stderr)
                return EXIT_USAGE
        else:
            token = _rfid_token(args.version, roles[0], args.token_uid)
    except (ValueError, OSError) as exc:
        print(f"ocpi-ref emsp: {_why(exc, 'the Token is not valid', spec(args.version).token)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_exchange(args, token, roles, from_party))
    except RuleViolation as exc:
        print(f"not sent: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as exc:  # e.g. a --location longer than the version allows
        print(f"ocpi-ref emsp: {_why(exc, 'the StartSession is not valid', spec(args.version).start_session)}", file=sys.stderr)
        return EXIT_USAGE


def _token_file(path: str, version: str) -> Any:
    """The Token in file *path*, or why not, in the words ``ocpi-ref check --object token`` uses."""
    from ..objects import check_token

    try:
        data = read_input(path)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    report = check_token(data, version=version)
    if report.conforms is not True:
        errors = "; ".join(str(f) for f in report.findings if f.severity.value == "error")
        return f"--token {path}: not an OCPI {version} Token: {errors or 'too large or too deep to read'}"
    return spec(version).token.model_validate_json(data)


def _why(exc: Exception, what: str, model: Any) -> str:
    """One line for a bad argument: each error as the checker words it, with its pointer and rule.

    The checker's words, not pydantic's: a code-list field's raw error would quote its whole
    pattern (every ISO 3166-1 code).
    """
    from pydantic import ValidationError

    from ..errors import findings_from_error

    if isinstance(exc, ValidationError):
        found = findings_from_error(model, exc)
        return what + ": " + "; ".join(f"{f.pointer or '/'}: {f.message} [{f.rule}]" for f in found)
    return str(exc)


def _http_url(text: str) -> str:
    """An http(s) URL without query or fragment, as ``--callback-url`` needs (trailing / dropped)."""
    if not text.startswith(("http://", "https://")) or "?" in text or "#" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL without query or fragment")
    return text.rstrip("/")


async def _exchange(args: argparse.Namespace, token: Any, roles: list[Any], from_party: Any) -> int:
    from ..emsp import CommandTracker, DiscoveryError, EmspClient, create_callback_app
    from ..transport.servers import serve_in_task

    tracker = CommandTracker()
    app = create_callback_app(tracker, callback_token=args.callback_token)
    async with serve_in_task(app, args.callback_host, args.callback_port) as cb:
        print(f"callback listening on {cb.url}" + (f", reached at {args.callback_url}" if args.callback_url else ""))
        client = EmspClient(
            args.cpo,
            args.credentials,
            roles,
            args.callback_url or cb.url,
            tracker,
            from_party=from_party,
            version=args.version,
            result_wait=args.wait,
            authorization=args.authorization,
        )
        # Whole seconds, as OCPI DateTimes usually are: a Session started in this second counts.
        sent_at = datetime.now(timezone.utc).replace(microsecond=0)
        shown: set[str] = set()  # request ids whose refusals the exchange's own steps report
        try:
            ex = await client.start_session(
                token,
                args.location,
                evse_uid=args.evse,
                connector_id=args.connector,
                authorization_reference=args.authorization_reference,
            )
            shown.add(ex.request_id)
            for step in ex.steps:
                print(step)
            if ex.outcome != "ACCEPTED":
                return EXIT_FAILED
            if args.stop:
                return await _session_and_cdr(client, token, args, sent_at, shown)
            return EXIT_OK
        except DiscoveryError as exc:
            print(f"the CPO's Versions module did not help: {exc}")
            return EXIT_FAILED
        finally:
            for refusal in tracker.refusals():  # any other POST our callback refused, e.g. a stray
                if refusal.request_id not in shown:
                    print(f"{refusal} (request {refusal.request_id})")
            await client.aclose()


async def _session_and_cdr(client: Any, token: Any, args: argparse.Namespace, sent_at: datetime, shown: set[str]) -> int:
    """Find the Session of *this* StartSession (not any of the Token's), stop it, show its CDR."""
    from ..flow.sessions import sessions_of_start

    session = None
    for _ in range(20):  # the Session appears when the car plugs in; wait at most ~2 s
        resp = await client.get("sessions", {"date_from": "1970-01-01T00:00:00Z"})
        data = resp.json().get("data") if resp.status_code == 200 else None
        mine = sessions_of_start(
            data if isinstance(data, list) else [],
            token_uid=token.uid,
            location_id=args.location,
            evse_uid=args.evse,
            authorization_reference=args.authorization_reference,
            not_before=sent_at,
        )
        if mine:
            session = mine[-1]
            break
        await asyncio.sleep(0.1)
    if session is None:
        print("no Session of this StartSession appeared (the car did not plug in)")
        return EXIT_FAILED
    print("Session: " + json.dumps(session, indent=2))
    stop = await client.stop_session(session["id"])
    shown.add(stop.request_id)
    for step in stop.steps:
        print(step)
    cdrs = (await client.get("cdrs")).json().get("data") or []
    cdr = next((c for c in cdrs if c.get("session_id") == session["id"]), None)
    if cdr is None:
        print("no CDR for the session")
        return EXIT_FAILED
    print("CDR: " + json.dumps(cdr, indent=2))
    return EXIT_OK
