"""What the accepted StartSession left behind: the Session, the Token GET, STOP_SESSION and
the CDR (OCPI 2.2.1 §13.3.5 on cdr_token, §9.3.1 Session, §10.3.1 CDR).

These read the CPO's Sessions, Tokens and CDRs modules where it lists them (2.2 and later:
a 2.1.1 Session has no cdr_token) and skip otherwise. They need ``start-session.accepted``
to have run first, in the same run.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from ...flow.sessions import sessions_of_start
from ...types import CiString, DateTime
from ..model import Exchange, Skip, scenario
from .commands import wait_limit
from .common import command_result

IN_SESSION, ECHO = "start-session.token-in-session-and-cdr", "start-session.authorization-reference-echo"
NOT_STORED, RESULT_ONCE = "start-session.unknown-token-not-stored", "commands.result-after-accepted"
AUTH_METHOD = "commands.auth-method-command"
SESSION_WAIT = 5.0  # seconds to poll for the Session and the CDR


def _started(t) -> Any:
    t.needs("2.2")
    t.root()
    if t.probe.started is None:
        raise Skip("needs an accepted StartSession (start-session.accepted) in this run")
    return t.probe.started


def _same(got: Any, sent: Any) -> bool:
    return isinstance(got, str) and isinstance(sent, str) and CiString(got) == CiString(sent)


def _token_fields(t, holder: dict[str, Any], token: dict[str, Any], what: str, ex: Exchange) -> None:
    cdr_token = holder.get("cdr_token")
    if not isinstance(cdr_token, dict):
        t.fail(IN_SESSION, f"the {what} has no cdr_token object", ex)
        return
    names = ["uid", "type", "contract_id"] + (["country_code", "party_id"] if t.version != "2.2" else [])
    wrong = [n for n in names if not _same(cdr_token.get(n), token.get(n))]
    t.expect(not wrong, IN_SESSION, f"the {what}'s cdr_token differs from our Token in {', '.join(wrong)}" if wrong else f"the {what}'s cdr_token carries our Token", ex)


async def _poll(t, module: str, params: dict[str, str], pick: Any) -> tuple[Any, Exchange | None]:
    url = t.probe.endpoint(module)
    deadline, ex = time.monotonic() + SESSION_WAIT, None
    while time.monotonic() < deadline:
        ex = await t.probe.call("GET", url, params=params, headers=t.probe.headers())
        body = ex.json()
        data = body.get("data") if isinstance(body, dict) else None
        found = pick(data if isinstance(data, list) else [])
        if found is not None:
            return found, ex
        await asyncio.sleep(0.1)
    return None, ex


@scenario("session.token-in-session", "the Session of our StartSession carries our Token as cdr_token, our authorization_reference, auth_method COMMAND",
          IN_SESSION, ECHO, AUTH_METHOD, writes=True)
async def token_in_session(t) -> None:
    started = _started(t)
    body = started.body
    since = DateTime.from_datetime(started.sent_at - timedelta(minutes=1))

    def pick(data: list[Any]) -> Any:
        mine = sessions_of_start(data, token_uid=started.token["uid"], location_id=body["location_id"], evse_uid=body.get("evse_uid"),
                                 authorization_reference=body.get("authorization_reference"), not_before=started.sent_at)
        return mine[-1] if mine else None

    session, ex = await _poll(t, "sessions", {"date_from": since, "limit": "100"}, pick)
    if session is None:
        t.warn(IN_SESSION, f"no ACTIVE Session of our StartSession appeared within {SESSION_WAIT:g} s (no car plugged in?)", ex)
        return
    started.session, started.session_exchange = session, ex
    _token_fields(t, session, started.token, "Session", ex)
    method = session.get("auth_method")
    t.expect(method == "COMMAND", AUTH_METHOD, f"auth_method {method!r}" + ("" if method == "COMMAND" else " (AuthMethod COMMAND is defined as a start by a command such as StartSession)"), ex)
    ref = body.get("authorization_reference")
    t.expect(_same(session.get("authorization_reference"), ref), ECHO, f"authorization_reference {session.get('authorization_reference')!r} for {ref!r}", ex)


@scenario("session.case-preserved", "CiString ids come back in the Session as sent (a warning when only the case differs)",
          IN_SESSION, "type.cistring", writes=True)
async def case_preserved(t) -> None:
    started = _started(t)
    if started.session is None:
        raise Skip("needs the Session of our StartSession (session.token-in-session)")
    session, ex = started.session, started.session_exchange
    pairs = [("cdr_token/uid", (session.get("cdr_token") or {}).get("uid"), started.token["uid"]),
             ("authorization_reference", session.get("authorization_reference"), started.body.get("authorization_reference")),
             ("location_id", session.get("location_id"), started.body["location_id"])]
    for name, got, sent in pairs:
        if got == sent:
            t.ok(IN_SESSION, f"{name} {got!r} as sent", ex)
        elif _same(got, sent):
            t.warn("type.cistring", f"{name} came back as {got!r} for {sent!r}: the same CiString, not the same text", ex)
        else:
            t.fail(IN_SESSION, f"{name} came back as {got!r} for {sent!r}", ex)


@scenario("tokens.not-returned", "a Token sent only in a StartSession need not be in the Tokens module (a warning if it is)", NOT_STORED, writes=True)
async def not_returned(t) -> None:
    started = _started(t)
    token = started.token
    url = f"{t.probe.endpoint('tokens')}/{token['country_code']}/{token['party_id']}/{token['uid']}"
    ex = await t.probe.call("GET", url, params={"type": token["type"]}, headers=t.probe.headers())
    if not t.reached(ex):
        return
    body = ex.json()
    stored = ex.status == 200 and isinstance(body, dict) and body.get("status_code") == 1000 and isinstance(body.get("data"), dict)
    t.expect(not stored, NOT_STORED, "the Tokens GET returns the Token (allowed: the spec says it does not have to)" if stored
             else f"the Tokens GET does not return it (HTTP {ex.status}, status {body.get('status_code') if isinstance(body, dict) else None})", ex, warn=True)


@scenario("session.stop-and-cdr", "STOP_SESSION ends our Session, and its CDR carries the same Token fields", IN_SESSION, RESULT_ONCE, writes=True)
async def stop_and_cdr(t) -> None:
    started = _started(t)
    if started.session is None:
        raise Skip("needs the Session of our StartSession (session.token-in-session)")
    session_id = started.session.get("id")
    rid = t.probe.new_id()
    body = {"response_url": t.probe.response_url("STOP_SESSION", rid), "session_id": session_id}
    ex = await t.probe.command("STOP_SESSION", body, rid)
    if not t.reached(ex):
        return
    result, timeout = command_result(ex)
    if not t.expect(result == "ACCEPTED", RESULT_ONCE, f"STOP_SESSION: CommandResponse {result}", ex):
        t.probe.tracker.forget(rid)
        return
    got = await t.probe.arrivals(rid, t.probe.sent[rid] + wait_limit(t, timeout), 0)
    t.expect(bool(got), RESULT_ONCE, f"STOP_SESSION: {'a' if got else 'no'} CommandResult", ex)

    def pick(data: list[Any]) -> Any:
        return next((c for c in data if isinstance(c, dict) and _same(c.get("session_id"), session_id)), None)

    cdr, cdr_ex = await _poll(t, "cdrs", {"limit": "100"}, pick)
    if cdr is None:
        t.fail(IN_SESSION, f"no CDR for Session {session_id!r} within {SESSION_WAIT:g} s", cdr_ex)
        return
    _token_fields(t, cdr, started.token, "CDR", cdr_ex)
