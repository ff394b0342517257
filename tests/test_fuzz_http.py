"""A bounded fuzz of the reference CPO's HTTP app: no input gives a 5xx, every answer is an envelope.

Requests are drawn from every route (the four versions' commands, the 2.2.1 Tokens, Sessions
and CDRs, the Versions module, the simulator, unknown paths), with credentials or without, odd
routing headers, and bodies that are conforming StartSessions with one value replaced by
hostile text (control characters, lone surrogates, huge numbers, bracketed URLs, deep nesting),
any JSON, or any bytes. The CPO runs in process (httpx's ASGI transport); its CommandResult
POSTs go to a mock that answers 200, fails or raises.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.demo import HUB_TOKEN, TNM_TOKEN, demo_config
from ocpi_ref.emsp import token_header
from ocpi_ref.v2_2_1.examples import spec_example

EXAMPLES = 2500
BUDGET = 60.0  # seconds for the whole run

#: Any code point, lone surrogates and control characters included.
hostile_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
hostile_text = st.one_of(
    st.text(hostile_char, max_size=12),
    st.sampled_from(["\ud800", "T\x00M", "T\nM", "\udfff\x85", "9" * 4301, "", " ", "%0A", "²"]),
)
hostile_url = st.one_of(
    st.sampled_from([
        "http://[127.0.0.1]/x", "http://[::1/x", "http://[zz]/x", "http://user:pw@127.0.0.1/x",
        "http://127.0.0.1:99999/x", "http://127.0.0.1/cb/ok", "http://127.0.0.1/cb/fail",
        "http://127.0.0.1/cb/raise", "https://emsp.example.com/cb", "ftp://127.0.0.1/x", "http://127.0.0.1\x00/x",
    ]),
    st.builds(lambda t: "http://127.0.0.1/" + t, hostile_text),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text,
    st.just(10**300), st.just(1e308),
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3), max_leaves=8)

TOKEN = spec_example("token_example_2_full_rfid")
START = {"response_url": "http://127.0.0.1/cb/ok", "token": TOKEN, "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1",
         "connector_id": "1", "authorization_reference": "567890"}
FIELDS = ["response_url", "location_id", "evse_uid", "connector_id", "authorization_reference", "session_id",
          "token.country_code", "token.party_id", "token.uid", "token.type", "token.contract_id", "token.whitelist",
          "token.last_updated", "token.issuer", "unknown", "token.unknown"]


@st.composite
def start_bodies(draw: st.DrawFn) -> bytes:
    """A conforming StartSession (or StopSession) with one or two values replaced."""
    body: dict[str, Any] = copy.deepcopy(START)
    body["token"]["party_id"] = draw(st.sampled_from(["TNM", "ABC", "XYZ"]))
    body["token"]["country_code"] = "DE" if body["token"]["party_id"] == "TNM" else "NL"
    body["evse_uid"] = draw(st.sampled_from(["EVSE-ACC-1", "EVSE-SIL-1", "EVSE-REJ-1", "EVSE-CR-1", "EVSE-NOCAR-1"]))
    for _ in range(draw(st.integers(0, 2))):
        field = draw(st.sampled_from(FIELDS))
        value = draw(hostile_url) if field == "response_url" else draw(st.one_of(hostile_text, json_values))
        where, _, name = field.rpartition(".")
        (body["token"] if where else body)[name] = value
    if draw(st.booleans()):
        body["session_id"] = draw(st.sampled_from(["S-1", "1"]))
    text = json.dumps(body)  # lone surrogates become \ud800 escapes
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


#: Numbers JSON can write but Python cannot hold as they are: too many digits, overflow.
raw_numbers = st.sampled_from([b"9" * 5000, b"1e999999", b"-1e999999", b"0." + b"0" * 5000 + b"1"]).map(
    lambda n: json.dumps({**START, "location_id": "@"}).encode().replace(b'"@"', n)
)
bodies = st.one_of(
    start_bodies(),
    raw_numbers,
    st.builds(lambda v: json.dumps(v).encode(), json_values),
    st.binary(max_size=64),
    st.builds(lambda n: b"[" * n + b"]" * n, st.integers(900, 3000)),
    st.none(),
)
_names = st.sampled_from(["START_SESSION"] * 4 + ["STOP_SESSION"] * 2 + ["RESERVE_NOW", "FOO", "start_session"])
segments = st.one_of(
    _names, _names,
    st.builds(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe=""), hostile_text),
)
versions = st.sampled_from(["2.1.1", "2.2", "2.2.1", "2.2.1", "2.3.0", "9.9"])
query = st.one_of(
    st.just(""),
    st.builds(
        lambda d, lim, off: f"?date_from={quote(d)}&limit={quote(lim)}&offset={quote(off)}",
        st.sampled_from(["2020-01-01T00:00:00Z", "2020-02-30T00:00:00", "x"]),
        st.one_of(st.sampled_from(["5", "0", "9" * 4301, "-1", "²"]), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass").decode("latin-1"))),
        st.sampled_from(["0", "1", "9" * 5000]),
    ),
)
#: (method, path): mostly the method the route serves, sometimes any.
routes = st.one_of(
    st.builds(lambda v, c: ("POST", f"/ocpi/cpo/{v}/commands/{c}"), versions, segments),
    st.builds(lambda m, c, p, u: (m, f"/ocpi/cpo/2.2.1/tokens/{c}/{p}/{u}"),
              st.sampled_from(["GET", "PUT", "PATCH"]), segments, segments, segments),
    st.builds(lambda m, q: ("GET", f"/ocpi/cpo/2.2.1/{m}{q}"), st.sampled_from(["sessions", "cdrs"]), query),
    st.builds(lambda v: ("GET", f"/ocpi/cpo/{v}"), versions),
    st.sampled_from([("GET", "/ocpi/versions"), ("GET", "/ocpi/versions/"), ("GET", "/"),
                     ("POST", "/ocpi/cpo/2.2.1/commands/START_SESSION/")]),
    st.builds(lambda c: ("POST", f"/simulator/charge-points/{c}/authorize"), st.sampled_from(["CP-ACCEPTS", "NOPE"])),
)
methods = st.one_of(st.none(), st.none(), st.none(), st.sampled_from(["POST", "GET", "PUT", "PATCH", "DELETE"]))
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8)
auth = st.one_of(
    st.sampled_from([token_header(TNM_TOKEN)] * 4 + [token_header(HUB_TOKEN)] * 2
                    + [f"Token {TNM_TOKEN}", "Token", "Basic x", None]),
)
requests = st.fixed_dictionaries({
    "method": methods,
    "route": routes,
    "body": bodies,
    "authorization": auth,
    "from": st.one_of(st.none(), st.none(), st.tuples(st.sampled_from(["DE", "NL", "", "D\x7f"]), header_text)),
    "host": st.one_of(st.none(), header_text),
})


def _callback(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/raise"):
        raise httpx.ConnectError("refused")
    return httpx.Response(500 if path.endswith("/fail") else 200, json={"status_code": 1000})


@pytest.mark.rule("commands.response-envelope")
def test_no_request_gives_a_5xx_and_every_answer_is_a_complete_envelope():
    config = demo_config(command_timeout=1, charge_point_deadline=0.01, callback_timeout=0.2, max_backlog=50)
    runner = asyncio.Runner()
    http = httpx.AsyncClient(transport=httpx.MockTransport(_callback))
    app = create_cpo_app(config, http=http)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                               base_url="http://cpo.test")
    seen: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(requests)
    def one(req: dict[str, Any]) -> None:
        method, req["path"] = req.pop("route")
        req["method"] = req["method"] or method
        headers = {}
        if req["authorization"] is not None:
            headers["Authorization"] = req["authorization"]
        if req["from"] is not None:
            headers["OCPI-from-country-code"], headers["OCPI-from-party-id"] = req["from"]
        if req["host"] is not None:
            headers["Host"] = req["host"]
        resp = runner.run(client.request(req["method"], req["path"], content=req["body"], headers=headers))
        seen[resp.status_code] = seen.get(resp.status_code, 0) + 1
        assert resp.status_code < 500, (req, resp.text)
        env = json.loads(resp.content.decode("utf-8"))  # valid UTF-8 JSON, whatever went in
        assert isinstance(env, dict) and isinstance(env.get("status_code"), int), env
        assert isinstance(env.get("timestamp"), str), env
        if resp.status_code == 200 and "/commands/" in req["path"] and req["method"] == "POST":
            assert isinstance(env["data"], dict) and "result" in env["data"], env
        if resp.status_code == 200 and req["path"].startswith("/ocpi/versions"):
            assert isinstance(env["data"], list)
        if "evil" in (req["host"] or "") and resp.status_code == 200:
            assert "evil" not in resp.text

    began = time.monotonic()
    try:
        one()
        runner.run(app.state.cpo.drain(5))
    finally:
        runner.run(client.aclose())
        runner.run(app.state.cpo.aclose())
        runner.run(http.aclose())
        runner.close()
    took = time.monotonic() - began
    assert took < BUDGET, f"{EXAMPLES} examples took {took:.0f} s"
    assert seen.get(200, 0) > EXAMPLES // 20, seen  # the draws reach the handlers, not only refusals
