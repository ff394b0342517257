"""What a CPO knows about its sites: Locations, Charge Points, EVSEs, connectors.

Only what the StartSession rules need (not the OCPI Locations module): ids, which connectors
an EVSE has, its capabilities, whether its Charge Point can pick an EVSE itself, and the
OCPP version it speaks. Ids are CiStrings, so lookups ignore case and keep it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..findings import Finding, Severity
from ..rules.start_session import CONNECTOR_REQUIRED_CAPABILITY, OCPP1_CONNECTOR_AS_EVSE
from ..types import CiString

__all__ = ["ChargePoint", "Evse", "Location", "check_ocpp1_layout"]


@dataclass(frozen=True)
class Evse:
    """An EVSE: its uid, its connector ids and its capabilities."""

    uid: str
    connectors: tuple[str, ...] = ("1",)
    capabilities: frozenset[str] = frozenset()

    @property
    def connector_required(self) -> bool:
        return CONNECTOR_REQUIRED_CAPABILITY in self.capabilities

    def connector(self, connector_id: str) -> str | None:
        want = CiString(connector_id)
        return next((c for c in self.connectors if CiString(c) == want), None)


@dataclass(frozen=True)
class ChargePoint:
    """A Charge Point: its EVSEs, whether it can choose an EVSE itself, its OCPP version."""

    id: str
    evses: tuple[Evse, ...]
    can_choose_evse: bool = False
    ocpp_version: str = "2.0.1"


@dataclass(frozen=True)
class Location:
    """A Location of the CPO with its Charge Points."""

    id: str
    charge_points: tuple[ChargePoint, ...] = field(default_factory=tuple)

    def find_evse(self, evse_uid: str) -> tuple[ChargePoint, Evse] | None:
        want = CiString(evse_uid)
        for cp in self.charge_points:
            for evse in cp.evses:
                if CiString(evse.uid) == want:
                    return cp, evse
        return None


def check_ocpp1_layout(charge_point: ChargePoint) -> Iterator[Finding]:
    """``start-session.ocpp1-connector-as-evse``: an OCPP 1.x EVSE should have one connector.

    OCPP 1.x starts a transaction on a connector, so an OCPI EVSE with several connectors
    behind such a Charge Point cannot be started unambiguously; the CPO should present each
    connector as its own EVSE (OCPI 2.2.1 §13.3.5 NOTE).
    """
    if not charge_point.ocpp_version.startswith("1."):
        return
    for evse in charge_point.evses:
        if len(evse.connectors) > 1:
            yield Finding(
                OCPP1_CONNECTOR_AS_EVSE.id,
                Severity.WARNING,
                "",
                f"EVSE {evse.uid} of OCPP {charge_point.ocpp_version} Charge Point "
                f"{charge_point.id} has {len(evse.connectors)} connectors; present each "
                "connector as a separate EVSE",
            )
