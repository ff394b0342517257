"""Session and CDR objects as the reference CPO serves them (OCPI 2.2.1 §9.3.1, §10.3.1), and their store.

Tariffs and costs are out of scope for this reference: no energy flows in the simulation,
every session is free of charge (``total_cost`` 0) and its one charging period is parking
time. Every field the two tables require is there, so each object passes
:func:`ocpi_ref.objects.sessions.check_session` / ``check_cdr``: the CDR's ``cdr_location``
comes from the configuration (:class:`Place` per Location, :class:`Outlet` per EVSE). The
fields the StartSession rules govern: ``cdr_token`` built from the Token
(``start-session.token-in-session-and-cdr``), ``auth_method`` COMMAND, and the
``authorization_reference`` echoed unchanged (``start-session.authorization-reference-echo``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..party import PartyId
from ..types import CiString, DateTime
from ..v2_2_1.models import StartSession
from .session_token import session_token_fields

__all__ = ["Cdr", "Outlet", "Page", "Place", "Session", "SessionStore", "sessions_of_start"]


@dataclass(frozen=True)
class Place:
    """What a CDR says of a Location (its ``cdr_location`` fields), from the configuration."""

    address: str
    city: str
    country: str
    """ISO 3166-1 alpha-3."""
    latitude: str
    longitude: str
    name: str | None = None
    postal_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {} if self.name is None else {"name": self.name}
        out.update(address=self.address, city=self.city)
        if self.postal_code is not None:
            out["postal_code"] = self.postal_code
        out.update(country=self.country, coordinates={"latitude": self.latitude, "longitude": self.longitude})
        return out


@dataclass(frozen=True)
class Outlet:
    """What a CDR says of an EVSE and its connectors, from the configuration."""

    evse_id: str
    connector_standard: str = "IEC_62196_T2"
    connector_format: str = "SOCKET"
    connector_power_type: str = "AC_3_PHASE"


@dataclass(frozen=True)
class Session:
    """A charging session started by a StartSession (only the fields this reference needs)."""

    country_code: str
    party_id: str
    id: str
    start_date_time: datetime
    location_id: str
    evse_uid: str
    connector_id: str
    token_fields: dict[str, Any]
    status: str = "ACTIVE"
    end_date_time: datetime | None = None
    last_updated: datetime | None = None
    id_tag: str | None = None
    """The idTag the Charge Point started with (not an OCPI field, so not in :meth:`to_json`)."""

    @property
    def owner(self) -> PartyId:
        """The eMSP that owns the Token (the ``cdr_token``'s country code and party id)."""
        return _owner(self.token_fields)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "country_code": self.country_code,
            "party_id": self.party_id,
            "id": self.id,
            "start_date_time": DateTime.from_datetime(self.start_date_time),
        }
        if self.end_date_time is not None:
            out["end_date_time"] = DateTime.from_datetime(self.end_date_time)
        out["kwh"] = 0
        out.update(self.token_fields)
        out.update(
            location_id=self.location_id,
            evse_uid=self.evse_uid,
            connector_id=self.connector_id,
            currency="EUR",
            status=self.status,
            last_updated=DateTime.from_datetime(self.last_updated or self.start_date_time),
        )
        return out


def _owner(token_fields: dict[str, Any]) -> PartyId:
    token = token_fields["cdr_token"]
    return PartyId(token["country_code"], token["party_id"])


@dataclass(frozen=True)
class Cdr:
    """The charge detail record of a finished session (token-related fields only)."""

    country_code: str
    party_id: str
    id: str
    session_id: str
    start_date_time: datetime
    end_date_time: datetime
    location_id: str
    evse_uid: str
    connector_id: str
    token_fields: dict[str, Any]
    place: Place | None = None
    outlet: Outlet | None = None

    @property
    def owner(self) -> PartyId:
        """The eMSP that owns the Token (the ``cdr_token``'s country code and party id)."""
        return _owner(self.token_fields)

    def to_json(self) -> dict[str, Any]:
        hours = round((self.end_date_time - self.start_date_time).total_seconds() / 3600, 6)
        out: dict[str, Any] = {
            "country_code": self.country_code,
            "party_id": self.party_id,
            "id": self.id,
            "start_date_time": DateTime.from_datetime(self.start_date_time),
            "end_date_time": DateTime.from_datetime(self.end_date_time),
            "session_id": self.session_id,
        }
        out.update(self.token_fields)
        location: dict[str, Any] = {"id": self.location_id, **(self.place.to_json() if self.place else {})}
        location.update(evse_uid=self.evse_uid)
        if self.outlet is not None:
            location["evse_id"] = self.outlet.evse_id
        location["connector_id"] = self.connector_id
        if self.outlet is not None:
            location.update(
                connector_standard=self.outlet.connector_standard,
                connector_format=self.outlet.connector_format,
                connector_power_type=self.outlet.connector_power_type,
            )
        out.update(
            cdr_location=location,
            currency="EUR",
            charging_periods=[{
                "start_date_time": DateTime.from_datetime(self.start_date_time),
                "dimensions": [{"type": "ENERGY", "volume": 0}, {"type": "PARKING_TIME", "volume": hours}],
            }],
            total_cost={"excl_vat": 0},
            total_energy=0,
            total_time=hours,
            total_parking_time=hours,
            last_updated=DateTime.from_datetime(self.end_date_time),
        )
        return out


@dataclass(frozen=True)
class Page:
    """One page of a paginated GET: the items, and the total that matched before paging."""

    items: tuple[dict[str, Any], ...]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        nxt = self.offset + len(self.items)
        return nxt if nxt < self.total else None


@dataclass
class SessionStore:
    """Sessions and CDRs of this CPO, in creation order; ids are CiStrings."""

    party: PartyId
    places: Mapping[CiString, Place] = field(default_factory=dict)
    """Each Location's CDR fields, by Location id."""
    outlets: Mapping[CiString, Outlet] = field(default_factory=dict)
    """Each EVSE's CDR fields, by EVSE uid."""
    _sessions: dict[CiString, Session] = field(default_factory=dict)
    _cdrs: list[Cdr] = field(default_factory=list)
    _count: int = 0

    def start(
        self, start: StartSession, evse_uid: str, connector_id: str, now: datetime, *, id_tag: str | None = None
    ) -> Session:
        """Create the Session a StartSession led to, once the car is plugged in.

        *id_tag* is what the Charge Point started its transaction with; it must be the Token's
        uid (``start-session.emsp-authorizes-token``: the eMSP provides the Token the Charge
        Point uses), and the Session keeps it to show where the Token came from.
        """
        if id_tag is not None and CiString(id_tag) != CiString(start.token.uid):
            raise ValueError(f"the Charge Point started with idTag {id_tag!r}, not the Token's uid")
        self._count += 1
        session = Session(
            country_code=str(self.party.country_code),
            party_id=str(self.party.party_id),
            id=f"SES-{self._count:05d}",
            start_date_time=now,
            location_id=str(start.location_id),
            evse_uid=evse_uid,
            connector_id=connector_id,
            token_fields=session_token_fields(start),
            id_tag=id_tag,
        )
        self._sessions[CiString(session.id)] = session
        return session

    def get(self, session_id: str) -> Session | None:
        return self._sessions.get(CiString(session_id))

    def stop(self, session_id: str, now: datetime) -> Cdr:
        """Complete the session and create its CDR, carrying the same token fields."""
        session = self._sessions[CiString(session_id)]
        done = replace(session, status="COMPLETED", end_date_time=now, last_updated=now)
        self._sessions[CiString(session_id)] = done
        cdr = Cdr(
            country_code=done.country_code,
            party_id=done.party_id,
            id=f"CDR-{len(self._cdrs) + 1:05d}",
            session_id=done.id,
            start_date_time=done.start_date_time,
            end_date_time=now,
            location_id=done.location_id,
            evse_uid=done.evse_uid,
            connector_id=done.connector_id,
            token_fields=dict(done.token_fields),
            place=self.places.get(CiString(done.location_id)),
            outlet=self.outlets.get(CiString(done.evse_uid)),
        )
        self._cdrs.append(cdr)
        return cdr

    @property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(self._sessions.values())

    @property
    def cdrs(self) -> tuple[Cdr, ...]:
        return tuple(self._cdrs)

    def page_sessions(self, caller: Iterable[PartyId], **query: Any) -> Page:
        """Sessions of *caller*'s Tokens only, filtered on last_updated and paged."""
        roles = set(caller)
        mine = [s for s in self._sessions.values() if s.owner in roles]
        return _page([(s.last_updated or s.start_date_time, s.to_json()) for s in mine], **query)

    def page_cdrs(self, caller: Iterable[PartyId], **query: Any) -> Page:
        """CDRs of *caller*'s Tokens only, filtered on last_updated and paged."""
        roles = set(caller)
        mine = [c for c in self._cdrs if c.owner in roles]
        return _page([(c.end_date_time, c.to_json()) for c in mine], **query)


def _page(
    rows: list[tuple[datetime, dict[str, Any]]],
    *,
    date_from: datetime | None,
    date_to: datetime | None,
    offset: int,
    limit: int,
) -> Page:
    """date_from inclusive, date_to exclusive (OCPI 2.2.1 §4.1.3)."""
    hits = [
        doc
        for updated, doc in rows
        if (date_from is None or updated >= date_from) and (date_to is None or updated < date_to)
    ]
    return Page(tuple(hits[offset : offset + limit]), len(hits), offset, limit)


def sessions_of_start(
    sessions: Iterable[Any],
    *,
    token_uid: str,
    location_id: str,
    evse_uid: str | None,
    authorization_reference: str | None,
    not_before: datetime,
) -> list[dict[str, Any]]:
    """The ACTIVE Session documents that one StartSession can have led to, newest last.

    The eMSP's way to find the Session of its own command among a Sessions GET: same Token uid,
    Location, EVSE (when the StartSession named one) and ``authorization_reference`` (when it
    sent one), started no earlier than *not_before*. Ids compare as CiStrings; anything that is
    not a readable Session document is passed over, never trusted.
    """
    found = []
    for doc in sessions:
        if not isinstance(doc, dict) or doc.get("status") != "ACTIVE":
            continue
        token = doc.get("cdr_token")
        started = _datetime(doc.get("start_date_time"))
        if not isinstance(token, dict) or started is None or started < not_before:
            continue
        wanted = [(token.get("uid"), token_uid), (doc.get("location_id"), location_id)]
        if evse_uid is not None:
            wanted.append((doc.get("evse_uid"), evse_uid))
        if authorization_reference is not None:
            wanted.append((doc.get("authorization_reference"), authorization_reference))
        if all(isinstance(got, str) and CiString(got) == CiString(want) for got, want in wanted):
            found.append((started, doc))
    return [doc for _, doc in sorted(found, key=lambda pair: pair[0])]


def _datetime(value: Any) -> datetime | None:
    try:
        return DateTime(value).to_datetime() if isinstance(value, str) else None
    except ValueError:
        return None
