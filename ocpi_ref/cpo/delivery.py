"""Delivering the asynchronous answer: one bare POST to ``response_url``, never retried.

After an ACCEPTED CommandResponse, and only then, one answer is POSTed
(``commands.result-after-accepted``): a CommandResult in 2.2 and later; in 2.1.1, which has no
CommandResult, the object ``{"result": ...}`` (the shape 2.1.1 revision d2 settled on,
``commands.v211-response-either-shape``), its result mapped as :data:`ocpi_ref.flow.results.RESULTS`
says. The body is bare (``commands.result-bare-body``) and carries the partner's
``callback_token`` encoded as the version and partner want; a failed POST is logged and never
retried (``commands.no-retry``); redirects are not followed.

The POSTs run in the same event loop as the answers, so their CPU cost counts against the
CPO's throughput: the own client is aiohttp, several times cheaper per request than httpx. An
injected ``httpx.AsyncClient`` (tests, the book: mock or ASGI transports) is used as given
instead, with the same headers, timeout and failure handling.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import httpx

from ..flow.results import v211_result
from ..party import PartyId
from ..transport.authorization import header, sent_encoding
from ..v2_1_1 import CommandResponse as CommandResponse211
from ..v2_2_1.enums import CommandResultType
from ..v2_2_1.models import CommandResult
from ..versions import DEFAULT_VERSION, VERSIONS
from .config import CpoConfig, Partner
from .replies import display

__all__ = ["MAX_DELIVERIES", "Deliverer", "Delivery", "result_body"]

log = logging.getLogger("ocpi_ref.cpo")

#: CommandResult POSTs in flight at once; more wait their turn. A burst of accepted commands
#: then queues here, on a few kept-alive connections, instead of opening one connection each.
MAX_DELIVERIES = 8


@dataclass(frozen=True)
class Delivery:
    """One asynchronous answer the CPO POSTed (or tried): kept so tests and the book can see it.

    ``result`` is what the Charge Point's answer became as a CommandResult; in ``version``
    2.1.1 the body carried its mapping onto 2.1.1's CommandResponseType instead.
    """

    command: str
    response_url: str
    result: CommandResultType
    request_id: str
    http_status: int | None
    error: str | None = None
    version: str = DEFAULT_VERSION

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


class _NotSent(Exception):
    """A CommandResult POST that got no HTTP answer (refused, timed out, unusable URL)."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _own_session(timeout: float) -> aiohttp.ClientSession:
    """The own client: a bounded keep-alive pool, no cookie jar, no proxy from the
    environment, *timeout* seconds for a whole POST."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MAX_DELIVERIES),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


async def _post_aiohttp(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> int:
    """POST with aiohttp; the answer is read in full so the connection is kept for the next."""
    try:
        async with session.post(url, data=body, headers=headers, allow_redirects=False) as resp:
            await resp.read()
            return resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise _NotSent(exc) from None


async def _post_httpx(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> int:
    """POST with an injected httpx client (whatever its transport), never following redirects."""
    try:
        resp = await client.post(
            url, content=body, headers=headers, timeout=timeout, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise _NotSent(exc) from None
    return resp.status_code


def result_body(result: CommandResultType, text: str, version: str) -> bytes:
    """A bare CommandResult; in 2.1.1 a CommandResponse object (commands.v211-response-either-shape)."""
    if version == "2.1.1":
        return CommandResponse211(result=v211_result(result)).model_dump_json().encode()
    return CommandResult(result=result, message=display(text)).model_dump_json().encode()


@dataclass
class Deliverer:
    """Posts the asynchronous answers and keeps a :class:`Delivery` record of each."""

    config: CpoConfig
    http: httpx.AsyncClient | None = None
    new_request_id: Callable[[], str] = lambda: str(uuid.uuid4())
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The Authorization header of our own POSTs, per partner token and version.
        self._callback_auth: dict[tuple[str, str], str] = {
            (p.token, v): header(p.callback_token, sent_encoding(v, p.authorization))
            for p in self.config.partners
            for v in VERSIONS
        }
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None
        self._session: aiohttp.ClientSession | None = None

    def spawn(self, coro: Awaitable[None]) -> None:
        """Run *coro* in the background, kept until it ends (so :meth:`drain` can wait for it)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every answer under way has been delivered (or has failed)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None:
                break

    async def aclose(self) -> None:
        """Cancel work under way and close the HTTP client if this one made it."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def headers(
        self, partner: Partner, to: PartyId, correlation_id: str, request_id: str, version: str
    ) -> dict[str, str]:
        """Our credentials as the version and partner want them; routing headers from 2.2 on."""
        headers = {
            "Authorization": self._callback_auth[partner.token, version],
            "Content-Type": "application/json",
            "X-Request-ID": request_id,
            "X-Correlation-ID": correlation_id,
        }
        if version != "2.1.1":
            headers["OCPI-from-country-code"] = str(self.config.party.country_code)
            headers["OCPI-from-party-id"] = str(self.config.party.party_id)
            headers["OCPI-to-country-code"] = str(to.country_code)
            headers["OCPI-to-party-id"] = str(to.party_id)
        return headers

    async def post_result(
        self,
        command: str,
        url: str,
        result: CommandResultType,
        text: str,
        partner: Partner,
        to: PartyId,
        correlation_id: str,
        version: str = DEFAULT_VERSION,
    ) -> None:
        """POST one bare asynchronous answer; on failure log it and stop (commands.no-retry)."""
        body = result_body(result, text, version)
        request_id = self.new_request_id()
        headers = self.headers(partner, to, correlation_id, request_id, version)
        if self._slots is None:
            self._slots = asyncio.Semaphore(MAX_DELIVERIES)
        status: int | None = None
        error: str | None = None
        try:
            async with self._slots:
                status = await self._post(url, body, headers)
        except _NotSent as exc:
            error = str(exc)
        delivery = Delivery(command, url, result, request_id, status, error, version)
        self.deliveries.append(delivery)
        if not delivery.delivered:
            log.warning(
                "CommandResult %s for %s to partner %s not delivered (%s); not retried",
                result.value,
                command,
                partner.name,
                error or f"HTTP {status}",
            )

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """One POST with the injected httpx client, else with the own aiohttp one."""
        if self.http is not None:
            return await _post_httpx(self.http, url, body, headers, self.config.callback_timeout)
        if self._session is None:
            self._session = _own_session(self.config.callback_timeout)
        return await _post_aiohttp(self._session, url, body, headers)
