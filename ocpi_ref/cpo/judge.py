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

The report is served as JSON at ``GET /ocpi-ref/judge`` (:data:`REPORT_PATH`) and rendered as
text by :meth:`Judge.text`, which ``ocpi-ref cpo --judge`` prints at shutdown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from ..checker import check_start_session
from ..findings import Severity
from ..objects import check_envelope
from ..transport.authorization import accepted_encoding, matching_headers
from ..versions import VERSIONS
from .app import create_cpo_app
from .config import CpoConfig, Partner

__all__ = ["REPORT_PATH", "Judge", "Judged"]

#: Where the report is served (outside /ocpi, so it cannot clash with a module).
REPORT_PATH = "/ocpi-ref/judge"
NO_CREDENTIALS, UNKNOWN = "(no credentials)", "(unknown credentials)"
_PATH = re.compile(r"^/ocpi/cpo/([^/]+)(?:/commands/([A-Z_]+))?")


@dataclass(frozen=True)
class Judged:
    """One finding on a partner's traffic, with the exchange it came from."""

    partner: str
    rule: str
    severity: str
    message: str
    exchange: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "exchange": self.exchange}


class Judge:
    """The reference CPO with a per-partner record of what its partners did wrong."""

    def __init__(self, config: CpoConfig, *, clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.findings: list[Judged] = []
        self.requests: dict[str, int] = {}
        self._urls: dict[str, set[str]] = {}
        self._callbacks: dict[str, tuple[str, str]] = {}  # response_url -> (partner, what sent it)
        self.http = httpx.AsyncClient(event_hooks={"response": [self._answered]}, follow_redirects=False)
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

    def _add(self, partner: str, rule: str, severity: str, message: str, exchange: str) -> None:
        self.findings.append(Judged(partner, rule, severity, message, exchange))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == REPORT_PATH and scope["method"] == "GET":
            body = json.dumps(self.report(), indent=2).encode()
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        # Read no more than the CPO would (one byte past its limit is enough for it to answer 413),
        # so judging does not buffer a body the CPO itself refuses to hold.
        chunks, more, size, limit = [], True, 0, self.config.max_body_bytes
        while more and size <= limit:
            message = await receive()
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        body = b"".join(chunks)
        too_large = size > limit
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        match = _PATH.match(scope["path"])
        version, command = (match.group(1), match.group(2)) if match else (None, None)
        exchange = f"{scope['method']} {scope['path']} (X-Request-ID {headers.get('x-request-id', '-')})"
        partner, encoding_problem = self._partner(headers.get("authorization"), version)
        name = partner.name if partner else (NO_CREDENTIALS if "authorization" not in headers else UNKNOWN)
        self.requests[name] = self.requests.get(name, 0) + 1
        if partner is None:
            self._add(name, "commands.credentials-required", "error", "a request without known credentials (answered 401)", exchange)
        elif encoding_problem:
            self._add(name, "commands.authorization-encoding", "error", encoding_problem, exchange)
        if (partner is not None and not encoding_problem and not too_large
                and command in ("START_SESSION", "STOP_SESSION") and version in VERSIONS):
            self._command(partner, version, command, body, exchange)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _command(self, partner: Partner, version: str, command: str, body: bytes, exchange: str) -> None:
        if command == "START_SESSION":
            report = check_start_session(body, version=version, sender=list(partner.roles))
            for f in report.findings:
                if f.severity is not Severity.INFO:
                    self._add(partner.name, f.rule, f.severity.value, f"StartSession {f.pointer or '(document)'}: {f.message}", exchange)
        try:
            url = json.loads(body).get("response_url")
        except (ValueError, AttributeError):
            return
        if not isinstance(url, str):
            return
        seen = self._urls.setdefault(partner.name, set())
        if url in seen:
            self._add(partner.name, "commands.unique-response-url", "warning",
                      f"{command} reuses the response_url {url} of an earlier command", exchange)
        seen.add(url)
        self._callbacks[url] = (partner.name, exchange)

    # ------------------------------------------------------------------ outgoing

    async def _answered(self, response: httpx.Response) -> None:
        """The eMSP's answer to one of our CommandResult POSTs."""
        url = str(response.request.url)
        partner, sent_by = self._callbacks.get(url, (UNKNOWN, "?"))
        await response.aread()
        exchange = f"our POST {response.request.url.path} (the answer to {sent_by})"
        if not 200 <= response.status_code < 300:
            self._add(partner, "commands.response-envelope", "error",
                      f"the CommandResult POST was answered with HTTP {response.status_code}", exchange)
        report = check_envelope(response.content, version=_version_of(url))
        for f in report.findings:
            if f.severity is not Severity.INFO:
                self._add(partner, f.rule, f.severity.value, f"the answer to our CommandResult {f.pointer or '(document)'}: {f.message}", exchange)

    def _undelivered(self) -> list[Judged]:
        service = self.app.state.cpo
        out = []
        for d in service.deliveries:
            if d.error is not None:
                partner, sent_by = self._callbacks.get(d.response_url, (UNKNOWN, "?"))
                out.append(Judged(partner, "commands.no-retry", "warning",
                                  f"the {d.command} result could not be delivered ({d.error}); it is not retried", f"our POST {d.response_url} (the answer to {sent_by})"))
        return out

    # ------------------------------------------------------------------ the report

    def report(self) -> dict[str, Any]:
        """Per partner: how many requests it sent, and every finding on its traffic."""
        everything = self.findings + self._undelivered()
        names = sorted({*self.requests, *(j.partner for j in everything)})
        return {
            name: {
                "requests": self.requests.get(name, 0),
                "findings": [j.to_dict() for j in everything if j.partner == name],
            }
            for name in names
        }

    def text(self) -> str:
        lines = ["judging report"]
        for name, part in self.report().items():
            lines.append(f"{name}: {part['requests']} requests, {len(part['findings'])} findings")
            lines.extend(f"  {f['severity']}: {f['message']} [{f['rule']}]\n    in {f['exchange']}" for f in part["findings"])
        return "\n".join(lines)

    async def aclose(self) -> None:
        await self.http.aclose()


def _version_of(url: str) -> str:
    """The version in a callback URL such as ``.../2.2.1/commands/...``, else 2.2.1."""
    return next((v for v in sorted(VERSIONS, key=len, reverse=True) if f"/{v}/" in url), "2.2.1")
