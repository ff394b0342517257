"""Delivering the asynchronous answer: one bare POST to ``response_url``, never retried, never late.

After an ACCEPTED CommandResponse, and only then, one answer is POSTed
(``commands.result-after-accepted``): a CommandResult in 2.2 and later; in 2.1.1, which has no
CommandResult, the object ``{"result": ...}`` (the shape 2.1.1 revision d2 settled on,
``commands.v211-response-either-shape``), its result mapped as :data:`ocpi_ref.flow.results.RESULTS`
says. The body is bare (``commands.result-bare-body``) and carries the partner's
``callback_token`` encoded as the version and partner want; a failed POST, whatever failed, is
logged as not delivered and never retried (``commands.no-retry``); redirects are not followed.

Each partner has its own delivery lane (``Lane``): its own few POST slots and its own
keep-alive connections, so a partner whose callback hangs slows only its own results. Every
result has a deadline, the advertised CommandResponse ``timeout`` counted from the receipt of
the command (less a small ``margin``): a result whose POST cannot start before it is
dropped and logged, and a POST is given only the time left, so nothing reaches an eMSP that has stopped waiting
(``commands.result-before-deadline``). A lane admits only what it can deliver in time:
``Deliverer.admits`` refuses a new command when the lane's commands under way, at the lane's
measured pace (a moving average of its recent POSTs, ``LANE_SLOTS`` at a time), would not all
be POSTed before a new command's deadline, and in any case past ``max_backlog``
(``commands.backlog-limit``): ACCEPTED keeps meaning "you will hear back". Until a lane's
first POST has ended it has no pace yet, and only ``max_backlog`` bounds it. Only the most
recent ``RECENT`` deliveries are kept as records, with counters of all of them, so memory
does not grow with the number of commands.

The POST goes to exactly the ``response_url`` given: its path is not normalised (an HTTP
client would remove ``%2e%2e`` segments and POST elsewhere); only characters that cannot be
on the wire at all (space, controls, non-ASCII) are percent-encoded. The answer to the POST
is read up to ``ANSWER_LIMIT`` bytes only (its status decides delivery); a longer one closes
that connection instead of being held in memory.

The POSTs run in the same event loop as the answers, so their CPU cost counts against the
CPO's throughput: the own client is aiohttp, several times cheaper per request than httpx. An
injected ``httpx.AsyncClient`` (tests, the book: mock or ASGI transports) is used as given
instead, with the same headers, timeout and failure handling.
"""

from __future__ import annotations

import asyncio
import logging
import string
import time
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import aiohttp
import httpx
import yarl

from ..flow.results import v211_result
from ..party import PartyId
from ..rules.commands import NO_RETRY, RESULT_BEFORE_DEADLINE
from ..transport.authorization import header, sent_encoding
from ..v2_1_1 import CommandResponse as CommandResponse211
from ..v2_2_1.enums import CommandResultType
from ..v2_2_1.models import CommandResult
from ..versions import DEFAULT_VERSION, VERSIONS
from .config import CpoConfig, Partner, margin
from .replies import display

__all__ = ["ANSWER_LIMIT", "LANE_SLOTS", "RECENT", "Deliverer", "Delivery", "Lane", "margin", "result_body", "wire_url"]

log = logging.getLogger("ocpi_ref.cpo")

#: CommandResult POSTs in flight at once per partner; more wait their turn in that partner's
#: lane. A burst of accepted commands then queues there, on a few kept-alive connections,
#: instead of opening one connection each.
LANE_SLOTS = 8

#: How many :class:`Delivery` records are kept (the most recent); counters keep the totals.
RECENT = 1000

#: Bytes of the answer to a CommandResult POST that are read (the rest is not: the connection
#: is closed). An eMSP answers with a small envelope; only the HTTP status counts.
ANSWER_LIMIT = 64 * 1024

#: Weight of the latest POST in a lane's moving average of POST durations (its pace).
PACE_WEIGHT = 0.2

#: Characters sent as they are in a response_url: every visible ASCII character, ``%`` included
#: (so existing escapes stay as given); space, controls and non-ASCII are percent-encoded.
_WIRE_SAFE = string.punctuation


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
    partner: str = ""
    dropped: bool = False
    """True when it was never POSTed, its deadline having passed before its POST could start."""

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300

    @property
    def outcome(self) -> str:
        """``delivered``, ``dropped`` (never POSTed) or ``failed`` (POSTed, no 2xx answer)."""
        return "delivered" if self.delivered else "dropped" if self.dropped else "failed"


class _NotSent(Exception):
    """A CommandResult POST that got no HTTP answer (refused, timed out, unusable URL)."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _own_session(timeout: float) -> aiohttp.ClientSession:
    """A lane's own client: a keep-alive pool of :data:`LANE_SLOTS`, no cookie jar, no proxy
    from the environment, *timeout* seconds for a whole POST unless a POST is given less."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=LANE_SLOTS),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


def wire_url(url: str) -> yarl.URL:
    """*url* as it goes on the wire: as given, no dot segment removed, no escape decoded.

    aiohttp (through yarl) would decode ``%2e%2e`` and remove the dot segments, POSTing a
    ``…/r1/%2e%2e/%2e%2e/other`` response_url to ``/other``. Only what cannot be sent at all
    (space, controls, non-ASCII) is percent-encoded, as any URI must be.
    """
    return yarl.URL(quote(url, safe=_WIRE_SAFE), encoded=True)


async def _post_aiohttp(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str], timeout: float | None
) -> int:
    """POST with aiohttp to exactly *url*; up to :data:`ANSWER_LIMIT` bytes of the answer are read.

    A short answer is read in full so the connection is kept for the next POST; a longer one
    closes the connection (what a callback sends is never held beyond the limit). Any
    exception but cancellation is a POST not sent: aiohttp raises ``ValueError`` and others
    besides its ``ClientError`` for URLs it will not use.
    """
    extra = {} if timeout is None else {"timeout": aiohttp.ClientTimeout(total=timeout)}
    try:
        async with session.post(wire_url(url), data=body, headers=headers, allow_redirects=False, **extra) as resp:
            size = 0
            while chunk := await resp.content.readany():
                size += len(chunk)
                if size > ANSWER_LIMIT:
                    resp.close()  # the rest is never read: this connection is not reused
                    break
            return resp.status
    except Exception as exc:  # noqa: BLE001 (every failure is logged as not delivered)
        raise _NotSent(exc) from None


async def _post_httpx(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> int:
    """POST with an injected httpx client (whatever its transport), never following redirects;
    up to :data:`ANSWER_LIMIT` bytes of the answer are read."""
    try:
        async with asyncio.timeout(timeout):  # whatever the transport does with its timeout
            request = client.build_request("POST", url, content=body, headers=headers, timeout=timeout)
            resp = await client.send(request, stream=True, follow_redirects=False)
            try:
                size = 0
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > ANSWER_LIMIT:
                        break
            finally:
                await resp.aclose()
    except Exception as exc:  # noqa: BLE001 (every failure is logged as not delivered)
        raise _NotSent(exc) from None
    return resp.status_code


class Lane:
    """One partner's delivery lane: its POST slots, its commands under way, its connections."""

    def __init__(self) -> None:
        self.slots: asyncio.Semaphore | None = None  # made in the running loop, when first needed
        self.pending = 0
        self.session: aiohttp.ClientSession | None = None
        self.pace: float | None = None
        """Moving average of this lane's POST durations, seconds; None before the first ends."""

    def timed(self, seconds: float) -> None:
        """One POST of this lane took *seconds*: move the pace towards it."""
        self.pace = seconds if self.pace is None else self.pace + PACE_WEIGHT * (seconds - self.pace)

    def can_deliver(self, budget: float) -> bool:
        """Would one more command's result be POSTed within *budget* seconds, all those under
        way going first, :data:`LANE_SLOTS` at a time at the lane's pace?"""
        return self.pace is None or -(-(self.pending + 1) // LANE_SLOTS) * self.pace <= budget


def result_body(result: CommandResultType, text: str, version: str) -> bytes:
    """A bare CommandResult; in 2.1.1 a CommandResponse object (commands.v211-response-either-shape)."""
    if version == "2.1.1":
        return CommandResponse211(result=v211_result(result)).model_dump_json().encode()
    return CommandResult(result=result, message=display(text)).model_dump_json().encode()


@dataclass
class Deliverer:
    """Posts the asynchronous answers, one lane per partner, and keeps the recent records.

    *monotonic* is the clock of the deadlines (injectable, so tests need no sleeping).
    """

    config: CpoConfig
    http: httpx.AsyncClient | None = None
    new_request_id: Callable[[], str] = lambda: str(uuid.uuid4())
    monotonic: Callable[[], float] = time.monotonic
    deliveries: deque[Delivery] = field(default_factory=lambda: deque(maxlen=RECENT))
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        # The Authorization header of our own POSTs, per partner token and version.
        self._callback_auth: dict[tuple[str, str], str] = {
            (p.token, v): header(p.callback_token, sent_encoding(v, p.authorization))
            for p in self.config.partners
            for v in VERSIONS
        }
        self._tasks: set[asyncio.Task[None]] = set()
        self.lanes: dict[str, Lane] = {p.token: Lane() for p in self.config.partners}

    def deadline(self) -> float:
        """The deadline of a command received now: the advertised timeout from now, less
        ``margin`` (the eMSP's clock started when it sent the command, a little earlier,
        and a POST cut at the deadline must have reached it before its timeout)."""
        return self.monotonic() + self.config.command_timeout - margin(self.config.command_timeout)

    def admits(self, partner: Partner) -> bool:
        """Can *partner*'s lane deliver one more command's result before its deadline, and has
        it fewer than ``max_backlog`` under way? (``commands.backlog-limit``)"""
        lane = self.lanes[partner.token]
        budget = self.config.command_timeout - margin(self.config.command_timeout)
        return lane.pending < self.config.max_backlog and lane.can_deliver(budget)

    def spawn(self, coro: Awaitable[None], partner: Partner | None = None) -> None:
        """Run *coro* in the background, kept until it ends (so :meth:`drain` can wait for it),
        counted in *partner*'s backlog while it runs."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        lane = self.lanes[partner.token] if partner is not None else None
        if lane is not None:
            lane.pending += 1
        task.add_done_callback(lambda done: self._done(done, lane))

    def _done(self, task: asyncio.Task[None], lane: Lane | None) -> None:
        """A command's background work ended: release its place, log whatever it raised."""
        self._tasks.discard(task)
        if lane is not None:
            lane.pending -= 1
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("command work failed, its result not delivered: %s: %s", type(exc).__name__, exc, exc_info=exc)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every answer under way has been delivered (or has failed)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None:
                break

    async def aclose(self) -> None:
        """Cancel work under way and close the HTTP clients this one made."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1)
        for lane in self.lanes.values():
            if lane.session is not None:
                await lane.session.close()
                lane.session = None

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
        deadline: float | None = None,
    ) -> None:
        """POST one bare asynchronous answer in *partner*'s lane before *deadline* (a
        :attr:`monotonic` time; None: no deadline), else drop it; on failure log it and stop
        (commands.no-retry, commands.result-before-deadline)."""
        body = result_body(result, text, version)
        request_id = self.new_request_id()
        headers = self.headers(partner, to, correlation_id, request_id, version)
        lane = self.lanes[partner.token]
        if lane.slots is None:
            lane.slots = asyncio.Semaphore(LANE_SLOTS)
        status: int | None = None
        error: str | None = None
        dropped = not await self._slot(lane.slots, deadline)
        if not dropped:
            try:
                left = None if deadline is None else deadline - self.monotonic()
                if left is not None and left <= 0:
                    dropped = True
                else:
                    began = self.monotonic()
                    try:
                        status = await self._post(lane, url, body, headers, left)
                    finally:
                        lane.timed(self.monotonic() - began)
            except _NotSent as exc:
                error = str(exc)
            finally:
                lane.slots.release()
        if dropped:
            error = f"the advertised timeout of {self.config.command_timeout} s passed before its POST could start"
        delivery = Delivery(command, url, result, request_id, status, error, version, partner.name, dropped)
        self.deliveries.append(delivery)
        self.counts[delivery.outcome] += 1
        if not delivery.delivered:
            log.warning(
                "CommandResult %s for %s to partner %s not delivered (%s); not retried [%s]",
                result.value,
                command,
                partner.name,
                error or f"HTTP {status}",
                RESULT_BEFORE_DEADLINE.id if dropped else NO_RETRY.id,
            )

    async def _slot(self, slots: asyncio.Semaphore, deadline: float | None) -> bool:
        """Take a slot of the lane, waiting at most until *deadline*; False when it passed."""
        if not slots.locked() or deadline is None:
            await slots.acquire()
            return True
        try:
            async with asyncio.timeout(max(0.0, deadline - self.monotonic())):
                await slots.acquire()
        except TimeoutError:
            return False
        return True

    async def _post(self, lane: Lane, url: str, body: bytes, headers: dict[str, str], left: float | None) -> int:
        """One POST with the injected httpx client, else with the lane's own aiohttp one,
        given the time *left* before the deadline when that is less than ``callback_timeout``."""
        timeout = self.config.callback_timeout
        if left is not None and left < timeout:
            timeout = left
        if self.http is not None:
            return await _post_httpx(self.http, url, body, headers, timeout)
        if lane.session is None:
            lane.session = _own_session(self.config.callback_timeout)
        return await _post_aiohttp(lane.session, url, body, headers, timeout if timeout < self.config.callback_timeout else None)
