"""A reference CPO and reference eMSPs talking over loopback HTTP, for tests and demos.

``async with loopback(config) as lb:`` serves the CPO app and one callback server per partner
on 127.0.0.1 (free ports), gives an OCPI 2.2.1 :class:`~ocpi_ref.emsp.EmspClient` per partner
in ``lb.emsps``, and stops everything when the block ends. ``lb.client(partner, version)``
makes one more client, of any version, that finds the CPO through its Versions module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .cpo.app import BASE, VERSIONS_PATH, create_cpo_app
from .cpo.config import CpoConfig
from .cpo.service import CpoService
from .emsp import CommandTracker, EmspClient, create_callback_app
from .transport.servers import serve_in_task

__all__ = ["Loopback", "loopback"]


@dataclass
class Loopback:
    """The running pair: the CPO's base URL and service, and an eMSP client per partner."""

    cpo_url: str
    cpo: CpoService
    emsps: dict[str, EmspClient]
    _extra: list[EmspClient] = field(default_factory=list, repr=False)

    @property
    def root_url(self) -> str:
        """The CPO server's root (where ``/simulator/...`` lives)."""
        return self.cpo_url.removesuffix(BASE)

    @property
    def versions_url(self) -> str:
        """The CPO's Versions endpoint (``GET /ocpi/versions``)."""
        return self.root_url + VERSIONS_PATH

    def tracker(self, partner: str) -> CommandTracker:
        return self.emsps[partner].tracker

    def client(self, partner: str, version: str, **kw: Any) -> EmspClient:
        """One more client of *partner*, speaking *version*, discovering through the Versions
        module; it shares the partner's callback server and tracker, sends the token as the
        partner's ``authorization`` setting says, and closes with the block."""
        base = self.emsps[partner]
        partner_cfg = next(p for p in self.cpo.config.partners if p.name == partner)
        kw.setdefault("authorization", partner_cfg.authorization)
        client = EmspClient(
            self.versions_url,
            partner_cfg.token,
            partner_cfg.roles,
            base.callback_url,
            base.tracker,
            version=version,
            **kw,
        )
        self._extra.append(client)
        return client

    async def _close_extra(self) -> None:
        for client in self._extra:
            await client.aclose()


@asynccontextmanager
async def loopback(
    config: CpoConfig,
    *,
    clock: Callable[[], datetime] | None = None,
    partners: Iterable[str] | None = None,
    wrap: Callable[[Any], Any] | None = None,
    **app_kw: Any,
) -> AsyncIterator[Loopback]:
    """*wrap*, when given, wraps every app served (the CPO's and each callback's), e.g. to
    record their traffic (:class:`ocpi_ref.audit.recorder.Recorder`)."""
    app = create_cpo_app(config, clock=clock, **app_kw)
    served_as = wrap or (lambda asgi: asgi)
    async with AsyncExitStack() as stack:
        cpo = await stack.enter_async_context(serve_in_task(served_as(app)))
        running = [cpo]
        emsps: dict[str, EmspClient] = {}
        wanted = set(partners) if partners is not None else None
        for partner in config.partners:
            if wanted is not None and partner.name not in wanted:
                continue
            tracker = CommandTracker()
            callback = create_callback_app(
                tracker, callback_token=partner.callback_token, authorization=partner.authorization
            )
            served = await stack.enter_async_context(serve_in_task(served_as(callback)))
            running.append(served)
            client = EmspClient(
                cpo.url + BASE,
                partner.token,
                partner.roles,
                served.url,
                tracker,
                authorization=partner.authorization,
            )
            stack.push_async_callback(client.aclose)
            emsps[partner.name] = client

        def stop_all() -> None:  # runs first on exit: every server stops in the same tick
            for r in running:
                r.server.should_exit = True

        lb = Loopback(cpo.url + BASE, app.state.cpo, emsps)
        stack.push_async_callback(lb._close_extra)
        stack.callback(stop_all)
        yield lb
