"""When may the CPO ask the eMSP for a real-time authorization? (OCPI 2.2.1 §13.3.5, §13.1)

After a StartSession, an OCPP Charge Point may still send the CPO a local authorization
request for the Token it was given (it re-checks the Token, or a driver taps the card). The
clause lets "the Charge Point" of that StartSession decide whether to validate the Token, so
the :class:`AuthorizationWindow` remembers each StartSession's Token *with its Charge Point*
and answers, for a Token presented at a Charge Point, with a :class:`RealtimeAuth` decision
and the rule behind it:

* AD_HOC_USER / APP_USER Token at the Charge Point of its StartSession: never a real-time
  authorization (``start-session.ocpp-app-token-no-realtime-auth``); this wins over the
  whitelist NEVER that the Tokens module recommends for such Tokens (see the errata page);
* RFID Token at the Charge Point of its StartSession within 15 minutes of receiving it: none
  (``start-session.ocpp-rfid-15-minutes``); the window is inclusive of the 15th minute; past
  it, the whitelist decides;
* any other type (OTHER; 2.3.0's EMAID arrives here as OTHER) at the Charge Point of its
  StartSession: none either. The clause's OCPP paragraph names only the types above, but the
  flow text (Commands §13.1) allows the CPO a real-time authorization of a StartSession's
  Token only "for an RFID Token" whose StartSession is more than 15 minutes old; this
  reference reads the two together (``commands.ocpp-other-token-no-realtime-auth``);
* every other case (no StartSession for this Token at this Charge Point): the Token's
  whitelist decides: ALWAYS never, ALLOWED optional, ALLOWED_OFFLINE and NEVER real-time
  (OCPI 2.2.1 §12.4.5).

The clock is injectable so tests and the book run with fixed times. Memory stays bounded:
each new record first prunes the RFID records older than the 15 minutes (past them the
whitelist decides anyway, so a pruned record changes only the reason given, never the
answer) and the other records older than :data:`APP_RETENTION`. The spec sets those no time
limit; a bound is needed so that memory does not grow with every StartSession ever received,
and a day is longer than any charging session it protects.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

from ..rules.commands import OTHER_TOKEN_NO_REALTIME_AUTH
from ..rules.start_session import APP_TOKEN_NO_REALTIME_AUTH, RFID_15_MINUTES
from ..v2_2_1.enums import TokenType, WhitelistType
from ..v2_2_1.models import Token

__all__ = ["APP_RETENTION", "AuthorizationWindow", "RealtimeAuth", "AuthDecision", "WINDOW"]

#: How long after a StartSession an RFID Token counts as authorized at that Charge Point.
WINDOW = timedelta(minutes=15)
#: How long a non-RFID Token from a StartSession is remembered at its Charge Point (this
#: reference's bound; the spec sets none).
APP_RETENTION = timedelta(hours=24)


class RealtimeAuth(str, Enum):
    """Whether the CPO asks the eMSP before letting the Charge Point go ahead."""

    NOT_ALLOWED = "not allowed"
    """The CPO must not ask, because the Token is already authorized."""
    NOT_NEEDED = "not needed"
    """With whitelist ALWAYS the CPO does not ask."""
    OPTIONAL = "optional"
    """With whitelist ALLOWED the CPO may ask or use its cache."""
    REQUIRED = "required"
    """With whitelist ALLOWED_OFFLINE or NEVER the CPO asks (unless the eMSP is unreachable)."""


@dataclass(frozen=True)
class AuthDecision:
    realtime: RealtimeAuth
    reason: str
    rule: str | None = None


_BY_WHITELIST = {
    WhitelistType.ALWAYS: RealtimeAuth.NOT_NEEDED,
    WhitelistType.ALLOWED: RealtimeAuth.OPTIONAL,
    WhitelistType.ALLOWED_OFFLINE: RealtimeAuth.REQUIRED,
    WhitelistType.NEVER: RealtimeAuth.REQUIRED,
}

_APP_TYPES = (TokenType.AD_HOC_USER, TokenType.APP_USER)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _key(token: Token) -> str:
    """One short text per Token, its CiStrings compared without case (a record per
    StartSession is kept for 15 minutes, so it is kept small)."""
    return "\x00".join((token.country_code.lower(), token.party_id.lower(), token.uid.lower(), token.type.value))


def _at(token: Token, charge_point_id: str) -> str:
    return f"{_key(token)}\x00{charge_point_id.lower()}"


class AuthorizationWindow:
    """Remembers StartSession Tokens per Charge Point and decides on local authorizations."""

    def __init__(self, clock: Callable[[], datetime] = _utcnow) -> None:
        self.clock = clock
        # Both oldest first, so pruning looks only at the front; keyed by Token and Charge Point.
        self._started: OrderedDict[str, datetime] = OrderedDict()  # RFID, for 15 minutes
        self._held: OrderedDict[str, datetime] = OrderedDict()  # every other type

    def __len__(self) -> int:
        """How many records are kept (RFID and other Token records together)."""
        return len(self._started) + len(self._held)

    def record_start_session(self, token: Token, charge_point_id: str) -> None:
        """Note that a StartSession with *token* was received for *charge_point_id*, now."""
        now = self.clock()
        _prune(self._started, now - WINDOW)
        _prune(self._held, now - APP_RETENTION)
        records = self._started if token.type is TokenType.RFID else self._held
        key = _at(token, charge_point_id)
        records.pop(key, None)
        records[key] = now

    def decide(self, token: Token, charge_point_id: str) -> AuthDecision:
        """May the CPO ask the eMSP about *token*, now presented at *charge_point_id*?"""
        key = _at(token, charge_point_id)
        if token.type is not TokenType.RFID:
            if key in self._held:
                app = token.type in _APP_TYPES
                why = "the Charge Point of its StartSession" if app else (
                    "the Charge Point of its StartSession; Commands §13.1 allows a real-time "
                    "authorization of a StartSession's Token only for RFID past 15 minutes"
                )
                return AuthDecision(
                    RealtimeAuth.NOT_ALLOWED,
                    f"{token.type.value} Token at {why}",
                    APP_TOKEN_NO_REALTIME_AUTH.id if app else OTHER_TOKEN_NO_REALTIME_AUTH.id,
                )
        elif (received := self._started.get(key)) is not None:
            elapsed = self.clock() - received
            if elapsed <= WINDOW:
                return AuthDecision(
                    RealtimeAuth.NOT_ALLOWED,
                    f"RFID Token {_minutes(elapsed)} after its StartSession, within 15 minutes",
                    RFID_15_MINUTES.id,
                )
            return AuthDecision(
                _BY_WHITELIST[token.whitelist],
                f"RFID Token {_minutes(elapsed)} after its StartSession, past 15 minutes: "
                f"whitelist {token.whitelist.value} decides",
                RFID_15_MINUTES.id,
            )
        return AuthDecision(
            _BY_WHITELIST[token.whitelist],
            f"no StartSession of this Token at this Charge Point: whitelist {token.whitelist.value} decides",
        )


def _prune(records: OrderedDict[Any, datetime], before: datetime) -> None:
    """Drop the records made before *before* (they are oldest first)."""
    while records:
        key, at = next(iter(records.items()))
        if at >= before:
            return
        del records[key]


def _minutes(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60} min {seconds % 60:02d} s"
