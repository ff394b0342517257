"""Hostile input against the reference CPO and eMSP: no crash, no silent loss, every answer an envelope.

Each case was an HTTP 500 or a command accepted and then lost: values that cannot be printed or
encoded quoted into a message, URLs that pass the URL type but not ``urlsplit``, query numbers
past Python's digit limit, a response_url with user information, a body nested too deep for
the eMSP's JSON reader, a client that goes away mid-body, paths with a trailing slash, and a
``Host`` header written into the Versions URLs.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from typing import Any

import httpx
import pytest

from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.demo import HUB_TOKEN, TNM_TOKEN, demo_config
from ocpi_ref.cpo.replies import display, safe_text
from ocpi_ref.emsp import token_header
from ocpi_ref.emsp.callback import CommandTracker, create_callback_app

TNM = {"Authorization": token_header(TNM_TOKEN)}
HUB = {"Authorization": token_header(HUB_TOKEN)}
CFG = demo_config(command_timeout=2, charge_point_deadline=0.1, callback_timeout=0.5)


def _ok(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"status_code": 1000, "timestamp": "2025-01-01T00:00:00Z"})


def _exchange(requests: list[tuple[str, str, bytes | None, dict[str, str]]], config=CFG, **app_kw: Any):
    """Send each (method, path, body, headers) to the CPO in process; results POST to a mock."""
    posted: list[httpx.Request] = []

    def callback(request: httpx.Request) -> httpx.Response:
        posted.append(request)
        return _ok(request)

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(callback))
        app = create_cpo_app(config, http=http, **app_kw)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://cpo.test") as client:
            out = []
            for method, path, body, headers in requests:
                out.append(await client.request(method, path, content=body, headers=headers))
                await app.state.cpo.drain()  # what a command started is done before the next
        await http.aclose()
        return out, app.state.cpo, posted

    return asyncio.run(main())


def _envelope(resp: httpx.Response) -> dict[str, Any]:
    """The answer is no 5xx and a complete OCPI envelope in valid UTF-8 JSON."""
    assert resp.status_code < 500, resp.text
    env = json.loads(resp.content.decode("utf-8"))
    assert isinstance(env["status_code"], int) and isinstance(env["timestamp"], str)
    return env


def _start(token: dict[str, Any], **fields: Any) -> bytes:
    body = {"response_url": "http://127.0.0.1/cb/1", "token": token, "location_id": "LOC-0001",
            "evse_uid": "EVSE-ACC-1", **fields}
    return json.dumps(body).encode()


START = "/ocpi/cpo/2.2.1/commands/START_SESSION"
STOP = "/ocpi/cpo/2.2.1/commands/STOP_SESSION"


def test_safe_text_escapes_controls_and_lone_surrogates_only():
    assert safe_text("DE-TNM é €") == "DE-TNM é €"
    assert safe_text("T\x00M\n\x7f\x85\ud800") == "T\\u0000M\\u000a\\u007f\\u0085\\ud800"
    [text] = display("x\ud800" * 600)
    assert len(text.text) == 512 and text.text.isascii()


@pytest.mark.rule("start-session.own-tokens-only", "commands.response-envelope")
@pytest.mark.parametrize(
    "field, value",
    [("country_code", "\ud800"), ("party_id", "T\u0000M"), ("party_id", "T\nM"), ("uid", "\udfff\x00")],
    ids=["lone-surrogate", "nul", "newline", "surrogate-and-nul"],
)
def test_an_unprintable_or_unencodable_token_field_is_refused_in_a_valid_envelope(rfid_token, field, value):
    token = {**rfid_token, field: value}
    [resp], cpo, posted = _exchange([("POST", START, _start(token), TNM)])
    env = _envelope(resp)
    assert env["status_code"] in (2001, 2000) and "\\u" in env["status_message"]
    if "data" in env:
        assert env["data"]["result"] == "REJECTED"
    assert cpo.deliveries == [] and posted == []


@pytest.mark.rule("type.open-enum")
def test_a_control_character_in_a_2_3_0_command_name_is_quoted_escaped(start_session):
    [resp], _, _ = _exchange([("POST", "/ocpi/cpo/2.3.0/commands/FOO%0A", json.dumps(start_session).encode(), TNM)])
    env = _envelope(resp)
    assert env["data"]["result"] == "NOT_SUPPORTED"
    assert "FOO\\u000a" in env["data"]["message"][0]["text"]


@pytest.mark.rule("type.url")
@pytest.mark.parametrize("url", ["http://[127.0.0.1]/x", "http://[::1/x", "http://[zz]/x"])
def test_a_bracketed_host_that_is_no_ip_literal_is_not_a_url(rfid_token, url):
    """RFC 3986 refuses these before the CPO looks at the host (the URL type, OCPI §16.7)."""
    _refused_start_and_stop(rfid_token, url, "type.url")


@pytest.mark.rule("commands.response-url-allowed")
def test_a_response_url_without_a_readable_host_is_refused_start_and_stop(rfid_token):
    """A port past 65535 is RFC 3986 syntax (``*DIGIT``), yet no host:port to POST to."""
    _refused_start_and_stop(rfid_token, "http://127.0.0.1:99999/x", "commands.response-url-allowed")


def _refused_start_and_stop(token: dict[str, Any], url: str, rule: str) -> Any:
    """A StartSession and a StopSession with response_url *url*: both REJECTED under *rule*."""
    stop = json.dumps({"response_url": url, "session_id": "S-1"}).encode()
    (start_resp, stop_resp), cpo, posted = _exchange(
        [("POST", START, _start(token, response_url=url), TNM), ("POST", STOP, stop, TNM)]
    )
    for resp in (start_resp, stop_resp):
        env = _envelope(resp)
        assert env["status_code"] == 2001 and env["data"]["result"] == "REJECTED"
        assert rule in env["status_message"] and "pw" not in resp.text
    assert cpo.deliveries == [] and posted == []
    return cpo


@pytest.mark.rule("commands.response-url-no-userinfo")
def test_a_response_url_with_user_information_is_refused_up_front(rfid_token):
    cpo = _refused_start_and_stop(rfid_token, "http://user:pw@127.0.0.1/x", "commands.response-url-no-userinfo")
    assert cpo.charge_point("CP-ACCEPTS").remote_starts == 0


@pytest.mark.parametrize("module", ["sessions", "cdrs"])
@pytest.mark.parametrize("param", ["limit", "offset"])
@pytest.mark.parametrize("raw", ["9" * 4301, "0" * 5000 + "5", "²"])
def test_huge_or_odd_page_numbers_give_a_page_or_a_refusal_never_500(module, param, raw):
    path = f"/ocpi/cpo/2.2.1/{module}?date_from=2020-01-01T00:00:00Z&{param}={raw}"
    [resp], _, _ = _exchange([("GET", path, None, TNM)])
    env = _envelope(resp)
    if raw == "²":
        assert env["status_code"] == 2001
    else:
        assert env["status_code"] == 1000 and env["data"] == []
        assert int(resp.headers["X-Limit"]) <= 100


@pytest.mark.rule("commands.response-envelope")
@pytest.mark.parametrize("path", [START + "/", "/ocpi/versions/", "/ocpi/cpo/2.2.1/"])
def test_a_trailing_slash_is_an_unknown_path_in_an_envelope_not_a_redirect(path, start_session):
    [resp], _, _ = _exchange([("POST" if "commands" in path else "GET", path, json.dumps(start_session).encode(), TNM)])
    assert resp.status_code == 404
    _envelope(resp)


def test_the_versions_urls_never_echo_the_host_header():
    headers = {**TNM, "Host": "evil.example"}
    [listed, detail], _, _ = _exchange([("GET", "/ocpi/versions", None, headers), ("GET", "/ocpi/cpo/2.2.1", None, headers)])
    assert "evil" not in listed.text + detail.text
    assert _envelope(listed)["data"][0]["url"].startswith("http://cpo.test/ocpi/cpo/")
    public = demo_config(public_url="https://cpo.example.com/")
    [listed], _, _ = _exchange([("GET", "/ocpi/versions", None, headers)], config=public)
    assert {v["url"] for v in _envelope(listed)["data"]} == {
        f"https://cpo.example.com/ocpi/cpo/{v}" for v in ("2.1.1", "2.2", "2.2.1", "2.3.0")
    }


def test_the_pagination_link_never_echoes_the_host_header(rfid_token):
    """Two Sessions, a page of one: the Link to the next page starts at the public root."""
    one, two = (_start(rfid_token, evse_uid=evse) for evse in ("EVSE-ACC-1", "EVSE-ACC-2"))  # one car per EVSE
    get = "/ocpi/cpo/2.2.1/sessions?date_from=2000-01-01T00:00:00Z&limit=1"
    config = demo_config(command_timeout=2, charge_point_deadline=0.1, public_url="https://cpo.example.com")
    *_, page = _exchange([("POST", START, one, TNM), ("POST", START, two, TNM), ("GET", get, None, TNM),
                          ("GET", get, None, {**TNM, "Host": "evil.example"})], config=config)[0]
    assert page.headers["link"].startswith("<https://cpo.example.com/ocpi/cpo/2.2.1/sessions?")
    assert "evil" not in page.headers["link"]


# ---------------------------------------------------------------------------- body read timeout


async def _asgi(app, path: str, chunks: list[bytes], then: str, headers: list[tuple[bytes, bytes]]):
    """Call *app* with a body that arrives as *chunks* and then *then*: ``hang`` or ``disconnect``."""
    sent: list[dict[str, Any]] = []
    queue = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]

    async def receive() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        if then == "disconnect":
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": headers, "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1)}
    await asyncio.wait_for(app(scope, receive, send), 5)
    return sent


@pytest.mark.rule("commands.body-read-timeout", "commands.response-envelope")
def test_a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes():
    config = demo_config(body_read_timeout=0.05)
    app = create_cpo_app(config)
    headers = [(b"authorization", TNM["Authorization"].encode()), (b"content-length", b"300")]
    sent = asyncio.run(_asgi(app, START, [b'{"token": '], "hang", headers))
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    assert start["status"] == 408 and (b"connection", b"close") in start["headers"]
    env = json.loads(body)
    assert env["status_code"] == 2000 and "commands.body-read-timeout" in env["status_message"]


@pytest.mark.rule("commands.body-read-timeout")
def test_over_tcp_a_held_back_body_is_answered_and_closed_by_the_server():
    from ocpi_ref.transport.servers import serve_in_task

    async def main() -> tuple[bytes, float]:
        app = create_cpo_app(demo_config(body_read_timeout=0.2))
        async with serve_in_task(app) as running:
            host, port = running.url.removeprefix("http://").split(":")
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(
                f"POST {START} HTTP/1.1\r\nHost: x\r\nAuthorization: {TNM['Authorization']}\r\n"
                "Content-Length: 500\r\n\r\n{\"tok".encode()
            )
            await writer.drain()
            loop = asyncio.get_running_loop()
            began = loop.time()
            answer = await asyncio.wait_for(reader.read(), 5)  # read() ends when the server closes
            writer.close()
            return answer, loop.time() - began

    answer, took = asyncio.run(main())
    assert answer.startswith(b"HTTP/1.1 408") and b"commands.body-read-timeout" in answer
    assert took < 3


# ---------------------------------------------------------------------------- the eMSP's callback


def _callback_requests(requests: list[tuple[str, bytes]]) -> list[httpx.Response]:
    async def main():
        app = create_callback_app(CommandTracker())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="http://emsp.test") as client:
            return [await client.post(p, content=b) for p, b in requests]

    return asyncio.run(main())


@pytest.mark.parametrize("depth", [200, 1000, 1200, 100_000])
def test_the_emsp_callback_answers_a_deeply_nested_body_without_500(depth):
    nested = b"[" * depth + b"]" * depth
    wrapped = b'{"result": "ACCEPTED", "x": ' + nested + b"}"
    path = "/ocpi/emsp/2.2.1/commands/START_SESSION/r1"
    for resp in _callback_requests([(path, nested), (path, wrapped)]):
        assert resp.status_code < 500
        assert json.loads(resp.content)["status_code"] in (1000, 2001)


def test_the_emsp_callback_answers_a_trailing_slash_with_404_in_an_envelope():
    [resp] = _callback_requests([("/ocpi/emsp/2.2.1/commands/START_SESSION/r1/", b"{}")])
    assert resp.status_code == 404 and json.loads(resp.content)["status_code"] == 2000


def test_a_client_that_goes_away_mid_body_logs_no_error(caplog):
    app = create_callback_app(CommandTracker())
    cpo = create_cpo_app(CFG)
    with caplog.at_level(logging.DEBUG):
        asyncio.run(_asgi(app, "/ocpi/emsp/2.2.1/commands/START_SESSION/r1", [b'{"res'], "disconnect", []))
        asyncio.run(_asgi(cpo, START, [b'{"tok'], "disconnect", [(b"authorization", TNM["Authorization"].encode())]))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---------------------------------------------------------------------------- delivery failures


@pytest.mark.rule("commands.no-retry")
@pytest.mark.parametrize("exc", [RuntimeError("odd"), ValueError("bad url"), httpx.ReadTimeout("slow")])
def test_every_delivery_failure_whatever_its_exception_is_logged_not_delivered(rfid_token, exc, caplog):
    def boom(_: httpx.Request) -> httpx.Response:
        raise exc

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(boom))
        app = create_cpo_app(CFG, http=http)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cpo.test") as client:
            resp = await client.post(START, content=_start(rfid_token), headers=TNM)
            await app.state.cpo.drain()
        return resp, app.state.cpo

    with caplog.at_level(logging.WARNING, logger="ocpi_ref.cpo"):
        resp, cpo = asyncio.run(main())
    assert resp.json()["data"]["result"] == "ACCEPTED"
    [delivery] = cpo.deliveries
    assert not delivery.delivered and delivery.outcome == "failed" and type(exc).__name__ in delivery.error
    assert any("not delivered" in r.getMessage() for r in caplog.records)


@pytest.mark.rule("commands.no-retry")
def test_the_own_aiohttp_client_refusing_a_url_is_a_logged_failure_too(caplog):
    from ocpi_ref.cpo.delivery import Deliverer
    from ocpi_ref.party import PartyId
    from ocpi_ref.v2_2_1.enums import CommandResultType

    deliverer = Deliverer(CFG)
    partner = CFG.partners[0]

    async def main():
        try:
            await deliverer.post_result("START_SESSION", "http://user:pw@127.0.0.1:1/x", CommandResultType.ACCEPTED,
                                        "ok", partner, PartyId("DE", "TNM"), "c-1")
        finally:
            await deliverer.aclose()

    with caplog.at_level(logging.WARNING, logger="ocpi_ref.cpo"):
        asyncio.run(main())
    [delivery] = deliverer.deliveries
    assert delivery.outcome == "failed" and delivery.error
    assert any("not delivered" in r.getMessage() for r in caplog.records)


def test_hub_and_tnm_share_nothing_but_the_app(start_session):
    body = copy.deepcopy(start_session)
    body["token"].update(country_code="NL", party_id="ABC")
    body["response_url"] = "http://127.0.0.1/cb/hub"
    body.pop("connector_id")
    body["evse_uid"] = "EVSE-ACC-1"
    [resp], cpo, posted = _exchange([("POST", START, json.dumps(body).encode(), HUB)])
    assert _envelope(resp)["data"]["result"] == "ACCEPTED"
    assert [d.partner for d in cpo.deliveries] == ["HUB"] and len(posted) == 1


@pytest.mark.rule("type.string")
@pytest.mark.parametrize(
    ("name", "escaped"),
    [("%F0%92%8E%9A", "\\U0001239a"), ("A%E2%80%A8B", "A\\u2028B"), ("Z%E2%80%8BW", "Z\\u200bW")],
)
def test_a_2_3_0_command_name_no_ocpi_string_may_hold_is_quoted_escaped(start_session, name, escaped):
    """Unassigned code points, line and format characters are not printable OCPI text (§16.6):
    found by the HTTP fuzz test as a 500 once the string type became exact."""
    body = json.dumps({**start_session, "location_id": 9 * 10**1200}).encode()  # a refusal too
    [resp], _, _ = _exchange([("POST", f"/ocpi/cpo/2.3.0/commands/{name}", body, TNM)])
    env = _envelope(resp)
    assert resp.status_code == 200 and env["data"]["result"] == "NOT_SUPPORTED"
    assert env["data"]["message"][0]["text"].startswith(escaped + " is not a command")


def test_safe_text_keeps_what_an_ocpi_string_may_hold():
    from ocpi_ref.flow.text import safe_text

    kept = "Zürich 東京 € – a\u00a0b \u200d"  # letters, symbols, a no-break space, a joiner
    assert safe_text(kept) == kept
    assert safe_text("a\x00b\ud800c") == "a\\u0000b\\ud800c"


@pytest.mark.rule("json.syntax")
@pytest.mark.parametrize("path", [START, STOP, "/ocpi/cpo/2.2.1/commands/UNLOCK_CONNECTOR"])
def test_a_byte_order_mark_is_ignored_not_answered_with_400(start_session, path):
    """The BOM is a json.syntax *warning*: the body is JSON, so it gets an OCPI answer (found in review:
    every commands endpoint answered HTTP 400 with no message)."""
    body = b"\xef\xbb\xbf" + json.dumps({**start_session, "location_id": "LOC-9999"}).encode()
    [resp], _, _ = _exchange([("POST", path, body, TNM)])
    assert resp.status_code == 200 and _envelope(resp)["status_code"] in (1000, 2001, 2003)
