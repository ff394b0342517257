"""A ready configuration for tests, the book and the benchmark (the same as ``examples/cpo.toml``).

One Charge Point per simulated behaviour, so each outcome is one ``evse_uid`` away; the book's
"Decisions" page renders the topology from :func:`topology_rows` of this very configuration.

Partners: ``TNM`` (role DE-TNM, the owner of the spec's example Tokens; the Authorization
header as each version has it) and ``HUB`` (a hub with roles NL-ABC and NL-XYZ, whose token may
arrive plain or Base64-encoded in every version: ``authorization = "either"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .config import Behaviour, Car, CpoConfig, parse_config

__all__ = ["demo_config", "demo_config_dict", "topology_rows"]

TNM_TOKEN, TNM_CALLBACK = "tnm-calls-ref", "ref-calls-tnm"
HUB_TOKEN, HUB_CALLBACK = "hub-calls-ref", "ref-calls-hub"


def _cp(cp_id: str, evses: list[dict[str, Any]], behaviour: str = "accepts", **kw: Any) -> dict[str, Any]:
    return {"id": cp_id, "behaviour": behaviour, "ocpp_version": "1.6", "evses": evses, **kw}


def demo_config_dict(
    *,
    callback_hosts: Iterable[str] = ("127.0.0.1", "localhost", "emsp.example.com"),
    command_timeout: int = 30,
    charge_point_deadline: float = 20,
    max_body_bytes: int = 16384,
    callback_timeout: float = 5,
    **cpo: Any,
) -> dict[str, Any]:
    """The demo configuration as TOML would give it; *cpo* adds keys of the ``[cpo]`` table
    (``max_backlog``, ``body_read_timeout``, ``public_url``)."""
    hosts = list(callback_hosts)
    return {
        "cpo": {
            "country_code": "BE",
            "party_id": "REF",
            "command_timeout": command_timeout,
            "charge_point_deadline": charge_point_deadline,
            "max_body_bytes": max_body_bytes,
            "callback_timeout": callback_timeout,
            "open_simulator": True,  # the demo's simulator answers loopback without credentials
            **cpo,
        },
        "partners": [
            {"name": "TNM", "token": TNM_TOKEN, "callback_token": TNM_CALLBACK,
             "roles": ["DE-TNM"], "response_url_hosts": hosts},
            {"name": "HUB", "token": HUB_TOKEN, "callback_token": HUB_CALLBACK,
             "roles": ["NL-ABC", "NL-XYZ"], "response_url_hosts": hosts, "authorization": "either"},
        ],
        "locations": [
            {"id": "LOC-0001", "name": "Ref Plaza", "address": "Rue de la Loi 16", "city": "Brussel", "postal_code": "1000", "country": "BEL",
             "coordinates": {"latitude": "50.84656", "longitude": "4.36616"}, "charge_points": [
                _cp("CP-ACCEPTS", [{"uid": "EVSE-ACC-1"}, {"uid": "EVSE-ACC-2"}]),
                _cp("CP-REJECTS", [{"uid": "EVSE-REJ-1"}], "rejects"),
                _cp("CP-SILENT", [{"uid": "EVSE-SIL-1"}], "silent"),
                _cp("CP-OCCUPIED", [{"uid": "EVSE-OCC-1"}], "occupied"),
                _cp("CP-BROKEN", [{"uid": "EVSE-INOP-1"}], "inoperative"),
                _cp("CP-NO-CAR", [{"uid": "EVSE-NOCAR-1"}], car="never"),
                _cp("CP-CONNECTOR", [{"uid": "EVSE-CR-1", "connectors": ["1", "2"],
                                      "capabilities": ["START_SESSION_CONNECTOR_REQUIRED"]}]),
            ]},
            {"id": "LOC-0002", "address": "Meir 1", "city": "Antwerpen", "postal_code": "2000", "country": "BEL",
             "coordinates": {"latitude": "51.21790", "longitude": "4.40570"}, "charge_points": [
                _cp("CP-PICKER", [{"uid": "EVSE-PICK-1"}], can_choose_evse=True),
            ]},
            {"id": "LOC-0003", "address": "Grote Markt 1", "city": "Gent", "postal_code": "9000", "country": "BEL",
             "coordinates": {"latitude": "51.05470", "longitude": "3.72170"}, "charge_points": [
                _cp("CP-FIXED", [{"uid": "EVSE-FIX-1"}]),
            ]},
        ],
    }


def demo_config(**kw: Any) -> CpoConfig:
    """The demo configuration; keyword arguments as :func:`~ocpi_ref.cpo.demo.demo_config_dict`."""
    return parse_config(demo_config_dict(**kw))


_DOES = {
    Behaviour.ACCEPTS: "accepts the remote start",
    Behaviour.REJECTS: "refuses the remote start",
    Behaviour.SILENT: "never answers",
    Behaviour.OCCUPIED: "answers that the EVSE is occupied",
    Behaviour.INOPERATIVE: "answers that the EVSE is out of order",
}


def topology_rows(config: CpoConfig) -> list[tuple[str, str, str, str]]:
    """One row per Charge Point of *config*: Location, Charge Point, EVSEs, what it does."""
    rows = []
    for location in config.locations:
        for cp in location.charge_points:
            does = [_DOES[config.behaviour(cp.id)]]
            if config.behaviour(cp.id) is Behaviour.ACCEPTS:
                does.append("the car plugs in" if config.car(cp.id) is Car.PLUGS_IN else "no car ever plugs in")
            if cp.can_choose_evse:
                does.append("can choose an EVSE itself")
            evses = []
            for evse in cp.evses:
                extra = f" (requires connector_id; connectors {', '.join(evse.connectors)})" if evse.connector_required else ""
                evses.append(evse.uid + extra)
            rows.append((location.id, cp.id, ", ".join(evses), ", ".join(does)))
    return rows
