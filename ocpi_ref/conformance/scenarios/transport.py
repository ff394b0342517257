"""Transport: credentials, malformed and invalid bodies, request ids, timestamps (OCPI 2.2.1 §4, §5).

The two body scenarios POST to the commands endpoint, but what they send is nothing a CPO can
act on (not JSON; JSON without a Token or Location), so they count as read-only.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from urllib.parse import urlsplit

from ...objects import check_envelope
from ...transport.authorization import header
from ...types import DATETIME_PATTERN, DateTime
from ..model import Skip, scenario
from .common import roles_taken, status_code, timestamp_of

CREDENTIALS, ENVELOPE = "commands.credentials-required", "commands.response-envelope"
SYNTAX, INVALID, IDS = "json.syntax", "object.invalid-object-2001", "commands.request-ids-echoed"
ENCODING, CLASS_2XXX = "commands.authorization-encoding", "conformance.client-error-class"


def _probe_url(t) -> str:
    return t.probe.details.url if t.probe.details is not None else t.probe.target.versions_url


def _endpoints(t) -> list[tuple[str, str, str | None]]:
    """Every endpoint the suite calls, as (method, URL, body): the Versions URLs, the commands
    endpoint (a body no CPO can act on) and the modules read later."""
    out: list[tuple[str, str, str | None]] = [("GET", t.probe.target.versions_url, None)]
    if t.probe.details is not None:
        out.append(("GET", t.probe.details.url, None))
    if "commands" in t.probe.endpoints:
        out.append(("POST", f"{t.probe.endpoints['commands']}/START_SESSION", "{}"))
    for module in ("sessions", "cdrs"):
        if module in t.probe.endpoints:
            out.append(("GET", t.probe.endpoints[module], None))
    if "tokens" in t.probe.endpoints:
        party = t.probe.target.parties[0]
        out.append(("GET", f"{t.probe.endpoints['tokens']}/{party.country_code}/{party.party_id}/OCPI-REF-PROBE", None))
    return out


async def _refused(t, auth: str | bool | None, what: str) -> None:
    for method, url, body in _endpoints(t):
        ex = await t.probe.call(method, url, body=body, headers=t.probe.headers(auth=auth, routing=method == "POST"))
        if not t.reached(ex):
            continue
        t.expect(ex.status == 401, CREDENTIALS, f"{what} at {method} {_path(url)}: HTTP {ex.status}" + ("" if ex.status == 401 else ", expected 401"), ex)
        t.findings(check_envelope(ex.response_body or "", version=t.version), f"the {ex.status} answer to {method} {_path(url)}", ex, ENVELOPE)


def _path(url: str) -> str:
    return urlsplit(url).path or url


@scenario("transport.no-credentials", "a request without Authorization gets HTTP 401 and an envelope, at every endpoint the suite calls", CREDENTIALS, ENVELOPE)
async def no_credentials(t) -> None:
    await _refused(t, False, "no Authorization header")


@scenario("transport.unknown-credentials", "a request with an unknown token gets HTTP 401 and an envelope, at every endpoint the suite calls", CREDENTIALS, ENVELOPE)
async def unknown_credentials(t) -> None:
    unknown = t.probe.auth(token="ocpi-ref-unknown-" + t.probe.new_id())
    await _refused(t, unknown, "unknown credentials token")


@scenario("transport.token-encoding", "2.2.1 and later: our token sent unencoded (not Base64) is not taken for our credentials", ENCODING, CREDENTIALS)
async def token_encoding(t) -> None:
    t.needs("2.2.1")
    if t.probe.target.authorization is not None:
        raise Skip(f"--authorization {t.probe.target.authorization}: the tester chose the encoding")
    if t.probe.details is None:
        raise Skip(t.probe.discovery_problem or "no version details to ask")
    ex = await t.probe.call("GET", t.probe.details.url, headers=t.probe.headers(auth=header(t.probe.target.token, "plain")))
    if not t.reached(ex):
        return
    refused = ex.status in (401, 403)  # 401 rather than 403 is judged by the credentials scenarios
    t.expect(refused, ENCODING, f"our token unencoded in OCPI {t.version}: HTTP {ex.status}"
             + ("" if refused else ", taken for our credentials (the header's parameter is the token Base64 encoded, so the plain token matches no party)"), ex)


@scenario("transport.malformed-json", "a body that is not JSON gets HTTP 400 and an envelope", SYNTAX, ENVELOPE)
async def malformed_json(t) -> None:
    url = f"{t.probe.endpoint('commands')}/START_SESSION"
    ex = await t.probe.call("POST", url, body='{"response_url": "', headers=t.probe.headers(routing=True))
    if not t.reached(ex):
        return
    roles_taken(t, ex)
    t.expect(ex.status == 400, SYNTAX, f"malformed JSON: HTTP {ex.status}, expected 400", ex)
    t.findings(check_envelope(ex.response_body or "", version=t.version), f"the {ex.status} answer", ex, ENVELOPE)


@scenario("transport.invalid-object", "valid JSON that breaks StartSession gets HTTP 200 and a 2xxx status (2001 names the case)", INVALID, CLASS_2XXX, ENVELOPE)
async def invalid_object(t) -> None:
    url = f"{t.probe.endpoint('commands')}/START_SESSION"
    body = '{"response_url": "%s", "location_id": 42}' % t.probe.response_url("START_SESSION", "never-" + t.probe.new_id())
    ex = await t.probe.call("POST", url, body=body, headers=t.probe.headers(routing=True))
    if not t.reached(ex):
        return
    roles_taken(t, ex)
    t.expect(ex.status == 200, INVALID, f"a StartSession without token and with a numeric location_id: HTTP {ex.status}"
             + ("" if ex.status == 200 else ", expected 200"), ex)
    code = status_code(ex)
    in_class = isinstance(code, int) and 2000 <= code <= 2999
    t.expect(in_class, CLASS_2XXX, f"status_code {code}" + ("" if in_class else ", not a 2xxx client error (2001: invalid or missing parameters)"), ex)
    t.findings(check_envelope(ex.response_body or "", version=t.version), "the answer", ex, ENVELOPE)


@scenario("transport.request-ids", "X-Request-ID and X-Correlation-ID come back (2.2 and later)", IDS)
async def request_ids(t) -> None:
    t.needs("2.2")
    rid, cid = "req-" + t.probe.new_id(), "corr-" + t.probe.new_id()
    headers = {**t.probe.headers(), "X-Request-ID": rid, "X-Correlation-ID": cid}
    ex = await t.probe.call("GET", _probe_url(t), headers=headers)
    if not t.reached(ex):
        return
    for name, sent in (("X-Request-ID", rid), ("X-Correlation-ID", cid)):
        got = ex.header(name)
        t.expect(got == sent, IDS, f"{name}: sent {sent}, got {got}", ex)


@scenario("transport.timestamps", "every envelope's timestamp is an OCPI DateTime close to now", ENVELOPE, "type.datetime")
async def timestamps(t) -> None:
    seen = [ex for ex in (t.probe.version_list, t.probe.details) if ex is not None and ex.error is None]
    if not seen:
        raise Skip(t.probe.discovery_problem or "no answer to read")
    now = datetime.now(timezone.utc)
    for ex in seen:
        value = timestamp_of(ex)
        if not (isinstance(value, str) and re.match(DATETIME_PATTERN, value)):
            t.fail("type.datetime", f"timestamp {value!r} is not an OCPI DateTime", ex)
            continue
        when = DateTime(value).to_datetime()
        skew = abs((when - now).total_seconds())
        t.expect(skew < 300, ENVELOPE, f"timestamp {value} is {skew:.0f} s away from our clock", ex, warn=True)
