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
from ..model import Exchange, Skip, scenario
from ..probe import Started, new_token
from ..audited import IDS as OUR_IDS
from ..audited import IN_TIME, ONCE, arrival_exchange, results_audited
from .common import command_result, roles_taken, status_code

RESULT_ONCE, BARE = "commands.result-after-accepted", "commands.result-bare-body"
ENCODING, IDS = "commands.authorization-encoding", "commands.request-ids-echoed"
LOCATION, OWN, NO_VALIDITY = "start-session.location-of-receiver", "start-session.own-tokens-only", "start-session.cpo-no-validity-check"
CONNECTOR, NO_HTTP_ERROR = "start-session.connector-requires-evse", "object.invalid-object-2001"
CLASS_2XXX = "conformance.client-error-class"
STATUS_2003, UNKNOWN_EVSE = "conformance.unknown-location-status", "conformance.unknown-evse-refused"
SILENT = "commands.timeout-when-silent"

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


@scenario("start-session.accepted", "StartSession ACCEPTED with a timeout; exactly one bare CommandResult, in time, with our token and request ids",
          RESULT_ONCE, ONCE, BARE, ENCODING, IDS, IN_TIME, OUR_IDS, NO_HTTP_ERROR, writes=True)
async def accepted(t) -> None:
    sent_at = datetime.now(timezone.utc).replace(microsecond=0)
    rid, token, body, ex = await send_start(t)
    started = t.probe.sent[rid]
    if not t.reached(ex):
        t.probe.start_refused = "no answer"
        return
    roles_taken(t, ex)
    t.expect(ex.status == 200, NO_HTTP_ERROR, f"a conforming StartSession: HTTP {ex.status}", ex)
    t.findings(check_command_response(ex.response_body or "", version=t.version), "CommandResponse answer", ex)
    if t.version != "2.1.1":
        t.expect(ex.header("x-request-id") == rid, IDS, f"X-Request-ID {ex.header('x-request-id')!r} for {rid!r}", ex)
        t.expect(ex.header("x-correlation-id") == rid, IDS, f"X-Correlation-ID {ex.header('x-correlation-id')!r} for {rid!r}", ex)
    result, timeout = command_result(ex)
    if result != "ACCEPTED":
        t.probe.start_refused = f"HTTP {ex.status}, status {status_code(ex)}, CommandResponse {result}"
        t.warn(None, f"CommandResponse {result}, not ACCEPTED: nothing after it can be tested; is "
                     f"{body['location_id']}/{body.get('evse_uid')} offered for testing, and free?", ex)
        t.probe.tracker.forget(rid)
        return
    limit = wait_limit(t, timeout)
    got = await t.probe.arrivals(rid, started + limit + max(t.probe.target.settle, 2.0), t.probe.target.settle)
    if not got:
        t.fail(RESULT_ONCE, f"no CommandResult arrived within {limit:g} s (the advertised timeout) and the grace after it", ex)
        return
    results_audited(t, rid, ex, body["response_url"], got)  # once, in time, with request ids: the audit's checks
    _when, arrival = got[0]
    posted = arrival_exchange(arrival)
    t.findings(check_command_result(arrival.body, version=t.version), "CommandResult", posted, BARE)
    _check_authorization(t, arrival.headers.get("authorization"))
    t.probe.started = Started(rid, token, body, sent_at)


def _check_authorization(t, got: str | None) -> None:
    target = t.probe.target
    if target.callback_token is not None:
        wanted = matching_headers(target.callback_token, accepted_encoding(t.version, target.authorization))
        t.expect(got in wanted, ENCODING, f"the CommandResult's Authorization {'matches' if got in wanted else 'does not match'} our callback token as OCPI {t.version} encodes it")
        return
    if not (isinstance(got, str) and got.startswith("Token ") and len(got) > 6):
        t.fail(ENCODING, "the CommandResult's Authorization is not 'Token ...'" + ("" if got else " (none was sent)"))
        return
    if accepted_encoding(t.version, target.authorization) == "base64":
        t.expect(decode_base64(got[6:]) is not None, ENCODING, f"the CommandResult's token is {'' if decode_base64(got[6:]) is not None else 'not '}Base64, as OCPI {t.version} wants")
    else:
        t.ok(ENCODING, "the CommandResult carries 'Token ...'")


@scenario("start-session.foreign-token", "a Token owned by a party not among our roles: refusing or accepting it are both allowed (the SHALL binds the eMSP)",
          OWN, RESULT_ONCE, writes=True)
async def foreign_token(t) -> None:
    t.needs("2.2")
    t.root()
    rid, _token, _body, ex = await send_start(t, owner=t.probe.target.foreign)
    if not t.reached(ex):
        return
    t.expect(ex.status == 200, NO_HTTP_ERROR, f"a StartSession with a foreign Token: HTTP {ex.status}", ex)
    result, _ = command_result(ex)
    if result == "ACCEPTED":
        t.fail(OWN, f"a Token of {t.probe.target.foreign} sent by {', '.join(map(str, t.probe.target.parties))} was ACCEPTED", ex)
        t.probe.tracker.forget(rid)
        return
    t.ok(OWN, f"CommandResponse {result} (status {status_code(ex)}) for a foreign Token", ex)
    await no_result(t, rid, "a refused StartSession")


@scenario("start-session.token-not-validated", "a Token with valid: false is forwarded like any other (ACCEPTED)", NO_VALIDITY, writes=True)
async def token_not_validated(t) -> None:
    t.root()
    rid, _token, _body, ex = await send_start(t, valid=False)
    if not t.reached(ex):
        return
    result, timeout = command_result(ex)
    if not t.expect(result == "ACCEPTED", NO_VALIDITY, f"CommandResponse {result} (status {status_code(ex)}) for a Token with valid: false", ex):
        t.probe.tracker.forget(rid)
        return
    await t.probe.arrivals(rid, t.probe.sent[rid] + wait_limit(t, timeout), 0)  # let it finish; not judged here


def refused_at_ocpi_level(t, ex: Exchange, what: str, example: int | None = None) -> None:
    """A refusal comes with HTTP 200 (valid JSON: no HTTP error) and a 2xxx status code; the
    code the spec shows in its example only warns when another 2xxx is used."""
    t.expect(ex.status == 200, NO_HTTP_ERROR, f"{what}: HTTP {ex.status}", ex)
    code = status_code(ex)
    in_class = isinstance(code, int) and 2000 <= code <= 2999
    t.expect(in_class, CLASS_2XXX, f"{what}: status_code {code}" + ("" if in_class else ", not a 2xxx client error"), ex)
    if example is not None and in_class:
        t.expect(code == example, STATUS_2003, f"{what}: status_code {code}" + ("" if code == example else f" (the spec's example shows {example})"), ex, warn=True)


@scenario("start-session.unknown-location", "an unknown Location is refused at OCPI level (HTTP 200, a 2xxx status, 2003 in the spec's example), no CommandResult",
          LOCATION, STATUS_2003, CLASS_2XXX, RESULT_ONCE, writes=True)
async def unknown_location(t) -> None:
    t.root()
    rid, _token, _body, ex = await send_start(t, location=t.probe.target.unknown_location)
    if not t.reached(ex):
        return
    refused_at_ocpi_level(t, ex, "unknown Location", 2003)
    result, _ = command_result(ex)
    if not t.expect(result != "ACCEPTED", LOCATION, f"unknown Location: CommandResponse {result}", ex):
        t.probe.tracker.forget(rid)
        return
    await no_result(t, rid, "a refused StartSession")


@scenario("start-session.unknown-evse", "an unknown EVSE is refused at OCPI level (HTTP 200, not ACCEPTED, a 2xxx status)", UNKNOWN_EVSE, CLASS_2XXX, RESULT_ONCE, writes=True)
async def unknown_evse(t) -> None:
    t.root()
    rid, _token, _body, ex = await send_start(t, evse=t.probe.target.unknown_evse)
    if not t.reached(ex):
        return
    result, _ = command_result(ex)
    if result == "ACCEPTED":
        t.fail(UNKNOWN_EVSE, f"unknown EVSE: CommandResponse {result} (status {status_code(ex)})", ex)
        t.probe.tracker.forget(rid)
        return
    refused_at_ocpi_level(t, ex, "unknown EVSE")
    t.ok(UNKNOWN_EVSE, f"unknown EVSE: CommandResponse {result}", ex)
    await no_result(t, rid, "a refused StartSession")


@scenario("start-session.connector-without-evse", "connector_id without evse_uid is refused at OCPI level: HTTP 200 and a 2xxx status (2.2.1 and later)",
          CONNECTOR, NO_HTTP_ERROR, CLASS_2XXX, writes=True)
async def connector_without_evse(t) -> None:
    t.needs("2.2.1")
    t.root()
    rid, _token, _body, ex = await send_start(t, evse=None, connector=t.probe.target.connector)
    t.probe.tracker.forget(rid)
    if not t.reached(ex):
        return
    refused_at_ocpi_level(t, ex, "connector_id without evse_uid")


async def _silent_start(t) -> tuple[str, Exchange, Any, Any, list[tuple[float, Any]]] | None:
    """Started with the run: the StartSession for the silent EVSE and every answer to it, until
    the advertised timeout (and the grace after it) has passed."""
    evse = t.probe.target.silent_evse
    if evse is None or "commands" not in t.probe.endpoints:
        return None
    rid, _token, _body, ex = await send_start(t, evse=evse)
    result, timeout = command_result(ex)
    if ex.error is not None or result != "ACCEPTED":
        t.probe.tracker.forget(rid)
        return rid, ex, result, timeout, []
    limit = wait_limit(t, timeout)
    got = await t.probe.arrivals(rid, t.probe.sent[rid] + limit + max(t.probe.target.settle, 2.0), t.probe.target.settle)
    return rid, ex, result, timeout, got


@scenario("start-session.silent-charge-point", "a Charge Point that never answers: TIMEOUT, not FAILED, and never after the advertised timeout (--silent-evse)",
          SILENT, IN_TIME, RESULT_ONCE, writes=True, prepare=_silent_start)
async def silent_charge_point(t) -> None:
    evse = t.probe.target.silent_evse
    if evse is None:
        raise Skip("needs --silent-evse: an EVSE the tester knows will not answer")
    t.root()
    found = await t.probe.prepared["start-session.silent-charge-point"] if "start-session.silent-charge-point" in t.probe.prepared else await _silent_start(t)
    if found is None:
        t.probe.endpoint("commands")  # skips, saying why there is none
        return
    rid, ex, result, timeout, got = found
    if not t.reached(ex):
        return
    if result != "ACCEPTED":
        raise Skip(f"the CPO did not accept a StartSession for {evse} (CommandResponse {result}): nothing to wait for")
    limit = wait_limit(t, timeout)
    if not got:
        t.warn(RESULT_ONCE, f"no answer within {limit:g} s (the advertised timeout): the eMSP learns of the silence only from the timeout", ex)
        return
    _when, arrival = got[0]
    posted = arrival_exchange(arrival)
    answer = arrival.result
    value = getattr(getattr(answer, "result", None), "value", None) or getattr(answer, "value", None)
    t.expect(value == "TIMEOUT", SILENT, f"the asynchronous answer for a silent Charge Point is {value}" + ("" if value == "TIMEOUT" else ", expected TIMEOUT"), posted)
    results_audited(t, rid, ex, t.probe.response_url("START_SESSION", rid), got, [IN_TIME])  # the audit's check: before the advertised timeout
