"""The configuration of what each CDR's ``cdr_location`` says (OCPI 2.2.1 §10.4.4): a
Location's address, city, country and coordinates, an EVSE's evse_id and connector kind.

Read with :func:`~.config.parse_config`'s checks, so a bad value names its key as a JSON
pointer like every other configuration error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..flow.sessions import Outlet, Place
from ..objects.sessions import ConnectorFormat, ConnectorType, PowerType
from ..party import PartyId
from .config import ConfigError, _choice, _str

__all__ = ["outlet_of", "place_of"]


_COUNTRY = re.compile(r"[A-Z]{3}")
_LATITUDE = re.compile(r"-?[0-9]{1,2}\.[0-9]{5,7}")
_LONGITUDE = re.compile(r"-?[0-9]{1,3}\.[0-9]{5,7}")
_CONNECTOR = {
    "connector_standard": ("IEC_62196_T2", tuple(t.value for t in ConnectorType)),
    "connector_format": ("SOCKET", tuple(f.value for f in ConnectorFormat)),
    "connector_power_type": ("AC_3_PHASE", tuple(p.value for p in PowerType)),
}


def place_of(loc: Mapping[str, Any], where: str) -> Place:
    """A Location's CDR fields: address, city, country (alpha-3) and coordinates are required."""
    coordinates = loc.get("coordinates")
    if not isinstance(coordinates, Mapping):
        raise ConfigError(f"{where}/coordinates: missing or not a table (latitude, longitude)")
    return Place(
        address=_sized(loc, "address", where, 45),
        city=_sized(loc, "city", where, 45),
        country=_matching(loc, "country", where, _COUNTRY, "an ISO 3166-1 alpha-3 code such as BEL"),
        latitude=_matching(coordinates, "latitude", f"{where}/coordinates", _LATITUDE, 'a decimal string such as "50.84656"'),
        longitude=_matching(coordinates, "longitude", f"{where}/coordinates", _LONGITUDE, 'a decimal string such as "4.36616"'),
        name=_sized(loc, "name", where, 255) if "name" in loc else None,
        postal_code=_sized(loc, "postal_code", where, 10) if "postal_code" in loc else None,
    )


def outlet_of(ev: Mapping[str, Any], where: str, party: PartyId) -> Outlet:
    """An EVSE's CDR fields; the evse_id defaults to CC*PID*E and the uid's letters and digits."""
    uid = _str(ev, "uid", where)
    default_id = f"{party.country_code}*{party.party_id}*E{''.join(c for c in uid if c.isalnum())}".upper()
    evse_id = _sized(ev, "evse_id", where, 48) if "evse_id" in ev else default_id
    kinds = {}
    for key, (default, allowed) in _CONNECTOR.items():
        kinds[key] = _choice(ev, key, where, allowed) or default
    return Outlet(evse_id=evse_id, **kinds)


def _sized(raw: Mapping[str, Any], key: str, where: str, n: int) -> str:
    value = _str(raw, key, where)
    if len(value) > n:
        raise ConfigError(f"{where}/{key}: at most {n} characters, got {len(value)}")
    return value


def _matching(raw: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str], what: str) -> str:
    value = _str(raw, key, where)
    if not pattern.fullmatch(value):
        raise ConfigError(f"{where}/{key}: must be {what}, got {value!r}")
    return value

