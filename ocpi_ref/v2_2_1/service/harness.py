"""A reference CPO and reference eMSPs talking over loopback HTTP, for tests and demos.

``async with loopback(config) as lb:`` serves the CPO app and one callback server per partner
on 127.0.0.1 (free ports), gives an :class:`~.emsp_client.EmspClient` per partner in
``lb.emsps``, and stops everything when the block ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .config import CpoConfig
from .cpo_app import BASE, create_cpo_app
from .cpo_service import CpoService
from .emsp_client import CommandTracker, EmspClient, create_callback_app
from .servers import serve_in_task

__all__ = ["Loopback", "loopback"]


@dataclass
class Loopback:
    """The running pair: the CPO's base URL and service, and an eMSP client per partner."""

    cpo_url: str
    cpo: CpoService
    emsps: dict[str, EmspClient]

    @property
    def root_url(self) -> str:
        """The CPO server's root (where ``/simulator/...`` lives)."""
        return self.cpo_url.removesuffix(BASE)

    def tracker(self, partner: str) -> CommandTracker:
        return self.emsps[partner].tracker


@asynccontextmanager
async def loopback(
    config: CpoConfig,
    *,
    clock: Callable[[], datetime] | None = None,
    partners: Iterable[str] | None = None,
    **app_kw: Any,
) -> AsyncIterator[Loopback]:
    app = create_cpo_app(config, clock=clock, **app_kw)
    async with AsyncExitStack() as stack:
        cpo = await stack.enter_async_context(serve_in_task(app))
        running = [cpo]
        emsps: dict[str, EmspClient] = {}
        wanted = set(partners) if partners is not None else None
        for partner in config.partners:
            if wanted is not None and partner.name not in wanted:
                continue
            tracker = CommandTracker()
            callback = create_callback_app(tracker, callback_token=partner.callback_token)
            served = await stack.enter_async_context(serve_in_task(callback))
            running.append(served)
            client = EmspClient(cpo.url + BASE, partner.token, partner.roles, served.url, tracker)
            stack.push_async_callback(client.aclose)
            emsps[partner.name] = client

        def stop_all() -> None:  # runs first on exit: every server stops in the same tick
            for r in running:
                r.server.should_exit = True

        stack.callback(stop_all)
        yield Loopback(cpo.url + BASE, app.state.cpo, emsps)
