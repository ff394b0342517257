"""The reference eMSP's client: discovery, then StartSession and StopSession, each matched to its answer.

* :class:`EmspClient` builds each StartSession with
  :class:`~ocpi_ref.flow.starter.EmspStarter`, so it refuses to send a Token it does not own
  (``start-session.own-tokens-only``, 2.2 and later) and gives every request its own
  response_url (``commands.unique-response-url``); it then POSTs it to the CPO and, after
  ACCEPTED, waits for the asynchronous answer at most the ``timeout`` the CPO advertised, after
  which it reports "no result" (``commands.no-result-after-timeout``).
* the asynchronous answers arrive at :mod:`.callback`, whose tracker the client waits on.

The client speaks one OCPI version (``version=``, default 2.2.1) to any CPO, not only the
reference one. Given the CPO's Versions URL (``.../versions``) it finds the commands endpoint
there first, as a real client does: GET the version list, GET the details of its version, take
the ``commands`` endpoint (the RECEIVER one, from 2.2 on). Given a module base instead
(``.../ocpi/cpo/2.2.1``) it appends the module names, as before.

OCPI 2.1.1 differs for the eMSP: the credentials token is sent plain (by default, see
:mod:`ocpi_ref.transport.authorization`, ``commands.authorization-encoding``); the CommandResponse may be
``{"result": ...}`` or a bare string, synchronously and asynchronously
(``commands.v211-response-either-shape``); and it has no ``timeout``, so the client waits
``result_wait`` seconds (``ocpi-ref emsp start-session --wait``) for the asynchronous answer,
matched to its request by the unique response_url as in every version.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from ..findings import Finding, Severity
from ..flow.starter import EmspStarter
from ..objects import check_command_response
from ..party import PartyId
from ..transport.authorization import header, sent_encoding
from ..transport.bounded import DEFAULT_TOTAL_SECONDS, bounded_client
from ..v2_1_1 import StopSession as StopSession211
from ..v2_1_1 import read_command_response
from ..v2_2_1.models import CommandResponse, StopSession, Token
from ..versions import DEFAULT_VERSION, VERSIONS
from .callback import CommandTracker, callback_path
from .words import in_words as _in_words
from .words import result_step as _result_step

__all__ = [
    "DEFAULT_RESULT_WAIT",
    "MAX_RESULT_WAIT",
    "DiscoveryError",
    "EmspClient",
    "Exchange",
    "token_header",
]

#: Seconds to wait for a 2.1.1 asynchronous CommandResponse (2.1.1 advertises no timeout);
#: the reference CPO's own default ``command_timeout``.
DEFAULT_RESULT_WAIT = 30.0

#: The longest the client waits for an asynchronous answer, whatever timeout the CPO advertises
#: (a CommandResponse may say 2147483647 s); the conformance suite caps at the same 60 s.
MAX_RESULT_WAIT = 60.0

#: The CPO's interface role for each module this client uses (2.2 and later list roles).
_CPO_ROLE = {"commands": "RECEIVER", "tokens": "RECEIVER", "sessions": "SENDER", "cdrs": "SENDER"}


def token_header(token: str, encoding: str = "base64") -> str:
    """``Token <Base64 of the UTF-8 token>`` (OCPI 2.2.1 §4.1.2), or ``Token <token>`` plain."""
    return header(token, "plain" if encoding == "plain" else "base64")


class DiscoveryError(Exception):
    """The CPO's Versions module did not lead to the endpoint needed (the message says why)."""


def _value(enum_or_text: Any) -> str:
    return getattr(enum_or_text, "value", enum_or_text)


@dataclass
class Exchange:
    """One command as the eMSP saw it: what it sent, what came back, and each step in words.

    ``response`` is the version's CommandResponse; ``result`` the asynchronous answer: a
    CommandResult, or in 2.1.1 a CommandResponse again.
    """

    request_id: str
    response_url: str
    http_status: int | None = None
    envelope: dict[str, Any] | None = None
    response: Any = None
    result: Any = None
    steps: list[str] = field(default_factory=list)
    version: str = DEFAULT_VERSION
    findings: tuple[Finding, ...] = ()
    """What :func:`~ocpi_ref.objects.check_command_response` found on the answer (no information)."""

    @property
    def accepted(self) -> bool:
        return self.response is not None and _value(self.response.result) == "ACCEPTED"

    @property
    def outcome(self) -> str:
        """``refused``, ``no result`` or the asynchronous answer's value."""
        if not self.accepted:
            return "refused"
        return _value(self.result.result) if self.result is not None else "no result"


class EmspClient:
    """One eMSP talking to one CPO in one OCPI version."""

    def __init__(
        self,
        cpo_url: str,
        credentials_token: str,
        roles: Any,
        callback_url: str,
        tracker: CommandTracker,
        *,
        http: httpx.AsyncClient | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        from_party: PartyId | None = None,
        version: str = DEFAULT_VERSION,
        result_wait: float = DEFAULT_RESULT_WAIT,
        authorization: str | None = None,
        request_timeout: float = DEFAULT_TOTAL_SECONDS,
        max_wait: float = MAX_RESULT_WAIT,
    ) -> None:
        """*cpo_url* is the CPO's Versions URL (``.../versions``) or a module base
        (``.../ocpi/cpo/2.2.1``); *callback_url* the base URL of this eMSP's callback server (the
        CPO must be allowed to call its host). *result_wait* is how long a 2.1.1 command waits
        for its asynchronous answer; *authorization* (``base64`` or ``plain``) overrides how the
        credentials token is sent, which is otherwise the version's way. Without *http*, every
        request's whole exchange is bounded by *request_timeout* seconds and 4 MiB of answer
        (:mod:`ocpi_ref.transport.bounded`); no wait for a result exceeds *max_wait* seconds."""
        if version not in VERSIONS:
            raise ValueError(f"unknown OCPI version {version!r}; known: {', '.join(VERSIONS)}")
        self.cpo_url = cpo_url.rstrip("/")
        self.version = version
        self.authorization = header(credentials_token, sent_encoding(version, authorization))
        self.tracker = tracker
        self.new_id = new_id
        self.callback_url = callback_url.rstrip("/")
        self.callbacks = f"{self.callback_url}{callback_path(version)}"
        self.starter = EmspStarter(
            roles, f"{self.callbacks}/START_SESSION", new_id=new_id, version=version
        )
        self.http = http or bounded_client(total=request_timeout)
        self.max_wait = max_wait
        self.from_party = from_party
        self.result_wait = result_wait
        self.endpoints: dict[str, str] | None = (
            None if _is_versions_url(self.cpo_url) else {m: f"{self.cpo_url}/{m}" for m in _CPO_ROLE}
        )
        self._discovering: asyncio.Lock | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self, correlation_id: str | None = None, *, routing: bool = True) -> dict[str, str]:
        """Credentials, a fresh X-Request-ID, the X-Correlation-ID (a command's own id), and
        the OCPI-from headers where the version has them and the request may carry them."""
        rid = self.new_id()
        headers = {
            "Authorization": self.authorization,
            "Content-Type": "application/json",
            "X-Request-ID": rid,
            "X-Correlation-ID": correlation_id or rid,
        }
        if routing and self.from_party is not None and self.version != "2.1.1":
            headers["OCPI-from-country-code"] = str(self.from_party.country_code)
            headers["OCPI-from-party-id"] = str(self.from_party.party_id)
        return headers

    # ------------------------------------------------------------------ discovery

    async def discover(self) -> list[str]:
        """Find this version's endpoints through the CPO's Versions module; the steps in words.

        Raises :class:`DiscoveryError` when the CPO cannot be reached, does not answer an OCPI
        envelope, does not offer this version, or lists no commands endpoint for it.
        """
        versions = await self._versions_get(self.cpo_url)
        if not isinstance(versions, list):
            raise DiscoveryError(f"GET {self.cpo_url}: data is not a list of versions")
        offered = [str(v.get("version")) for v in versions if isinstance(v, dict)]
        steps = [f"GET {self.cpo_url}: versions {', '.join(offered)}"]
        entry = next((v for v in versions if isinstance(v, dict) and v.get("version") == self.version), None)
        if entry is None or not isinstance(entry.get("url"), str):
            raise DiscoveryError(f"the CPO does not offer OCPI {self.version} (it offers {', '.join(offered)})")
        details = await self._versions_get(entry["url"])
        endpoints = _endpoints(details)
        if "commands" not in endpoints:
            raise DiscoveryError(f"GET {entry['url']}: no commands endpoint for OCPI {self.version}")
        self.endpoints = endpoints
        steps.append(f"GET {entry['url']}: commands at {endpoints['commands']}")
        return steps

    async def _versions_get(self, url: str) -> Any:
        """GET one Versions module URL; its envelope's data. No routing headers (SHALL NOT)."""
        try:
            resp = await self.http.get(url, headers=self._headers(routing=False))
            env = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DiscoveryError(f"GET {url}: {_in_words(exc)}") from None
        if resp.status_code != 200 or not isinstance(env, dict) or env.get("status_code") != 1000:
            status = env.get("status_code") if isinstance(env, dict) else None
            message = env.get("status_message") if isinstance(env, dict) else None
            raise DiscoveryError(f"GET {url}: HTTP {resp.status_code}, status {status}: {message}")
        return env.get("data")

    async def _endpoint(self, module: str) -> tuple[str, list[str]]:
        """The URL of *module*, discovering first when needed; and the discovery's steps."""
        steps: list[str] = []
        if self.endpoints is None:
            self._discovering = self._discovering or asyncio.Lock()
            async with self._discovering:
                if self.endpoints is None:
                    steps = await self.discover()
        assert self.endpoints is not None
        if module not in self.endpoints:
            raise DiscoveryError(f"the CPO lists no {module} endpoint for OCPI {self.version}")
        return self.endpoints[module], steps

    # ------------------------------------------------------------------ commands

    async def start_session(
        self,
        token: Token | Any,
        location_id: str,
        *,
        evse_uid: str | None = None,
        connector_id: str | None = None,
        authorization_reference: str | None = None,
        wait: bool = True,
    ) -> Exchange:
        """Send one StartSession; with *wait*, wait for its asynchronous answer.

        *token* is a Token of this client's version. Raises
        :class:`~ocpi_ref.findings.RuleViolation` before sending when the Token is not ours
        (``start-session.own-tokens-only``) or not authorized by us, and ``ValueError`` for a
        field the version does not have.
        """
        request_id, start = self.starter.start_session(
            token,
            location_id,
            evse_uid=evse_uid,
            connector_id=connector_id,
            authorization_reference=authorization_reference,
        )
        return await self._send("START_SESSION", request_id, start.response_url, start.model_dump_json(), wait)

    async def stop_session(self, session_id: str, *, wait: bool = True) -> Exchange:
        """Send one StopSession for *session_id*."""
        request_id = self.new_id()
        url = f"{self.callbacks}/STOP_SESSION/{request_id}"
        model = StopSession211 if self.version == "2.1.1" else StopSession
        body = model(response_url=url, session_id=session_id).model_dump_json()
        return await self._send("STOP_SESSION", request_id, url, body, wait)

    async def _send(self, command: str, request_id: str, url: str, body: str, wait: bool) -> Exchange:
        ex = Exchange(request_id, url, version=self.version)
        try:
            commands, ex.steps = await self._endpoint("commands")
        except DiscoveryError as exc:
            ex.steps.append(f"no commands endpoint: {exc}")
            return ex
        fut = self.tracker.expect(request_id)  # before sending: the result may beat the response
        ex.steps.append(f"POST {command} (response_url .../{command}/{request_id})")
        try:
            resp = await self.http.post(
                f"{commands}/{command}", content=body, headers=self._headers(request_id)
            )
        except httpx.HTTPError as exc:
            self.tracker.forget(request_id)
            ex.steps.append(f"the CPO could not be reached: {_in_words(exc)}")
            return ex
        self._read_response(ex, resp)
        if not ex.accepted:
            self.tracker.forget(request_id)
            if isinstance(ex.envelope, dict) and ex.envelope.get("status_message"):
                ex.steps.append(f"message: {ex.envelope['status_message']}")
            return ex
        if not wait:
            return ex
        return await self.wait(ex, fut)

    def _read_response(self, ex: Exchange, resp: httpx.Response) -> None:
        """Fill in the HTTP status, the envelope and the CommandResponse, and say what came."""
        ex.http_status = resp.status_code
        try:
            ex.envelope = resp.json()
            data = ex.envelope.get("data")
            if self.version == "2.1.1":
                ex.response = read_command_response(data)  # object or bare string
            else:
                ex.response = CommandResponse.model_validate(data)
        except (ValueError, ValidationError, AttributeError):
            ex.response = None
        status = ex.envelope.get("status_code") if isinstance(ex.envelope, dict) else None
        report = check_command_response(resp.content, version=self.version)
        ex.findings = tuple(f for f in report.findings if f.severity is not Severity.INFO)
        if ex.response is None:
            body = resp.text if len(resp.text) <= 300 else resp.text[:300] + f"... ({len(resp.text)} characters)"
            ex.steps.append(f"HTTP {resp.status_code}, status {status}, no readable CommandResponse; the body: {body}")
        elif self.version == "2.1.1":
            ex.steps.append(
                f"HTTP {resp.status_code}, status {status}, CommandResponse "
                f"{ex.response.result.value} (OCPI 2.1.1: no timeout advertised)"
            )
        else:
            ex.steps.append(
                f"HTTP {resp.status_code}, status {status}, CommandResponse "
                f"{ex.response.result.value}, timeout {ex.response.timeout} s"
            )
        ex.steps.extend(f"  finding: {f}" for f in ex.findings)

    async def wait(self, ex: Exchange, fut: asyncio.Future[Any] | None = None) -> Exchange:
        """Wait for the answer of an accepted *ex*: the advertised timeout, in 2.1.1 ``result_wait``."""
        assert ex.response is not None
        fut = fut or self.tracker._pending[ex.request_id]
        v211 = ex.version == "2.1.1"
        advertised = self.result_wait if v211 else ex.response.timeout
        limit = min(advertised, self.max_wait)
        if limit < advertised:
            ex.steps.append(f"waiting at most {limit:g} s of the {advertised} s advertised (this eMSP's cap)")
        refused = self.tracker.refused(ex.request_id)  # a refused answer ends the wait at once
        try:
            done, _ = await asyncio.wait((fut, refused), timeout=limit, return_when=asyncio.FIRST_COMPLETED)
            if fut in done:
                ex.result = fut.result()
                ex.steps.append(_result_step(ex.result, v211))
            elif refused in done:
                ex.steps.append(f"{refused.result()}; taking it that no result will come")
            else:
                raise TimeoutError
        except TimeoutError:
            ex.steps.append(
                f"no result within the configured {limit:g} s (OCPI 2.1.1 has no timeout); "
                "taking it that none will come"
                if v211
                else f"no result within the advertised {limit} s; taking it that none will come"
            )
        finally:
            refused.cancel()
            self.tracker.forget(ex.request_id)
        return ex

    # ------------------------------------------------------------------ other modules

    async def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET a CPO module path (``sessions``, ``cdrs``, ``tokens/DE/TNM/uid``).

        Raises :class:`DiscoveryError` when the CPO lists no such module for this version.
        """
        module, _, rest = path.partition("/")
        url, _ = await self._endpoint(module)
        return await self.http.get(
            f"{url}/{rest}" if rest else url, params=params, headers=self._headers()
        )

    async def put_token(self, token: Token) -> httpx.Response:
        """Push a Token to the CPO's Tokens receiver."""
        url, _ = await self._endpoint("tokens")
        return await self.http.put(
            f"{url}/{token.country_code}/{token.party_id}/{token.uid}",
            params={"type": token.type.value},
            content=token.model_dump_json(),
            headers=self._headers(),
        )


def _is_versions_url(url: str) -> bool:
    """Does *url* name a Versions endpoint (its last path segment is ``versions``)?"""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] == "versions"


def _endpoints(details: Any) -> dict[str, str]:
    """Module id → URL from version details, keeping the CPO's side of each module.

    From 2.2 on an endpoint names its role; a party that is both CPO and eMSP may list a module
    twice, so only the role the CPO plays in it is kept. 2.1.1 endpoints have no role.
    """
    endpoints = details.get("endpoints") if isinstance(details, dict) else None
    out: dict[str, str] = {}
    for e in endpoints if isinstance(endpoints, list) else ():
        if not isinstance(e, dict) or not isinstance(e.get("url"), str):
            continue
        identifier, role = e.get("identifier"), e.get("role")
        if identifier in _CPO_ROLE and role in (None, _CPO_ROLE[identifier]):
            out[identifier] = e["url"].rstrip("/")
    return out
