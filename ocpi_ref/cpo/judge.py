"""Judging mode: the reference CPO keeps, per partner, every finding on that partner's traffic.

:class:`Judge` is an ASGI app around :func:`~.app.create_cpo_app`: it reads each request before
the CPO does and the CPO's answer after, and it gives the CPO an httpx client whose response
hook sees the eMSP's answer to every CommandResult POST. Nothing in the CPO itself changes:
what the reference CPO answers in judging mode is what it answers otherwise.

What it records, each finding with its rule id and the exchange it came from:

* requests without credentials, with unknown ones, or with the partner's token in an encoding
  its version does not take (``commands.credentials-required``, ``commands.authorization-encoding``);
* every error and warning of :func:`~ocpi_ref.check_start_session` on a StartSession body,
  with the partner's roles as sender, so a foreign Token is ``start-session.own-tokens-only``;
* a response_url the partner already used (``commands.unique-response-url``);
* a CommandResult POST the eMSP answered with an HTTP error or a non-conforming envelope
  (``commands.response-envelope``), or could not take at all (``commands.no-retry``: it is
  not retried).

* a request of 2.2 or later without X-Request-ID or X-Correlation-ID
  (``conformance.request-ids-on-requests``), by the audit's own check of it
  (:func:`ocpi_ref.audit.fronts.request_ids`): one check, three fronts.

Each finding says its verdict on the eMSP and its basis: ``fail`` only for a MUST/SHALL (NOT)
sentence addressed to the eMSP (:func:`ocpi_ref.rules.judging.fails`), ``warn`` otherwise.

The judge adds nothing the CPO would not do: it reads the request headers as the CPO does (the
first of repeated ones), and it sees the body only as the CPO reads it (its size limit, its
read timeout, a disconnect: a body that does not complete is not judged). It keeps at most
:data:`MAX_FINDINGS` findings per partner and counts the rest; everything a caller controls is
escaped in every report. The report is served as JSON at ``GET /ocpi-ref/judge``
(:data:`REPORT_PATH`): to a partner, with its credentials, its own part only; the whole of it
to an operator (a request from loopback without credentials, or with *operator_token*). It is
rendered as text by :meth:`Judge.text`, which ``ocpi-ref cpo --judge`` prints at shutdown.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
from starlette.datastructures import Headers

from ..audit import fronts
from ..checker import check_start_session
from ..findings import Severity
from ..flow.text import safe_text
from ..objects import check_envelope
from ..rules import Party
from ..rules.judging import basis_text, fails
from ..transport.authorization import accepted_encoding, matching_headers
from ..transport.bounded import BoundedTransport
from ..versions import VERSIONS
from .app import create_cpo_app
from .config import CpoConfig, Partner

__all__ = ["MAX_FINDINGS", "REPORT_PATH", "Judge", "Judged"]

#: Findings kept per partner (the oldest go first); the report counts those dropped.
MAX_FINDINGS = 1000
#: The largest answer to a CommandResult POST the judge reads.
MAX_ANSWER_BYTES = 65536

#: Where the report is served (outside /ocpi, so it cannot clash with a module).
REPORT_PATH = "/ocpi-ref/judge"
NO_CREDENTIALS, UNKNOWN = "(no credentials)", "(unknown credentials)"
_PATH = re.compile(r"^/ocpi/cpo/([^/]+)(?:/commands/([A-Z_]+))?")


@dataclass(frozen=True)
class Judged:
    """One finding on a partner's traffic, with the exchange it came from; its verdict on the
    eMSP (``fail`` or ``warn``) and its basis. Message and exchange are escaped text."""

    partner: str
    rule: str
    severity: str
    message: str
    exchange: str
    version: str | None = None

    @property
    def verdict(self) -> str:
        return "fail" if self.severity == "error" and fails(self.rule, self.version, Party.EMSP) else "warn"

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity, "verdict": self.verdict,
                "basis": basis_text(self.rule, self.version, Party.EMSP), "message": self.message, "exchange": self.exchange}


class Judge:
    """The reference CPO with a per-partner record of what its partners did wrong."""

    def __init__(self, config: CpoConfig, *, clock: Callable[[], datetime] | None = None,
                 operator_token: str | None = None, max_findings: int = MAX_FINDINGS) -> None:
        self.config = config
        self.operator_token = operator_token
        self.max_findings = max_findings
        self.findings: dict[str, deque[Judged]] = {}
        self.dropped: dict[str, int] = {}
        self.requests: dict[str, int] = {}
        self._urls: dict[str, deque[str]] = {}
        self._callbacks: dict[str, tuple[str, str]] = {}  # response_url -> (partner, what sent it)
        transport = BoundedTransport(total=config.callback_timeout, max_bytes=MAX_ANSWER_BYTES)
        self.http = httpx.AsyncClient(transport=transport, event_hooks={"response": [self._answered]}, follow_redirects=False)
        self.app = create_cpo_app(config, clock=clock, http=self.http)

    # ------------------------------------------------------------------ incoming

    def _partner(self, auth: str | None, version: str | None) -> tuple[Partner | None, str | None]:
        """The partner whose token *auth* carries, and a problem with its encoding, if any."""
        if auth is None:
            return None, None
        for partner in self.config.partners:
            if auth in matching_headers(partner.token, "either"):
                if version in VERSIONS and auth not in matching_headers(partner.token, accepted_encoding(version, partner.authorization)):
                    return partner, f"the token is not encoded as OCPI {version} sends it ({accepted_encoding(version, partner.authorization)})"
                return partner, None
        return None, None

    def _add(self, partner: str, rule: str, severity: str, message: str, exchange: str, version: str | None = None) -> None:
        kept = self.findings.setdefault(partner, deque(maxlen=self.max_findings))
        if len(kept) == self.max_findings:
            self.dropped[partner] = self.dropped.get(partner, 0) + 1
        kept.append(Judged(partner, rule, severity, safe_text(message), safe_text(exchange), version))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)  # as the CPO reads them: the first of repeated headers
        if scope["path"] == REPORT_PATH and scope["method"] == "GET":
            await self._serve_report(scope, headers, send)
            return
        match = _PATH.match(scope["path"])
        version, command = (match.group(1), match.group(2)) if match else (None, None)
        exchange = f"{scope['method']} {scope['path']} (X-Request-ID {headers.get('x-request-id', '-')})"
        partner, encoding_problem = self._partner(headers.get("authorization"), version)
        name = partner.name if partner else (NO_CREDENTIALS if "authorization" not in headers else UNKNOWN)
        self.requests[name] = self.requests.get(name, 0) + 1
        if partner is None:
            self._add(name, "commands.credentials-required", "error", "a request without known credentials (answered 401)", exchange, version)
        elif encoding_problem:
            self._add(name, "commands.authorization-encoding", "error", encoding_problem, exchange, version)
        elif version in VERSIONS:
            self._audited(name, scope, headers, exchange, version)
        judged = (partner is not None and not encoding_problem and command in ("START_SESSION", "STOP_SESSION") and version in VERSIONS)
        if not judged:
            await self.app(scope, receive, send)
            return
        assert partner is not None and version is not None and command is not None
        # See the body only as the CPO reads it: its limit, its read timeout, a disconnect.
        chunks: list[bytes] = []
        size, limit = 0, self.config.max_body_bytes

        async def tee() -> dict[str, Any]:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request" and size <= limit:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if not message.get("more_body", False) and size <= limit:
                    self._command(partner, version, command, b"".join(chunks), exchange)
            return message

        await self.app(scope, tee, send)

    def _audited(self, name: str, scope: dict[str, Any], headers: Headers, exchange: str, version: str) -> None:
        """The audit's checks of one request on its own (:mod:`ocpi_ref.audit.fronts`): its
        request ids, whoever sends it (``conformance.request-ids-on-requests``, 2.2 and later)."""
        seen = {k: headers[k] for k in headers.keys()}  # the first of repeated headers, as the CPO reads them
        rec = fronts.record(0, scope["method"], scope["path"], seen, None, datetime.now(timezone.utc))
        for f in fronts.request_ids(rec, Party.EMSP, version):
            self._add(name, f.rule, f.severity.value, f.message, exchange, version)

    def _command(self, partner: Partner, version: str, command: str, body: bytes, exchange: str) -> None:
        if command == "START_SESSION":
            report = check_start_session(body, version=version, sender=list(partner.roles))
            for f in report.findings:
                if f.severity is not Severity.INFO:
                    self._add(partner.name, f.rule, f.severity.value, f"StartSession {f.pointer or '(document)'}: {f.message}", exchange, version)
        try:
            url = json.loads(body).get("response_url")
        except (ValueError, AttributeError, RecursionError):  # nested deeper than json reads: the checker said so
            return
        if not isinstance(url, str):
            return
        seen = self._urls.setdefault(partner.name, deque(maxlen=self.max_findings))
        if url in seen:
            self._add(partner.name, "commands.unique-response-url", "warning",
                      f"{command} reuses the response_url {url} of an earlier command", exchange, version)
        seen.append(url)
        self._callbacks[url] = (partner.name, exchange)
        while len(self._callbacks) > self.max_findings * max(len(self.config.partners), 1):
            del self._callbacks[next(iter(self._callbacks))]

    async def _serve_report(self, scope: dict[str, Any], headers: Headers, send: Any) -> None:
        """The whole report to an operator, a partner's own part to that partner, else 401."""
        auth = headers.get("authorization")
        whole = (auth is None and _loopback(scope)) or (
            auth is not None and self.operator_token is not None and auth in matching_headers(self.operator_token, "either"))
        partner = None if whole or auth is None else self._partner(auth, None)[0]
        if not whole and partner is None:
            body = json.dumps({"status_code": 2000, "status_message": "the judging report needs a partner's or the operator's credentials"}).encode()
            await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Token")]})
            await send({"type": "http.response.body", "body": body})
            return
        report = self.report(None if whole else partner.name)  # type: ignore[union-attr]
        body = (await asyncio.to_thread(json.dumps, report, indent=2)).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    # ------------------------------------------------------------------ outgoing

    async def _answered(self, response: httpx.Response) -> None:
        """The eMSP's answer to one of our CommandResult POSTs (read within the client's bounds)."""
        url = str(response.request.url)
        partner, sent_by = self._callbacks.get(url, (UNKNOWN, "?"))
        await response.aread()
        exchange = f"our POST {response.request.url.path} (the answer to {sent_by})"
        version = _version_of(url)
        if not 200 <= response.status_code < 300:
            self._add(partner, "commands.response-envelope", "error",
                      f"the CommandResult POST was answered with HTTP {response.status_code}", exchange, version)
        report = check_envelope(response.content, version=version)
        for f in report.findings:
            if f.severity is not Severity.INFO:
                self._add(partner, f.rule, f.severity.value, f"the answer to our CommandResult {f.pointer or '(document)'}: {f.message}", exchange, version)

    def _undelivered(self) -> list[Judged]:
        service = self.app.state.cpo
        out = []
        for d in list(service.deliveries)[-self.max_findings:]:
            if d.error is not None:
                partner, sent_by = self._callbacks.get(d.response_url, (UNKNOWN, "?"))
                out.append(Judged(partner, "commands.no-retry", "warning",
                                  safe_text(f"the {d.command} result could not be delivered ({d.error}); it is not retried"),
                                  safe_text(f"our POST {d.response_url} (the answer to {sent_by})"), _version_of(d.response_url)))
        return out

    # ------------------------------------------------------------------ the report

    def report(self, only: str | None = None) -> dict[str, Any]:
        """Per partner (or only *only*): how many requests it sent, every finding kept on its
        traffic with its verdict and basis, and how many findings were dropped past the bound."""
        undelivered = self._undelivered()
        names = sorted({*self.requests, *self.findings, *(j.partner for j in undelivered)})
        return {
            name: {
                "requests": self.requests.get(name, 0),
                "findings": [j.to_dict() for j in [*self.findings.get(name, ()), *(u for u in undelivered if u.partner == name)]],
                "dropped": self.dropped.get(name, 0),
            }
            for name in names
            if only is None or name == only
        }

    def text(self) -> str:
        """The report as text; everything a caller controls is already escaped."""
        lines = ["judging report"]
        for name, part in self.report().items():
            dropped = f" ({part['dropped']} more dropped)" if part["dropped"] else ""
            lines.append(f"{name}: {part['requests']} requests, {len(part['findings'])} findings{dropped}")
            lines.extend(f"  {f['verdict']}: {f['message']} [{f['rule']}; {f['basis']}]\n    in {f['exchange']}" for f in part["findings"])
        return "\n".join(lines)

    async def aclose(self) -> None:
        await self.http.aclose()


def _loopback(scope: dict[str, Any]) -> bool:
    client = scope.get("client")
    try:
        return client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


def _version_of(url: str) -> str:
    """The version in a callback URL such as ``.../2.2.1/commands/...``, else 2.2.1."""
    return next((v for v in sorted(VERSIONS, key=len, reverse=True) if f"/{v}/" in url), "2.2.1")
