"""The reference CPO's configuration, read from TOML (see ``examples/cpo.toml``).

Errors name the offending key as a JSON pointer into the file, e.g.
``/partners/0/callback_token: missing``; nothing here raises anything but :class:`ConfigError`
for bad input. A key the parser does not read is an error too, with the key meant when one is
close (``/locations/0/charge_points/1/behavior: unknown key 'behavior'; did you mean
`behaviour`?``): :mod:`.config_keys` records what the parser reads, so a new key needs no list.

The format::

    [cpo]
    country_code = "BE"            # the CPO's own role
    party_id = "REF"
    command_timeout = 30           # seconds, advertised in every CommandResponse.timeout
    charge_point_deadline = 20     # seconds the CPO waits for its Charge Point (< command_timeout)
    max_body_bytes = 16384         # larger request bodies get HTTP 413
    callback_timeout = 5           # seconds for the outgoing CommandResult POST
    max_backlog = 1000             # commands under way per partner; more get REJECTED
    body_read_timeout = 10         # seconds to receive a request body; slower gets HTTP 408
    head_read_timeout = 10         # seconds to receive a request head; slower: connection closed
    max_connections = 512          # open connections at once; more are closed at once
    open_simulator = false         # may loopback clients use the simulator without credentials?
    public_url = "https://cpo.example.com"   # optional: the root written into the Versions URLs

    [[partners]]                   # one per eMSP (or hub) that may call us
    name = "TNM"
    token = "..."                  # the credentials token the partner calls us with
    callback_token = "..."         # the token we call the partner with
    roles = ["DE-TNM"]             # its roles, CC-PID; a hub has several
    response_url_hosts = ["emsp.example.com"]   # hosts we may POST CommandResults to
    authorization = "either"       # optional: base64 | plain | either (default: per version)

    [[locations]]
    id = "LOC-0001"
    name = "Ref Plaza"             # optional; this and the next keys fill each CDR's cdr_location
    address = "Rue de la Loi 16"
    city = "Brussel"
    postal_code = "1000"           # optional
    country = "BEL"                # ISO 3166-1 alpha-3
    coordinates = { latitude = "50.84656", longitude = "4.36616" }
    [[locations.charge_points]]
    id = "CP-1"
    behaviour = "accepts"          # accepts | rejects | silent | occupied | inoperative
    car = "plugs-in"               # plugs-in | never (only for "accepts")
    can_choose_evse = false        # may a StartSession leave out evse_uid?
    ocpp_version = "1.6"
    [[locations.charge_points.evses]]
    uid = "EVSE-1"
    connectors = ["1"]
    capabilities = ["START_SESSION_CONNECTOR_REQUIRED"]
    evse_id = "BE*REF*E0001"       # optional: default CC*PID*E + the uid's letters and digits
    connector_standard = "IEC_62196_T2"    # optional, default IEC_62196_T2 (ConnectorType)
    connector_format = "SOCKET"            # optional, default SOCKET (SOCKET | CABLE)
    connector_power_type = "AC_3_PHASE"    # optional, default AC_3_PHASE (PowerType)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..flow.capabilities import capability_problem
from ..flow.sessions import Outlet, Place
from ..flow.topology import ChargePoint, Evse, Location
from ..party import PartyId
from ..transport.authorization import ENCODINGS
from ..types import CiString
from ..versions import VERSIONS
from .config_keys import known_keys_only

__all__ = [
    "Behaviour",
    "Car",
    "ConfigError",
    "CpoConfig",
    "Partner",
    "load_config",
    "margin",
    "parse_config",
]

DEFAULT_MAX_BODY_BYTES = 16 * 1024
DEFAULT_MAX_BACKLOG = 1000
DEFAULT_BODY_READ_TIMEOUT = 10.0
DEFAULT_HEAD_READ_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 512


def margin(timeout: float) -> float:
    """How much earlier than the advertised *timeout* a result must be sent (a tenth of it, at
    most one second): the eMSP's clock started when it sent the command, a little before the
    CPO received it (``commands.result-before-deadline``)."""
    return min(1.0, timeout / 10)


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message starts with its JSON pointer."""


class Behaviour(str, Enum):
    """How a simulated Charge Point answers a remote start."""

    ACCEPTS = "accepts"
    REJECTS = "rejects"
    SILENT = "silent"
    OCCUPIED = "occupied"
    INOPERATIVE = "inoperative"


class Car(str, Enum):
    """What the simulated driver does after an accepted remote start."""

    PLUGS_IN = "plugs-in"
    NEVER = "never"


@dataclass(frozen=True)
class Partner:
    """An eMSP (or hub) that may call us: its credentials, roles and callback hosts.

    ``authorization`` is ``base64``, ``plain`` or ``either``, or None for each version's
    default (:mod:`ocpi_ref.transport.authorization`, ``commands.authorization-encoding``).
    """

    name: str
    token: str
    callback_token: str
    roles: tuple[PartyId, ...]
    response_url_hosts: frozenset[str]
    authorization: str | None = None

    def allows_host(self, host: str | None) -> bool:
        """Is *host* one we may POST CommandResults to for this partner? (case ignored)"""
        return host is not None and host.lower() in self.response_url_hosts


@dataclass(frozen=True)
class CpoConfig:
    """Everything the reference CPO is configured with."""

    party: PartyId
    partners: tuple[Partner, ...]
    locations: tuple[Location, ...]
    behaviours: Mapping[CiString, Behaviour] = field(default_factory=dict)
    cars: Mapping[CiString, Car] = field(default_factory=dict)
    command_timeout: int = 30
    charge_point_deadline: float = 20.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    callback_timeout: float = 5.0
    max_backlog: int = DEFAULT_MAX_BACKLOG
    """Commands under way per partner (``commands.backlog-limit``)."""
    body_read_timeout: float = DEFAULT_BODY_READ_TIMEOUT
    """Seconds a request body may take to arrive (``commands.body-read-timeout``)."""
    public_url: str | None = None
    """The root of the Versions module's URLs; None: the address the server listens on."""
    head_read_timeout: float = DEFAULT_HEAD_READ_TIMEOUT
    """Seconds a request head may take to arrive; a slower connection is closed."""
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    """Connections open at once; one more is closed at once."""
    open_simulator: bool = False
    """May a loopback client without credentials use the simulator endpoint? (the demo's: yes)"""
    places: Mapping[CiString, Place] = field(default_factory=dict)
    """Each Location's address and coordinates, for the CDRs (by Location id)."""
    outlets: Mapping[CiString, Outlet] = field(default_factory=dict)
    """Each EVSE's evse_id and connector kind, for the CDRs (by EVSE uid)."""

    def behaviour(self, charge_point_id: str) -> Behaviour:
        return self.behaviours.get(CiString(charge_point_id), Behaviour.ACCEPTS)

    def car(self, charge_point_id: str) -> Car:
        return self.cars.get(CiString(charge_point_id), Car.PLUGS_IN)


def load_config(path: str | Path) -> CpoConfig:
    """Read and check the TOML file at *path*."""
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not TOML: {exc}") from None
    return parse_config(raw)


@known_keys_only(ConfigError)
def parse_config(raw: Mapping[str, Any]) -> CpoConfig:
    """Check a parsed configuration (the TOML as a dict) and build a :class:`CpoConfig`."""
    from .places import outlet_of, place_of  # they use this module's checks
    cpo = _table(raw, "cpo", "")
    party = _party(f"{_str(cpo, 'country_code', '/cpo')}-{_str(cpo, 'party_id', '/cpo')}", "/cpo")
    timeout = _number(cpo, "command_timeout", "/cpo", default=30, integer=True)
    deadline = _number(cpo, "charge_point_deadline", "/cpo", default=min(20, timeout * 2 / 3))
    if not 0 < deadline < timeout - margin(timeout):
        raise ConfigError(
            "/cpo/charge_point_deadline: must be above 0 and below command_timeout "
            f"({timeout}) less {margin(timeout):g} s, so a TIMEOUT result reaches the eMSP while it still waits"
        )
    max_body = _number(cpo, "max_body_bytes", "/cpo", default=DEFAULT_MAX_BODY_BYTES, integer=True)
    callback_timeout = _number(cpo, "callback_timeout", "/cpo", default=5)
    max_backlog = _number(cpo, "max_backlog", "/cpo", default=DEFAULT_MAX_BACKLOG, integer=True)
    body_read_timeout = _number(cpo, "body_read_timeout", "/cpo", default=DEFAULT_BODY_READ_TIMEOUT)
    public_url = _public_url(cpo.get("public_url"), "/cpo/public_url")
    head_read_timeout = _number(cpo, "head_read_timeout", "/cpo", default=DEFAULT_HEAD_READ_TIMEOUT)
    max_connections = _number(cpo, "max_connections", "/cpo", default=DEFAULT_MAX_CONNECTIONS, integer=True)
    open_simulator = cpo.get("open_simulator", False)
    if not isinstance(open_simulator, bool):
        raise ConfigError("/cpo/open_simulator: must be true or false")

    partners = []
    seen_tokens: set[str] = set()
    for i, p in enumerate(_list(raw, "partners", "")):
        where = f"/partners/{i}"
        if not isinstance(p, Mapping):
            raise ConfigError(f"{where}: must be a table")
        token = _str(p, "token", where)
        if token in seen_tokens:
            raise ConfigError(f"{where}/token: the same token is used by another partner")
        seen_tokens.add(token)
        roles = _list(p, "roles", where)
        if not roles:
            raise ConfigError(f"{where}/roles: at least one role (CC-PID) is needed")
        hosts = _list(p, "response_url_hosts", where, required=False)
        partners.append(
            Partner(
                name=_str(p, "name", where),
                token=token,
                callback_token=_str(p, "callback_token", where),
                roles=tuple(_party(r, f"{where}/roles/{j}") for j, r in enumerate(roles)),
                response_url_hosts=frozenset(
                    _text(h, f"{where}/response_url_hosts/{j}").lower() for j, h in enumerate(hosts)
                ),
                authorization=_choice(p, "authorization", where, ENCODINGS),
            )
        )
    if not partners:
        raise ConfigError("/partners: at least one partner is needed")

    locations, behaviours, cars, places, outlets = [], {}, {}, {}, {}
    for i, loc in enumerate(_list(raw, "locations", "")):
        where = f"/locations/{i}"
        if not isinstance(loc, Mapping):
            raise ConfigError(f"{where}: must be a table")
        cps = []
        for j, cp in enumerate(_list(loc, "charge_points", where)):
            cpw = f"{where}/charge_points/{j}"
            if not isinstance(cp, Mapping):
                raise ConfigError(f"{cpw}: must be a table")
            cp_id = _str(cp, "id", cpw)
            if CiString(cp_id) in behaviours:
                raise ConfigError(f"{cpw}/id: Charge Point {cp_id} is defined twice")
            behaviours[CiString(cp_id)] = _enum(Behaviour, cp, "behaviour", cpw, Behaviour.ACCEPTS)
            cars[CiString(cp_id)] = _enum(Car, cp, "car", cpw, Car.PLUGS_IN)
            evses = []
            for k, ev in enumerate(_list(cp, "evses", cpw)):
                evw = f"{cpw}/evses/{k}"
                if not isinstance(ev, Mapping):
                    raise ConfigError(f"{evw}: must be a table")
                connectors = _list(ev, "connectors", evw, required=False) or ["1"]
                caps = _list(ev, "capabilities", evw, required=False)
                outlets[CiString(_str(ev, "uid", evw))] = outlet_of(ev, evw, party)
                evses.append(
                    Evse(
                        uid=_str(ev, "uid", evw),
                        connectors=tuple(_text(c, f"{evw}/connectors/{n}") for n, c in enumerate(connectors)),
                        capabilities=frozenset(_capability(c, f"{evw}/capabilities/{n}") for n, c in enumerate(caps)),
                    )
                )
            if not evses:
                raise ConfigError(f"{cpw}/evses: at least one EVSE is needed")
            choose = cp.get("can_choose_evse", False)
            if not isinstance(choose, bool):
                raise ConfigError(f"{cpw}/can_choose_evse: must be true or false")
            cps.append(
                ChargePoint(
                    id=cp_id,
                    evses=tuple(evses),
                    can_choose_evse=choose,
                    ocpp_version=str(cp.get("ocpp_version", "1.6")),
                )
            )
        locations.append(Location(id=_str(loc, "id", where), charge_points=tuple(cps)))
        places[CiString(_str(loc, "id", where))] = place_of(loc, where)

    return CpoConfig(
        party=party,
        partners=tuple(partners),
        locations=tuple(locations),
        behaviours=behaviours,
        cars=cars,
        command_timeout=int(timeout),
        charge_point_deadline=float(deadline),
        max_body_bytes=int(max_body),
        callback_timeout=float(callback_timeout),
        max_backlog=int(max_backlog),
        body_read_timeout=float(body_read_timeout),
        public_url=public_url,
        head_read_timeout=float(head_read_timeout),
        max_connections=int(max_connections),
        open_simulator=open_simulator,
        places=places,
        outlets=outlets,
    )


def _public_url(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
        raise ConfigError(f"{where}: must be an http:// or https:// URL without query or fragment")
    return value.rstrip("/")


def _table(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}/{key}: missing or not a table")
    return value


def _list(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> list[Any]:
    value = raw.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}/{key}: missing or not a list")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: must be a non-empty string")
    return value


def _str(raw: Mapping[str, Any], key: str, where: str) -> str:
    if key not in raw:
        raise ConfigError(f"{where}/{key}: missing")
    return _text(raw[key], f"{where}/{key}")


def _number(raw: Mapping[str, Any], key: str, where: str, *, default: float, integer: bool = False) -> float:
    value = raw.get(key, default)
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or value <= 0:
        kind = "a positive integer" if integer else "a positive number"
        raise ConfigError(f"{where}/{key}: must be {kind}, got {value!r}")
    return value


def _choice(raw: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str | None:
    """An optional key whose value is one of *allowed*; None when absent."""
    if key not in raw:
        return None
    value = raw[key]
    if value not in allowed:
        raise ConfigError(f"{where}/{key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _capability(value: Any, where: str) -> str:
    """A capability; a misspelt one would silently leave its rule off. The CPO serves every
    version, so 2.3.0's list decides (open, but not to near-misses of a listed value)."""
    problem = capability_problem(_text(value, where), VERSIONS[-1])
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return value


def _party(value: Any, where: str) -> PartyId:
    try:
        return PartyId.parse(_text(value, where))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _enum(enum: type[Enum], raw: Mapping[str, Any], key: str, where: str, default: Enum) -> Any:
    value = raw.get(key, default.value)
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ConfigError(f"{where}/{key}: {value!r} is not one of {allowed}") from None
