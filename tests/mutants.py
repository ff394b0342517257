"""Broken CPOs for the conformance suite's own tests: the reference CPO behind an ASGI wrapper
that breaks exactly one rule, plus a relay that mangles the CPO's CommandResult POSTs.

Each :data:`MUTANTS` entry names the mutation, the scenario that must fail (or warn) because
of it, and the status it must get there; every other scenario must keep its status against the
reference CPO. Nothing here touches ``ocpi_ref/cpo``: the wrapper alters requests on their way
in and answers on their way out, and the relay sits on the response_url.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.config import CpoConfig
from ocpi_ref.transport.servers import serve_in_task

OWN_ROLE = ("DE", "TNM")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


@dataclass
class Call:
    """One request as the wrapper sees it, and the answer the CPO gave."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    answer: bytes = b""
    kept: dict[str, str] = field(default_factory=dict)
    """The CPO's answer headers, but for the length and type the wrapper sets again."""

    @property
    def start_session(self) -> bool:
        return self.method == "POST" and self.path.endswith("/commands/START_SESSION")

    @property
    def command(self) -> bool:
        return self.method == "POST" and "/commands/" in self.path


Mutation = Callable[["Wrapper", Call], None]


class Wrapper:
    """ASGI middleware around the reference CPO: *before* may rewrite the request (or answer
    it itself by setting ``status``), *after* may rewrite the answer."""

    def __init__(self, app: Any, before: Mutation | None = None, after: Mutation | None = None) -> None:
        self.app, self.before, self.after = app, before, after
        self.relay: Relay | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        call = Call(scope["method"], scope["path"], headers, body)
        if self.before:
            self.before(self, call)
        if not call.status:
            await self._forward(scope, call)
            if self.after:
                self.after(self, call)
        out_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(call.answer)).encode())]
        out_headers += [(k.encode(), v.encode()) for k, v in call.kept.items()]
        await send({"type": "http.response.start", "status": call.status, "headers": out_headers})
        await send({"type": "http.response.body", "body": call.answer})

    async def _forward(self, scope: dict[str, Any], call: Call) -> None:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": call.body, "more_body": False}

        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in call.headers.items() if k != "content-length"]
        raw_headers.append((b"content-length", str(len(call.body)).encode()))
        inner = {**scope, "headers": raw_headers}
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                call.status = message["status"]
                for k, v in message.get("headers", []):
                    name = k.decode("latin-1").lower()
                    if name not in ("content-length", "content-type"):
                        call.kept[name] = v.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, send)
        call.answer = b"".join(chunks)


def _edit_request(call: Call, edit: Callable[[dict[str, Any]], None]) -> None:
    doc = _json(call.body)
    if isinstance(doc, dict):
        edit(doc)
        call.body = json.dumps(doc).encode()


def _edit_answer(call: Call, edit: Callable[[dict[str, Any]], None]) -> None:
    doc = _json(call.answer)
    if isinstance(doc, dict):
        edit(doc)
        call.answer = json.dumps(doc).encode()


# ---------------------------------------------------------------------- the mutations


def invalid_422(w: Wrapper, call: Call) -> None:
    """A framework's validation: a StartSession without a token gets HTTP 422 and its detail body."""
    doc = _json(call.body)
    if call.start_session and isinstance(doc, dict) and "token" not in doc and "response_url" in doc:
        call.status = 422
        call.answer = json.dumps({"detail": [{"loc": ["body", "token"], "msg": "Field required", "type": "missing"}]}).encode()


def credentials_403(w: Wrapper, call: Call) -> None:
    """Unknown credentials (a token was sent) get 403 instead of 401."""
    if call.status == 401 and "authorization" in call.headers:
        call.status = 403


def no_ownership_check(w: Wrapper, call: Call) -> None:
    """Every Token is taken as the caller's own: its owner is overwritten on the way in."""
    def edit(doc: dict[str, Any]) -> None:
        token = doc.get("token")
        if isinstance(token, dict) and "country_code" in token:
            token["country_code"], token["party_id"] = OWN_ROLE

    if call.start_session:
        _edit_request(call, edit)


def checks_validity(w: Wrapper, call: Call) -> None:
    """A Token with valid: false is refused before the Charge Point sees it."""
    doc = _json(call.body)
    if call.start_session and isinstance(doc, dict) and isinstance(doc.get("token"), dict) and doc["token"].get("valid") is False:
        call.status = 200
        call.answer = json.dumps({"data": {"result": "REJECTED", "timeout": 30}, "status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}).encode()


SILENT_EVSE = "EVSE-SIL-1"


def _via_relay(mode: str, *, silent: bool = False) -> Mutation:
    """Route the CommandResults of StartSessions for the silent EVSE (*silent*) or for every
    other EVSE through the relay in *mode*."""
    def mutate(w: Wrapper, call: Call) -> None:
        assert w.relay is not None
        doc = _json(call.body)
        if call.start_session and isinstance(doc, dict) and (doc.get("evse_uid") == SILENT_EVSE) == silent:
            _edit_request(call, lambda doc: doc.update(response_url=w.relay.route(str(doc.get("response_url")), mode)))
    return mutate


def commands_403(w: Wrapper, call: Call) -> None:
    """Unknown credentials get 403 instead of 401, but only at the commands endpoint."""
    if call.status == 401 and "authorization" in call.headers and "/commands/" in call.path:
        call.status = 403


def short_timeout(w: Wrapper, call: Call) -> None:
    """Advertise a 1-second timeout for StartSession (the relay delivers the result later)."""
    def edit(doc: dict[str, Any]) -> None:
        if isinstance(doc.get("data"), dict) and "timeout" in doc["data"]:
            doc["data"]["timeout"] = 1

    doc = _json(call.body)
    if call.start_session and isinstance(doc, dict) and doc.get("evse_uid") != SILENT_EVSE:
        _edit_answer(call, edit)


def list_data(w: Wrapper, call: Call) -> None:
    """Every command answer's data is wrapped in a list."""
    if call.command:
        _edit_answer(call, lambda doc: doc.update(data=[doc["data"]]) if isinstance(doc.get("data"), dict) else None)


def lower_case(w: Wrapper, call: Call) -> None:
    """CiStrings are lower-cased on the way in: the Token uid and the authorization_reference."""
    def edit(doc: dict[str, Any]) -> None:
        if isinstance(doc.get("token"), dict) and isinstance(doc["token"].get("uid"), str):
            doc["token"]["uid"] = doc["token"]["uid"].lower()
        if isinstance(doc.get("authorization_reference"), str):
            doc["authorization_reference"] = doc["authorization_reference"].lower()

    if call.start_session:
        _edit_request(call, edit)


def no_commands_endpoint(w: Wrapper, call: Call) -> None:
    """The version details leave the commands endpoint out."""
    def edit(doc: dict[str, Any]) -> None:
        data = doc.get("data")
        if isinstance(data, dict) and isinstance(data.get("endpoints"), list):
            data["endpoints"] = [e for e in data["endpoints"] if e.get("identifier") != "commands"]

    if call.method == "GET" and call.path.startswith("/ocpi/cpo/"):
        _edit_answer(call, edit)


def takes_plain_token(w: Wrapper, call: Call) -> None:
    """The credentials token is taken unencoded in 2.2.1 too (re-encoded before the CPO sees it)."""
    import base64

    from ocpi_ref.cpo.demo import TNM_TOKEN

    auth = call.headers.get("authorization", "")
    if auth.startswith("Token ") and auth[6:] == TNM_TOKEN:
        call.headers["authorization"] = "Token " + base64.b64encode(TNM_TOKEN.encode()).decode()


def unknown_evse_2001(w: Wrapper, call: Call) -> None:
    """An unknown EVSE is answered with status 2001 (the spec names no code for it)."""
    doc = _json(call.body)
    if call.start_session and isinstance(doc, dict) and doc.get("evse_uid") == "OCPI-REF-NO-SUCH-EVSE":
        _edit_answer(call, lambda d: d.update(status_code=2001))


def accepts_unknown_evse(w: Wrapper, call: Call) -> None:
    """A StartSession for an EVSE the CPO does not have is ACCEPTED (it runs on a known one)."""
    doc = _json(call.body)
    if call.start_session and isinstance(doc, dict) and doc.get("evse_uid") == "OCPI-REF-NO-SUCH-EVSE":
        _edit_request(call, lambda d: d.update(evse_uid="EVSE-ACC-1"))


def unknown_location_2001(w: Wrapper, call: Call) -> None:
    """An unknown Location is answered with status 2001, not the 2003 of the spec's example."""
    if call.start_session:
        _edit_answer(call, lambda d: d.update(status_code=2001) if d.get("status_code") == 2003 else None)


def invalid_2000(w: Wrapper, call: Call) -> None:
    """An invalid body is answered with the generic 2000 rather than 2001."""
    if call.start_session:
        _edit_answer(call, lambda d: d.update(status_code=2000) if d.get("status_code") == 2001 else None)


def stores_tokens(w: Wrapper, call: Call) -> None:
    """The Token of a StartSession is stored: the Tokens GET returns it."""
    if call.method == "GET" and "/tokens/" in call.path and call.status not in (401, 403):  # after the CPO's own credentials check
        uid = call.path.rsplit("/", 1)[-1]
        call.status = 200
        call.answer = json.dumps({"data": {"uid": uid, "type": "RFID"}, "status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}).encode()


def auth_whitelist(w: Wrapper, call: Call) -> None:
    """Sessions say auth_method WHITELIST (a definition-based reading, not a SHALL)."""
    def edit(doc: dict[str, Any]) -> None:
        for session in doc.get("data") or []:
            if isinstance(session, dict):
                session["auth_method"] = "WHITELIST"

    if call.method == "GET" and call.path.endswith("/sessions"):
        _edit_answer(call, edit)


def versions_object_22(w: Wrapper, call: Call) -> None:
    """The 2.2 version list as the 2.2 Data table shows it: ``{"versions": [...]}``."""
    if call.method == "GET" and call.path == "/ocpi/versions":
        _edit_answer(call, lambda d: d.update(data={"versions": d["data"]}) if isinstance(d.get("data"), list) else None)


class Relay:
    """Stands on the response_url: forwards the CPO's CommandResult twice, or late."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, str]] = {}
        self.base = ""
        self._ids = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()
        self.http = httpx.AsyncClient(timeout=5)

    def route(self, url: str, mode: str) -> str:
        key = str(next(self._ids))
        self.routes[key] = (url, mode)
        return f"{self.base}/relay/{key}"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"] if k.decode().lower() not in ("host", "content-length")}
        url, mode = self.routes[scope["path"].rsplit("/", 1)[-1]]
        task = asyncio.ensure_future(self._deliver(url, mode, headers, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        answer = json.dumps({"status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": answer})

    async def _deliver(self, url: str, mode: str, headers: dict[str, str], body: bytes) -> None:
        if mode == "late":
            await asyncio.sleep(1.6)
        if mode == "late-timeout":
            await asyncio.sleep(1.2)  # the CPO answers at 1 s (its Charge Point deadline); 2 s advertised
        if mode == "no-ids":
            headers = {k: v for k, v in headers.items() if k.lower() not in ("x-request-id", "x-correlation-id")}
        if mode == "failed":
            body = body.replace(b'"TIMEOUT"', b'"FAILED"')
        for _ in range(2 if mode == "twice" else 1):
            try:
                await self.http.post(url, content=body, headers=headers)
            except httpx.HTTPError:
                pass


@dataclass(frozen=True)
class Mutant:
    """*status* is what the scenario must get; None: FAIL when *rule* obliges the CPO, else WARN."""

    name: str
    scenario: str
    status: str | None
    rule: str
    before: Mutation | None = None
    after: Mutation | None = None
    relay: bool = False


MUTANTS = (
    Mutant("422 for invalid bodies", "transport.invalid-object", None, "object.invalid-object-2001", before=invalid_422),
    Mutant("403 for bad credentials", "transport.unknown-credentials", None, "commands.credentials-required", after=credentials_403),
    Mutant("403 at the commands endpoint", "transport.unknown-credentials", None, "commands.credentials-required", after=commands_403),
    Mutant("checks validity", "start-session.token-not-validated", None, "start-session.cpo-no-validity-check", before=checks_validity),
    Mutant("two CommandResults", "start-session.accepted", None, "audit.one-result", before=_via_relay("twice"), relay=True),
    Mutant("a CommandResult after the timeout", "start-session.accepted", None, "audit.result-within-timeout",
           before=_via_relay("late"), after=short_timeout, relay=True),
    Mutant("no request ids on the CommandResult POST", "start-session.accepted", None, "conformance.request-ids-on-requests",
           before=_via_relay("no-ids"), relay=True),
    Mutant("FAILED for a silent Charge Point", "start-session.silent-charge-point", None, "commands.timeout-when-silent",
           before=_via_relay("failed", silent=True), relay=True),
    Mutant("a TIMEOUT after the advertised timeout", "start-session.silent-charge-point", None, "audit.result-within-timeout",
           before=_via_relay("late-timeout", silent=True), relay=True),
    Mutant("list-wrapped data", "start-session.accepted", None, "object.envelope-data", after=list_data),
    Mutant("takes an unencoded token in 2.2.1", "transport.token-encoding", None, "commands.authorization-encoding", before=takes_plain_token),
    Mutant("a lower-cased echo", "session.case-preserved", "warn", "type.cistring", before=lower_case),
    Mutant("no commands endpoint", "discovery.commands-endpoint", None, "object.commands-endpoint", after=no_commands_endpoint),
)

#: CPOs that make a choice the spec allows: the suite must not FAIL any of them.
VARIANTS = (
    Mutant("accepts foreign Tokens", "start-session.foreign-token", "warn", "start-session.own-tokens-only", before=no_ownership_check),
    Mutant("accepts an unknown EVSE", "start-session.unknown-evse", "warn", "conformance.unknown-evse-refused", before=accepts_unknown_evse),
    Mutant("2001 for an unknown EVSE", "start-session.unknown-evse", "pass", "conformance.client-error-class", after=unknown_evse_2001),
    Mutant("2001 for an unknown Location", "start-session.unknown-location", "warn", "conformance.unknown-location-status", after=unknown_location_2001),
    Mutant("2000 for an invalid body", "transport.invalid-object", "pass", "conformance.client-error-class", after=invalid_2000),
    Mutant("stores StartSession Tokens", "tokens.not-returned", "warn", "start-session.unknown-token-not-stored", after=stores_tokens),
    Mutant("auth_method WHITELIST", "session.token-in-session", "warn", "commands.auth-method-command", after=auth_whitelist),
)
#: The 2.2 version list shaped as the 2.2 table shows: run in OCPI 2.2.
VERSIONS_OBJECT_22 = Mutant("a 2.2 version list as the 2.2 table shows", "discovery.version-list", None, "object.envelope-data", after=versions_object_22)


@asynccontextmanager
async def serve_mutant(config: CpoConfig, mutant: Mutant) -> AsyncIterator[str]:
    """Serve the reference CPO with *mutant*'s changes on loopback; yields the Versions URL."""
    async with AsyncExitStack() as stack:
        wrapper = Wrapper(create_cpo_app(config), mutant.before, mutant.after)
        if mutant.relay:
            relay = Relay()
            stack.push_async_callback(relay.http.aclose)
            relay.base = (await stack.enter_async_context(serve_in_task(relay))).url
            wrapper.relay = relay
        served = await stack.enter_async_context(serve_in_task(wrapper))
        yield served.url + "/ocpi/versions"
