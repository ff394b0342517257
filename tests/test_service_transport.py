"""Transport rules of the reference CPO over real HTTP: credentials, headers, envelope, sizes."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from typing import Any

import httpx
import pytest

from ocpi_ref.types import DATETIME_PATTERN
from ocpi_ref.cpo.demo import TNM_TOKEN, demo_config
from ocpi_ref.emsp import token_header
from ocpi_ref.harness import loopback

CFG = demo_config(command_timeout=2, charge_point_deadline=0.2, max_body_bytes=2048)
AUTH = {"Authorization": token_header(TNM_TOKEN)}


def _start(start_session: dict[str, Any], url: str, **changes: Any) -> bytes:
    body = {**start_session, "response_url": url + "/ocpi/emsp/2.2.1/commands/START_SESSION/x1",
            "evse_uid": "EVSE-ACC-1", **changes}
    return json.dumps(body).encode()


def _requests(start_session: dict[str, Any], cases: list[tuple[str, str, dict[str, str], Any]]) -> list[httpx.Response]:
    async def main() -> list[httpx.Response]:
        async with loopback(CFG, partners=["TNM"]) as lb:
            cb = lb.emsps["TNM"].callback_url
            async with httpx.AsyncClient() as client:
                out = []
                for method, path, headers, body in cases:
                    content = body(start_session, cb) if callable(body) else body
                    out.append(await client.request(method, lb.cpo_url + path, headers=headers, content=content))
                return out

    return asyncio.run(main())


def _assert_envelope(resp: httpx.Response) -> dict[str, Any]:
    body = resp.json()
    assert isinstance(body["status_code"], int) and 1000 <= body["status_code"] <= 9999
    assert re.match(DATETIME_PATTERN, body["timestamp"])
    assert resp.headers["content-type"] == "application/json"
    return body


@pytest.mark.rule("commands.credentials-required", "commands.response-envelope")
def test_missing_malformed_or_unknown_credentials_get_401(start_session) -> None:
    unknown = "Token " + base64.b64encode(b"who-knows").decode()
    plain = f"Token {TNM_TOKEN}"  # not Base64: OCPI 2.2.1 wants the token encoded
    cases = [
        ("POST", "/commands/START_SESSION", {}, _start),
        ("POST", "/commands/START_SESSION", {"Authorization": unknown}, _start),
        ("POST", "/commands/START_SESSION", {"Authorization": plain}, _start),
        ("POST", "/commands/START_SESSION", {"Authorization": "Bearer " + TNM_TOKEN}, _start),
        ("GET", "/sessions?date_from=2020-01-01T00:00:00Z", {}, None),
        ("GET", "/tokens/DE/TNM/12345678905880", {"Authorization": unknown}, None),
    ]
    for resp in _requests(start_session, cases):
        assert resp.status_code == 401
        body = _assert_envelope(resp)
        assert "commands.credentials-required" in body["status_message"]
        assert "data" not in body


@pytest.mark.rule("commands.credentials-required")
def test_valid_credentials_pass(start_session) -> None:
    [resp] = _requests(start_session, [("POST", "/commands/START_SESSION", AUTH, _start)])
    assert resp.status_code == 200 and resp.json()["data"]["result"] == "ACCEPTED"


@pytest.mark.rule("commands.request-ids-echoed")
def test_request_and_correlation_ids_are_echoed_even_on_errors(start_session) -> None:
    ids = {"X-Request-ID": "req-42", "X-Correlation-ID": "corr-7"}
    cases = [
        ("POST", "/commands/START_SESSION", {**AUTH, **ids}, _start),
        ("POST", "/commands/START_SESSION", ids, _start),  # 401
        ("POST", "/commands/START_SESSION", {**AUTH, **ids}, b"{not json"),  # 400
        ("GET", "/nowhere", ids, None),  # 404
    ]
    for resp in _requests(start_session, cases):
        assert resp.headers["x-request-id"] == "req-42"
        assert resp.headers["x-correlation-id"] == "corr-7"
    [fresh] = _requests(start_session, [("POST", "/commands/START_SESSION", AUTH, _start)])
    assert fresh.headers["x-request-id"] and fresh.headers["x-correlation-id"]


@pytest.mark.rule("json.syntax", "commands.response-envelope")
def test_malformed_json_is_http_400_with_envelope(start_session) -> None:
    cases = [
        ("POST", "/commands/START_SESSION", AUTH, b'{"response_url": '),
        ("POST", "/commands/START_SESSION", AUTH, b"\xff\xfe{}"),
        ("POST", "/commands/STOP_SESSION", AUTH, b"[1,"),
        ("POST", "/commands/UNLOCK_CONNECTOR", AUTH, b"nope"),
    ]
    for resp in _requests(start_session, cases):
        assert resp.status_code == 400
        body = _assert_envelope(resp)
        assert body["status_code"] == 2001 and "[json.syntax]" in body["status_message"]


@pytest.mark.rule("commands.body-size-limit", "commands.response-envelope")
def test_body_over_the_limit_is_413(start_session) -> None:
    big = _start(start_session, "http://127.0.0.1:1", padding="x" * 4096)
    [resp] = _requests(start_session, [("POST", "/commands/START_SESSION", AUTH, big)])
    assert resp.status_code == 413
    body = _assert_envelope(resp)
    assert "2048" in body["status_message"] and "commands.body-size-limit" in body["status_message"]


@pytest.mark.rule("commands.body-size-limit")
def test_chunked_body_over_the_limit_is_413(start_session) -> None:
    async def chunks():
        for _ in range(10):
            yield b" " * 512

    async def main() -> httpx.Response:
        async with loopback(CFG, partners=["TNM"]) as lb:
            async with httpx.AsyncClient() as client:
                return await client.post(lb.cpo_url + "/commands/START_SESSION", headers=AUTH, content=chunks())

    resp = asyncio.run(main())
    assert resp.status_code == 413 and resp.json()["status_code"] == 2000


@pytest.mark.rule("commands.other-commands-not-supported", "commands.response-envelope")
def test_other_commands_answer_not_supported_and_unknown_ones_404(start_session) -> None:
    unlock = json.dumps({"response_url": "http://127.0.0.1:1/x", "location_id": "LOC-0001",
                         "evse_uid": "EVSE-ACC-1", "connector_id": "1"}).encode()
    cases = [
        ("POST", "/commands/UNLOCK_CONNECTOR", AUTH, unlock),
        ("POST", "/commands/RESERVE_NOW", AUTH, b"{}"),
        ("POST", "/commands/CANCEL_RESERVATION", AUTH, b"{}"),
        ("POST", "/commands/start_session", AUTH, _start),  # CommandType is an exact enum
        ("DELETE", "/commands/START_SESSION", AUTH, None),
    ]
    r1, r2, r3, unknown, delete = _requests(start_session, cases)
    for resp in (r1, r2, r3):
        body = _assert_envelope(resp)
        assert resp.status_code == 200 and body["status_code"] == 1000
        assert body["data"]["result"] == "NOT_SUPPORTED" and body["data"]["timeout"] == 2
    assert unknown.status_code == 404 and _assert_envelope(unknown)["status_code"] == 2000
    assert delete.status_code == 405 and _assert_envelope(delete)["status_code"] == 2000
