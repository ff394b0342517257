"""Transport: credentials, malformed and invalid bodies, request ids, timestamps (OCPI 2.2.1 §4, §5).

The two body scenarios POST to the commands endpoint, but what they send is nothing a CPO can
act on (not JSON; JSON without a Token or Location), so they count as read-only.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ...objects import check_envelope
from ...types import DATETIME_PATTERN, DateTime
from ..model import Skip, scenario
from .common import status_code, timestamp_of

CREDENTIALS, ENVELOPE = "commands.credentials-required", "commands.response-envelope"
SYNTAX, INVALID, IDS = "json.syntax", "object.invalid-object-2001", "commands.request-ids-echoed"


def _probe_url(t) -> str:
    return t.probe.details.url if t.probe.details is not None else t.probe.target.versions_url


async def _refused(t, headers: dict[str, str], what: str) -> None:
    ex = await t.probe.call("GET", _probe_url(t), headers=headers)
    if not t.reached(ex):
        return
    t.expect(ex.status == 401, CREDENTIALS, f"{what}: HTTP {ex.status}, expected 401", ex)
    t.findings(check_envelope(ex.response_body or "", version=t.version), f"the {ex.status} answer", ex, ENVELOPE)


@scenario("transport.no-credentials", "a request without Authorization gets HTTP 401 and an envelope", CREDENTIALS, ENVELOPE)
async def no_credentials(t) -> None:
    await _refused(t, t.probe.headers(auth=False), "no Authorization header")


@scenario("transport.unknown-credentials", "a request with an unknown token gets HTTP 401 and an envelope", CREDENTIALS, ENVELOPE)
async def unknown_credentials(t) -> None:
    unknown = t.probe.auth(token="ocpi-ref-unknown-" + t.probe.new_id())
    await _refused(t, t.probe.headers(auth=unknown), "unknown credentials token")


@scenario("transport.malformed-json", "a body that is not JSON gets HTTP 400 and an envelope", SYNTAX, ENVELOPE)
async def malformed_json(t) -> None:
    url = f"{t.probe.endpoint('commands')}/START_SESSION"
    ex = await t.probe.call("POST", url, body='{"response_url": "', headers=t.probe.headers())
    if not t.reached(ex):
        return
    t.expect(ex.status == 400, SYNTAX, f"malformed JSON: HTTP {ex.status}, expected 400", ex)
    t.findings(check_envelope(ex.response_body or "", version=t.version), f"the {ex.status} answer", ex, ENVELOPE)


@scenario("transport.invalid-object", "valid JSON that breaks StartSession gets HTTP 200 and status 2001", INVALID, ENVELOPE)
async def invalid_object(t) -> None:
    url = f"{t.probe.endpoint('commands')}/START_SESSION"
    body = '{"response_url": "%s", "location_id": 42}' % t.probe.response_url("START_SESSION", "never-" + t.probe.new_id())
    ex = await t.probe.call("POST", url, body=body, headers=t.probe.headers())
    if not t.reached(ex):
        return
    warn = t.version == "2.1.1"  # the MUST NOT is written from 2.2 on
    t.expect(ex.status == 200, INVALID, f"a StartSession without token and with a numeric location_id: HTTP {ex.status}, expected 200", ex, warn=warn)
    code = status_code(ex)
    t.expect(code == 2001, INVALID, f"status_code {code}, expected 2001 (invalid or missing parameters)", ex, warn=warn)
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
