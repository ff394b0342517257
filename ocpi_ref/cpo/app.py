"""The reference CPO as a FastAPI app: HTTP in, :class:`~.service.CpoService` calls, HTTP out.

Endpoints:

* ``GET /ocpi/versions`` and ``GET /ocpi/cpo/{version}``: the Versions module (the version
  list and each version's details, :mod:`.versions`), without routing headers, which
  the spec says SHALL NOT be used for it; a version not served gets HTTP 404 with status 3002;
* ``POST /ocpi/cpo/{version}/commands/{command}`` for 2.1.1, 2.2, 2.2.1 and 2.3.0:
  START_SESSION and STOP_SESSION; the other commands answer NOT_SUPPORTED;

and under ``/ocpi/cpo/2.2.1/`` only:

* ``GET|PUT|PATCH tokens/{country_code}/{party_id}/{uid}[?type=]``: the Tokens receiver;
* ``GET sessions`` and ``GET cdrs``: the Sessions and CDRs senders, paginated
  (``X-Total-Count``, ``X-Limit``, ``Link: <...>; rel="next"``), only the caller's Tokens.

Each commands route is registered for its own version, the 2.2.1 one first, so the version
costs nothing per request. 2.1.1 answers carry no OCPI-from/to headers (2.1.1 has none).

And one outside OCPI, for the simulation: ``POST /simulator/charge-points/{id}/authorize``
with a Token body, as if a driver presented it at that Charge Point; it answers whether the
CPO may ask the eMSP for a real-time authorization (the 15-minute window). Its answer tells
whether, and how long ago, a StartSession with that Token reached that Charge Point, so it
needs a partner's credentials and then answers only about that partner's own Tokens; with
``open_simulator`` (the demo's setting, off by default) a loopback client without an
``Authorization`` header may ask too.

This module decides nothing: every answer, status code and rule comes from the service. It
only reads headers and the body (with the size limit), and writes the OCPI envelope, the
echoed ``X-Request-ID`` / ``X-Correlation-ID`` and the routing headers of the response.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ..transport.servers import Limits
from ..versions import DEFAULT_VERSION, VERSIONS
from .config import CpoConfig
from .envelopes import envelope, json_bytes as _json_bytes
from .replies import BODY_TIMEOUT, Caller, Refusal, Reply
from .service import CpoService
from .versions import VERSIONS_PATH, module_base

__all__ = ["BASE", "VERSIONS_PATH", "create_cpo_app", "envelope", "server_limits"]

#: The 2.2.1 modules' base path (commands, tokens, sessions, cdrs).
BASE = module_base(DEFAULT_VERSION)

#: The version segment of a path under /ocpi/cpo/ (to tell an unknown version from a bad path).
_CPO_PATH = re.compile(r"^/ocpi/cpo/([^/]+)(?:/|$)")


def server_limits(config: CpoConfig) -> Limits:
    """What one connection to this CPO may hold: ``head_read_timeout`` for a request head,
    ``max_connections`` open at once, and as long idle between requests as a body may take."""
    return Limits(
        head_timeout=config.head_read_timeout,
        keep_alive=max(1.0, config.body_read_timeout),
        max_connections=config.max_connections,
    )


class _TooLarge(Exception):
    def __init__(self, size: int | None) -> None:
        self.size = size


class _TooSlow(Exception):
    """The body did not arrive within ``body_read_timeout`` (commands.body-read-timeout)."""


async def _read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, at most *limit* bytes, received within *timeout* seconds."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and len(declared) < 20 and int(declared) > limit:
        raise _TooLarge(int(declared))
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _TooLarge(None)
                chunks.append(chunk)
    except TimeoutError:
        raise _TooSlow() from None
    return b"".join(chunks)


def _root(request: Request, public_url: str | None) -> str:
    """The root of the Versions module's URLs: the configured public URL, else the address
    the server listens on. Never the request's ``Host`` header, which the caller chooses."""
    if public_url is not None:
        return public_url
    server = request.scope.get("server")
    if not server:
        return f"{request.url.scheme}://localhost"  # no socket: an ASGI server that names none
    host, port = server[0], server[1]
    host = f"[{host}]" if ":" in str(host) else host
    scheme = request.url.scheme
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def _loopback(request: Request) -> bool:
    """Does *request* come from this machine (127.0.0.0/8, ::1)? No client address: no."""
    client = request.scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


def _ids(request: Request) -> tuple[str, str]:
    """The request's X-Request-ID and X-Correlation-ID; fresh ones when it sent none."""
    headers = request.headers
    request_id = headers.get("x-request-id") or str(uuid.uuid4())
    return request_id, headers.get("x-correlation-id") or request_id


def create_cpo_app(
    config: CpoConfig,
    *,
    clock: Callable[[], datetime] | None = None,
    http: httpx.AsyncClient | None = None,
    new_request_id: Callable[[], str] | None = None,
) -> FastAPI:
    """Build the app. *clock*, *http* and *new_request_id* are injectable for tests and the book.

    The service is ``app.state.cpo`` (a :class:`~ocpi_ref.cpo.service.CpoService`): tests read its deliveries.
    """
    kwargs: dict[str, Any] = {}
    if clock is not None:
        kwargs["clock"] = clock
    if new_request_id is not None:
        kwargs["new_request_id"] = new_request_id
    service = CpoService(config, http=http, **kwargs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await service.aclose()

    app = FastAPI(
        title="ocpi-ref reference CPO (OCPI 2.1.1, 2.2, 2.2.1, 2.3.0)",
        lifespan=lifespan,
        redirect_slashes=False,  # a path with a trailing slash is unknown: 404 in an envelope
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.cpo = service
    from_us = {
        "OCPI-from-country-code": str(config.party.country_code),
        "OCPI-from-party-id": str(config.party.party_id),
    }

    def respond(
        request: Request,
        reply: Reply,
        caller: Caller | None = None,
        known: tuple[str, str] | None = None,
        routing: bool = True,
    ) -> Response:
        """The HTTP response for *reply*; *known* are the request's ids when already read.

        Routing headers only with *routing* (not in 2.1.1, not for the Versions module).
        """
        request_id, correlation_id = known or _ids(request)
        headers = {"X-Request-ID": request_id, "X-Correlation-ID": correlation_id}
        if routing:
            headers.update(from_us)
        if routing and caller is not None and caller.from_party is not None:
            headers["OCPI-to-country-code"] = str(caller.from_party.country_code)
            headers["OCPI-to-party-id"] = str(caller.from_party.party_id)
        if reply.page is not None:
            page = reply.page
            headers["X-Total-Count"] = str(page.total)
            headers["X-Limit"] = str(page.limit)
            if page.next_offset is not None:
                query = {k: v for k, v in request.query_params.items() if k != "offset"}
                query["offset"] = str(page.next_offset)
                query["limit"] = str(page.limit)
                # From the public root, like the Versions URLs: never the request's Host header.
                link = f"{_root(request, config.public_url)}{request.url.path}?{urlencode(query)}"
                headers["Link"] = f'<{link}>; rel="next"'
        if reply.http_status == 401:
            headers["WWW-Authenticate"] = "Token"
        if reply.http_status == 408:
            headers["Connection"] = "close"
        body = _json_bytes(envelope(reply, service.clock()))
        background = BackgroundTask(reply.after) if reply.after is not None else None
        return Response(
            body,
            status_code=reply.http_status,
            headers=headers,
            media_type="application/json",
            background=background,
        )

    def caller_of(request: Request, version: str | None = DEFAULT_VERSION, routing: bool = True) -> Caller:
        h = request.headers
        return service.authenticate(
            h.get("authorization"),
            h.get("ocpi-from-country-code"),
            h.get("ocpi-from-party-id"),
            version,
            routing=routing,
        )

    async def with_body(
        request: Request,
        handle: Callable[[Caller, bytes], Reply],
        known: tuple[str, str] | None = None,
        version: str = DEFAULT_VERSION,
    ) -> Response:
        known = known or _ids(request)
        routing = version != "2.1.1"
        try:
            caller = caller_of(request, version)
        except Refusal as refusal:
            return respond(request, refusal.reply, known=known, routing=routing)
        body = await read(request, caller, known, routing)
        if isinstance(body, Response):
            return body
        return respond(request, handle(caller, body), caller, known, routing)

    async def read(
        request: Request, caller: Caller | None = None, known: tuple[str, str] | None = None, routing: bool = True
    ) -> bytes | Response:
        """The body, or the answer to one too large (413), too slow (408) or never finished."""
        try:
            return await _read_body(request, config.max_body_bytes, config.body_read_timeout)
        except _TooLarge as exc:
            return respond(request, service.too_large(exc.size), caller, known, routing)
        except _TooSlow:
            message = (
                f"the body did not arrive within {config.body_read_timeout:g} s [{BODY_TIMEOUT.rule}]"
            )
            return respond(request, BODY_TIMEOUT.reply(message), caller, known, routing)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is left to read it

    def command_route(version: str) -> Callable[[Request], Any]:
        """The commands endpoint of one version.

        A plain Starlette route: the path parameter is read from the request, so no
        dependency injection runs on the busiest endpoint.
        """

        async def command(request: Request) -> Response:
            command = request.path_params["command"]
            known = _ids(request)  # read once: the CommandResult carries the same X-Correlation-ID
            return await with_body(
                request,
                lambda caller, body: service.command(command, body, caller, known[1], version),
                known,
                version,
            )

        return command

    def versions_reply(request: Request, version: str | None, handle: Callable[[], Reply]) -> Response:
        """A Versions module answer: credentials needed, routing headers neither read nor sent."""
        try:
            caller_of(request, version, routing=False)
        except Refusal as refusal:
            return respond(request, refusal.reply, routing=False)
        return respond(request, handle(), routing=False)

    async def without_body(request: Request, handle: Callable[[Caller], Reply]) -> Response:
        known = _ids(request)
        try:
            caller = caller_of(request)
        except Refusal as refusal:
            return respond(request, refusal.reply, known=known)
        return respond(request, handle(caller), caller, known)

    for version in (DEFAULT_VERSION, *(v for v in VERSIONS if v != DEFAULT_VERSION)):
        app.router.add_route(module_base(version) + "/commands/{command}", command_route(version), methods=["POST"])

    token_path = BASE + "/tokens/{country_code}/{party_id}/{uid}"

    @app.get(token_path)
    async def get_token(country_code: str, party_id: str, uid: str, request: Request) -> Response:
        t = request.query_params.get("type")
        return await without_body(
            request, lambda caller: service.get_token(caller, country_code, party_id, uid, t)
        )

    @app.put(token_path)
    async def put_token(country_code: str, party_id: str, uid: str, request: Request) -> Response:
        t = request.query_params.get("type")
        return await with_body(
            request,
            lambda caller, body: service.put_token(caller, country_code, party_id, uid, t, body),
        )

    @app.patch(token_path)
    async def patch_token(country_code: str, party_id: str, uid: str, request: Request) -> Response:
        t = request.query_params.get("type")
        return await with_body(
            request,
            lambda caller, body: service.patch_token(caller, country_code, party_id, uid, t, body),
        )

    @app.get(BASE + "/sessions")
    async def sessions(request: Request) -> Response:
        q = dict(request.query_params)
        return await without_body(request, lambda caller: service.list_sessions(caller, q))

    @app.get(BASE + "/cdrs")
    async def cdrs(request: Request) -> Response:
        q = dict(request.query_params)
        return await without_body(request, lambda caller: service.list_cdrs(caller, q))

    @app.get(VERSIONS_PATH)
    async def versions(request: Request) -> Response:
        return versions_reply(request, None, lambda: service.versions(_root(request, config.public_url)))

    @app.get("/ocpi/cpo/{version}")
    async def details(version: str, request: Request) -> Response:
        if version not in VERSIONS:  # like any unknown path: answered before credentials
            return respond(request, service.unsupported_version(version), routing=False)
        return versions_reply(request, version, lambda: service.version_details(_root(request, config.public_url), version))

    @app.post("/simulator/charge-points/{charge_point_id}/authorize")
    async def authorize(charge_point_id: str, request: Request) -> Response:
        """Credentials needed (then only the caller's own Tokens), unless ``open_simulator``
        is on and the request comes from loopback without an Authorization header."""
        known = _ids(request)
        caller = None
        anonymous = config.open_simulator and _loopback(request) and "authorization" not in request.headers
        if not anonymous:
            try:
                caller = caller_of(request, routing=False)
            except Refusal as refusal:
                return respond(request, refusal.reply, known=known, routing=False)
        body = await read(request, caller, known, routing=False)
        if isinstance(body, Response):
            return body
        return respond(request, service.local_authorize(charge_point_id, body, caller), caller, known, routing=False)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        under = _CPO_PATH.match(request.url.path)
        if exc.status_code == 404 and under is not None and under.group(1) not in VERSIONS:
            return respond(request, service.unsupported_version(under.group(1)), routing=False)
        reply = Reply(exc.status_code, 2000, message=f"{request.method} {request.url.path}: {exc.detail}")
        return respond(request, reply)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        return respond(request, Reply(500, 3000, message=f"internal error ({type(exc).__name__})"))

    return app
