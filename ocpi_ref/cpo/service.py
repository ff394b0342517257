"""The reference CPO's state, with no web framework in it: configuration in, replies out.

:class:`CpoService` holds what the CPO knows (partners, locations, simulated Charge Points,
pushed Tokens, Sessions and CDRs, the authorization window) and hands each request to the
module that serves it: :mod:`.credentials` (who is calling), :mod:`.commands` (every command,
and what an accepted one starts), :mod:`.delivery` (the one asynchronous answer),
:mod:`.tokens`, :mod:`.sessions` and :mod:`.versions`. :mod:`.app` only turns HTTP requests
into these calls and :class:`~.replies.Reply` objects back into HTTP. Every answer is a row of
:data:`.replies.CHOICES`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

import httpx

from ..flow.sessions import SessionStore
from ..flow.tokens import TokenStore
from ..flow.window import AuthorizationWindow
from ..party import PartyId
from ..types import CiString
from . import sessions as _sessions
from . import versions as _versions
from .chargepoint import SimulatedChargePoint
from .commands import Commands
from .config import CpoConfig
from .credentials import Credentials
from .delivery import Deliverer, Delivery
from .replies import CLIENT_ERROR, Caller, Reply
from .tokens import TokensReceiver, read_token

__all__ = ["CpoService"]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class CpoService:
    """The reference CPO: configuration in, :class:`~.replies.Reply` objects out."""

    config: CpoConfig
    clock: Callable[[], datetime] = _utcnow
    http: httpx.AsyncClient | None = None
    new_request_id: Callable[[], str] = lambda: str(uuid.uuid4())
    tokens: TokenStore = field(default_factory=TokenStore)

    def __post_init__(self) -> None:
        self.window = AuthorizationWindow(clock=self.clock)
        self.sessions = SessionStore(self.config.party, self.config.places, self.config.outlets)
        self.charge_points: dict[CiString, SimulatedChargePoint] = {
            CiString(cp.id): SimulatedChargePoint(cp, self.config.behaviour(cp.id), self.config.car(cp.id))
            for loc in self.config.locations
            for cp in loc.charge_points
        }
        self.credentials = Credentials(self.config)
        self.deliverer = Deliverer(self.config, self.http, self.new_request_id)
        self.commands = Commands(
            self.config,
            clock=self.clock,
            window=self.window,
            sessions=self.sessions,
            charge_points=self.charge_points,
            deliverer=self.deliverer,
        )
        self.token_receiver = TokensReceiver(self.tokens)
        # The handlers the HTTP layer calls, bound once.
        self.authenticate = self.credentials.authenticate
        self.too_large = self.credentials.too_large
        self.command = self.commands.command
        self.start_session = self.commands.start_session
        self.stop_session = self.commands.stop_session
        self.get_token = self.token_receiver.get
        self.put_token = self.token_receiver.put
        self.patch_token = self.token_receiver.patch
        self.drain = self.deliverer.drain
        self.aclose = self.deliverer.aclose

    @property
    def deliveries(self) -> list[Delivery]:
        """The most recent asynchronous answers POSTed (or tried, or dropped), oldest first.

        At most :data:`~.delivery.RECENT` are kept; ``deliverer.counts`` has the totals.
        """
        return list(self.deliverer.deliveries)

    def charge_point(self, charge_point_id: str) -> SimulatedChargePoint:
        """The simulated Charge Point with this id (case ignored)."""
        return self.charge_points[CiString(charge_point_id)]

    # ------------------------------------------------------------------ versions module

    @staticmethod
    def versions(root: str) -> Reply:
        """``GET /ocpi/versions``: every version with the URL of its details."""
        return Reply(data=_versions.version_list(root))

    @staticmethod
    def version_details(root: str, version: str) -> Reply:
        """``GET /ocpi/cpo/{version}``: the modules served in a known *version*."""
        return Reply(data=_versions.version_details(root, version))

    @staticmethod
    def unsupported_version(version: str) -> Reply:
        """HTTP 404 with status 3002 for a version this CPO does not serve."""
        return _versions.unsupported(version)

    # ------------------------------------------------------------------ sessions, CDRs

    def list_sessions(self, caller: Caller, query: Mapping[str, str]) -> Reply:
        """Sessions sender GET (date_from is required by OCPI 2.2.1 §9.2.1.1)."""
        return _sessions.list_sessions(self.sessions, caller, query)

    def list_cdrs(self, caller: Caller, query: Mapping[str, str]) -> Reply:
        """CDRs sender GET (every parameter optional)."""
        return _sessions.list_cdrs(self.sessions, caller, query)

    # ------------------------------------------------------------------ simulator

    def local_authorize(self, charge_point_id: str, body: bytes, caller: Caller | None = None) -> Reply:
        """A driver presents *body* (a Token) at a Charge Point: may the CPO ask the eMSP?

        Outside OCPI: the simulation's way to try the 15-minute window
        (``start-session.ocpp-rfid-15-minutes``) over HTTP. The answer tells of that Token's
        StartSessions, so a *caller* (a partner) is answered only about a Token of one of its
        roles; None is the operator on loopback (``open_simulator``).
        """
        if CiString(charge_point_id) not in self.charge_points:
            return Reply(404, CLIENT_ERROR, message=f"no Charge Point {charge_point_id}")
        token = read_token(body)
        if isinstance(token, Reply):
            return token
        if caller is not None and PartyId(token.country_code, token.party_id) not in caller.roles:
            roles = ", ".join(map(str, caller.roles))
            return Reply(403, CLIENT_ERROR, message=(
                f"the simulator answers about your own Tokens only (roles {roles}); this Token is "
                f"owned by {token.country_code}-{token.party_id}"
            ))
        decision = self.window.decide(token, charge_point_id)
        return Reply(data={"realtime": decision.realtime.value, "reason": decision.reason, "rule": decision.rule})
