"""StartSession against the CPO under test, one situation per scenario (OCPI 2.2.1 §13.3.5).

Every scenario here sends a StartSession the CPO may act on, so each is marked as writing.
The Token of each is new (its uid carries the request id), owned by our first role unless the
scenario is about ownership; uid and authorization_reference mix upper and lower case, so the
case scenario can tell whether they come back as sent.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from ...objects import check_command_response, check_command_result
from ...transport.authorization import accepted_encoding, decode_base64, matching_headers
from ...versions import version_key
from ..model import Exchange, scenario
from ..probe import Started, new_token
from .common import command_result, status_code

RESULT_ONCE, BARE = "commands.result-after-accepted", "commands.result-bare-body"
ENCODING, IDS, IN_TIME = "commands.authorization-encoding", "commands.request-ids-echoed", "commands.no-result-after-timeout"
LOCATION, OWN, NO_VALIDITY = "start-session.location-of-receiver", "start-session.own-tokens-only", "start-session.cpo-no-validity-check"
CONNECTOR, INVALID = "start-session.connector-requires-evse", "object.invalid-object-2001"

_KEEP: Any = object()


async def send_start(t, *, owner: Any = None, valid: bool = True, location: str | None = None, evse: Any = _KEEP, connector: str | None = None) -> tuple[str, dict[str, Any], dict[str, Any], Exchange]:
    """POST one StartSession: its request id, Token, body and the exchange."""
    probe, rid = t.probe, t.probe.new_id()
    token = new_token(t.version, owner or probe.target.parties[0], f"OcpiRef{rid[:10].upper()}", valid=valid)
    fields: dict[str, Any] = {"connector_id": connector}
    if location is not None:
        fields["location_id"] = location
    if evse is not _KEEP:
        fields["evse_uid"] = evse
    if version_key(t.version) >= version_key("2.2"):
        fields["authorization_reference"] = f"Ref{rid[:8]}"
    body = probe.start_body(token, rid, **fields)
    return rid, token, body, await probe.command("START_SESSION", body, rid)


def wait_limit(t, timeout: Any) -> float:
    """How long to wait for a result: the advertised timeout (capped), in 2.1.1 our setting."""
    if t.version == "2.1.1" or not isinstance(timeout, int) or isinstance(timeout, bool):
        return t.probe.target.wait_211
    return float(min(timeout, t.probe.target.max_wait))


async def no_result(t, rid: str, what: str) -> None:
    """After a refusal: listen *settle* seconds; any CommandResult is a failure."""
    got = await t.probe.arrivals(rid, time.monotonic() + t.probe.target.settle, 0)
    t.expect(not got, RESULT_ONCE, f"{len(got)} CommandResult(s) arrived after {what}" if got else f"no CommandResult after {what}")


@scenario("start-session.accepted", "StartSession ACCEPTED with a timeout; exactly one bare CommandResult, in time, with our token",
          RESULT_ONCE, BARE, ENCODING, IDS, IN_TIME, writes=True)
async def accepted(t) -> None:
    sent_at = datetime.now(timezone.utc).replace(microsecond=0)
    rid, token, body, ex = await send_start(t)
    started = t.probe.sent[rid]
    if not t.reached(ex):
        return
    t.expect(ex.status == 200, RESULT_ONCE, f"StartSession: HTTP {ex.status}", ex)
    t.findings(check_command_response(ex.response_body or "", version=t.version), "CommandResponse answer", ex)
    if t.version != "2.1.1":
        t.expect(ex.header("x-request-id") == rid, IDS, f"X-Request-ID {ex.header('x-request-id')!r} for {rid!r}", ex)
    result, timeout = command_result(ex)
    if result != "ACCEPTED":
        t.fail(RESULT_ONCE, f"CommandResponse {result}, not ACCEPTED: is {body['location_id']}/{body.get('evse_uid')} offered for testing?", ex)
        t.probe.tracker.forget(rid)
        return
    limit = wait_limit(t, timeout)
    got = await t.probe.arrivals(rid, started + limit + max(t.probe.target.settle, 2.0), t.probe.target.settle)
    if not got:
        t.fail(RESULT_ONCE, f"no CommandResult arrived within {limit:g} s (the advertised timeout) and the grace after it", ex)
        return
    t.expect(len(got) == 1, RESULT_ONCE, f"{len(got)} CommandResults arrived for one StartSession" if len(got) > 1 else "one CommandResult")
    when, arrival = got[0]
    late = when - started
    if t.version != "2.1.1":
        t.expect(late <= limit, IN_TIME, f"the CommandResult arrived {late:.1f} s after the command; the advertised timeout is {limit:g} s")
    t.findings(check_command_result(arrival.body, version=t.version), "CommandResult", None, BARE)
    _check_authorization(t, arrival.headers.get("authorization"))
    t.probe.started = Started(rid, token, body, sent_at)


def _check_authorization(t, got: str | None) -> None:
    target = t.probe.target
    if target.callback_token is not None:
        wanted = matching_headers(target.callback_token, accepted_encoding(t.version, target.authorization))
        t.expect(got in wanted, ENCODING, f"the CommandResult's Authorization {got!r}: {'matches' if got in wanted else 'does not match'} our callback token as OCPI {t.version} encodes it")
        return
    if not (isinstance(got, str) and got.startswith("Token ") and len(got) > 6):
        t.fail(ENCODING, f"the CommandResult's Authorization is {got!r}, not 'Token ...'")
        return
    if accepted_encoding(t.version, target.authorization) == "base64":
        t.expect(decode_base64(got[6:]) is not None, ENCODING, f"the CommandResult's token is {'' if decode_base64(got[6:]) is not None else 'not '}Base64, as OCPI {t.version} wants")
    else:
        t.ok(ENCODING, "the CommandResult carries 'Token ...'")


@scenario("start-session.foreign-token", "a Token owned by a party not among our roles is REJECTED, and no CommandResult follows", OWN, RESULT_ONCE, writes=True)
async def foreign_token(t) -> None:
    t.needs("2.2")
    rid, _token, _body, ex = await send_start(t, owner=t.probe.target.foreign)
    if not t.reached(ex):
        return
    result, _ = command_result(ex)
    if result == "ACCEPTED":
        t.fail(OWN, f"a Token of {t.probe.target.foreign} sent by {', '.join(map(str, t.probe.target.parties))} was ACCEPTED", ex)
        t.probe.tracker.forget(rid)
        return
    t.expect(result == "REJECTED", OWN, f"CommandResponse {result} (status {status_code(ex)}) for a foreign Token", ex, warn=result is not None)
    await no_result(t, rid, "a refused StartSession")


@scenario("start-session.token-not-validated", "a Token with valid: false is forwarded like any other (ACCEPTED)", NO_VALIDITY, writes=True)
async def token_not_validated(t) -> None:
    rid, _token, _body, ex = await send_start(t, valid=False)
    if not t.reached(ex):
        return
    result, timeout = command_result(ex)
    if not t.expect(result == "ACCEPTED", NO_VALIDITY, f"CommandResponse {result} (status {status_code(ex)}) for a Token with valid: false", ex):
        t.probe.tracker.forget(rid)
        return
    await t.probe.arrivals(rid, t.probe.sent[rid] + wait_limit(t, timeout), 0)  # let it finish; not judged here


@scenario("start-session.unknown-location", "an unknown Location gets status 2003 and REJECTED, no CommandResult", LOCATION, RESULT_ONCE, writes=True)
async def unknown_location(t) -> None:
    rid, _token, _body, ex = await send_start(t, location=t.probe.target.unknown_location)
    if not t.reached(ex):
        return
    result, _ = command_result(ex)
    t.expect(ex.status == 200, LOCATION, f"unknown Location: HTTP {ex.status}", ex)
    t.expect(status_code(ex) == 2003, LOCATION, f"unknown Location: status_code {status_code(ex)}, expected 2003", ex)
    t.expect(result in ("REJECTED", None), LOCATION, f"unknown Location: CommandResponse {result}", ex)
    if result == "ACCEPTED":
        t.probe.tracker.forget(rid)
        return
    await no_result(t, rid, "a refused StartSession")


@scenario("start-session.unknown-evse", "an unknown EVSE is refused at OCPI level (HTTP 200, not ACCEPTED)", LOCATION, RESULT_ONCE, writes=True)
async def unknown_evse(t) -> None:
    rid, _token, _body, ex = await send_start(t, evse=t.probe.target.unknown_evse)
    if not t.reached(ex):
        return
    result, _ = command_result(ex)
    t.expect(ex.status == 200, LOCATION, f"unknown EVSE: HTTP {ex.status}", ex)
    if not t.expect(result != "ACCEPTED", LOCATION, f"unknown EVSE: CommandResponse {result} (status {status_code(ex)})", ex):
        t.probe.tracker.forget(rid)
        return
    await no_result(t, rid, "a refused StartSession")


@scenario("start-session.connector-without-evse", "connector_id without evse_uid gets HTTP 200 and status 2001 (2.2.1 and later)", CONNECTOR, INVALID, writes=True)
async def connector_without_evse(t) -> None:
    t.needs("2.2.1")
    rid, _token, _body, ex = await send_start(t, evse=None, connector=t.probe.target.connector)
    t.probe.tracker.forget(rid)
    if not t.reached(ex):
        return
    t.expect(ex.status == 200, INVALID, f"connector_id without evse_uid: HTTP {ex.status}, expected 200", ex)
    t.expect(status_code(ex) == 2001, CONNECTOR, f"connector_id without evse_uid: status_code {status_code(ex)}, expected 2001", ex)
