"""The Session and CDR objects of OCPI 2.2.1 (§9.3.1, §10.3.1), their parts, and their checkers.

The reference CPO serves both at its Sessions and CDRs endpoints (2.2.1 only); these models
follow the two field tables (cardinality, types and lengths), so every object it serves can
be checked by its own checker like any other: :func:`check_session`, :func:`check_cdr`.
ConnectorType, ConnectorFormat and PowerType are the Locations module's enums (§8.4); the
Locations module itself is out of this reference's scope, so only these values are listed.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictFloat

from ..model_base import OcpiModel
from ..report import Report
from ..types import DateTimeField, cistring, string
from ..v2_2_1.enums import AuthMethod
from ..v2_2_1.models import CdrToken
from ..versions import DEFAULT_VERSION
from .check import _guarded, _loaded, _model

__all__ = [
    "Cdr", "CdrDimension", "CdrLocation", "ChargingPeriod", "ConnectorFormat", "ConnectorType",
    "GeoLocation", "PowerType", "Price", "Session", "check_cdr", "check_session",
]

#: OCPI ``number``: a JSON number, never a string or a boolean.
Number = StrictFloat


class ConnectorType(str, Enum):
    """The connector standards of OCPI 2.2.1 §8.4.7 (ConnectorType)."""

    CHADEMO = "CHADEMO"
    CHAOJI = "CHAOJI"
    DOMESTIC_A = "DOMESTIC_A"
    DOMESTIC_B = "DOMESTIC_B"
    DOMESTIC_C = "DOMESTIC_C"
    DOMESTIC_D = "DOMESTIC_D"
    DOMESTIC_E = "DOMESTIC_E"
    DOMESTIC_F = "DOMESTIC_F"
    DOMESTIC_G = "DOMESTIC_G"
    DOMESTIC_H = "DOMESTIC_H"
    DOMESTIC_I = "DOMESTIC_I"
    DOMESTIC_J = "DOMESTIC_J"
    DOMESTIC_K = "DOMESTIC_K"
    DOMESTIC_L = "DOMESTIC_L"
    GBT_AC = "GBT_AC"
    GBT_DC = "GBT_DC"
    IEC_60309_2_single_16 = "IEC_60309_2_single_16"
    IEC_60309_2_three_16 = "IEC_60309_2_three_16"
    IEC_60309_2_three_32 = "IEC_60309_2_three_32"
    IEC_60309_2_three_64 = "IEC_60309_2_three_64"
    IEC_62196_T1 = "IEC_62196_T1"
    IEC_62196_T1_COMBO = "IEC_62196_T1_COMBO"
    IEC_62196_T2 = "IEC_62196_T2"
    IEC_62196_T2_COMBO = "IEC_62196_T2_COMBO"
    IEC_62196_T3A = "IEC_62196_T3A"
    IEC_62196_T3C = "IEC_62196_T3C"
    NEMA_5_20 = "NEMA_5_20"
    NEMA_6_30 = "NEMA_6_30"
    NEMA_6_50 = "NEMA_6_50"
    NEMA_10_30 = "NEMA_10_30"
    NEMA_10_50 = "NEMA_10_50"
    NEMA_14_30 = "NEMA_14_30"
    NEMA_14_50 = "NEMA_14_50"
    PANTOGRAPH_BOTTOM_UP = "PANTOGRAPH_BOTTOM_UP"
    PANTOGRAPH_TOP_DOWN = "PANTOGRAPH_TOP_DOWN"
    TESLA_R = "TESLA_R"
    TESLA_S = "TESLA_S"


class ConnectorFormat(str, Enum):
    """Socket or cable (OCPI 2.2.1 §8.4.6)."""

    SOCKET = "SOCKET"
    CABLE = "CABLE"


class PowerType(str, Enum):
    """The power a connector delivers (OCPI 2.2.1 §8.4.18)."""

    AC_1_PHASE = "AC_1_PHASE"
    AC_2_PHASE = "AC_2_PHASE"
    AC_2_PHASE_SPLIT = "AC_2_PHASE_SPLIT"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class CdrDimensionType(str, Enum):
    """What a CdrDimension measures (OCPI 2.2.1 §10.4.3)."""

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"


class SessionStatus(str, Enum):
    """The status of a Session (OCPI 2.2.1 §9.4.2)."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


class Price(OcpiModel):
    """A price, excluding and optionally including VAT (OCPI 2.2.1 §16.4)."""

    excl_vat: Number
    incl_vat: Number | None = None


class GeoLocation(OcpiModel):
    """WGS 84 coordinates as decimal strings (OCPI 2.2.1 §8.4.13)."""

    latitude: Annotated[str, Field(max_length=10, pattern=r"^-?[0-9]{1,2}\.[0-9]{5,7}$")]
    longitude: Annotated[str, Field(max_length=11, pattern=r"^-?[0-9]{1,3}\.[0-9]{5,7}$")]


class CdrDimension(OcpiModel):
    """One measured value of a charging period (OCPI 2.2.1 §10.4.2)."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    """A period of a session with its measured values (OCPI 2.2.1 §10.4.6); ``dimensions`` is ``+``."""

    start_date_time: DateTimeField
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    tariff_id: cistring(36) | None = None


class CdrLocation(OcpiModel):
    """Where a CDR's session took place: the Location, EVSE and Connector (OCPI 2.2.1 §10.4.4)."""

    id: cistring(36)
    name: string(255) | None = None
    address: string(45)
    city: string(45)
    postal_code: string(10) | None = None
    state: string(20) | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    coordinates: GeoLocation
    evse_uid: cistring(36)
    evse_id: cistring(48)
    connector_id: cistring(36)
    connector_standard: ConnectorType
    connector_format: ConnectorFormat
    connector_power_type: PowerType


class Session(OcpiModel):
    """A charging session (OCPI 2.2.1 §9.3.1)."""

    country_code: cistring(2)
    party_id: cistring(3)
    id: cistring(36)
    start_date_time: DateTimeField
    end_date_time: DateTimeField | None = None
    kwh: Number
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: cistring(36) | None = None
    location_id: cistring(36)
    evse_uid: cistring(36)
    connector_id: cistring(36)
    meter_id: string(255) | None = None
    currency: string(3)
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus
    last_updated: DateTimeField


class Cdr(OcpiModel):
    """A charge detail record (OCPI 2.2.1 §10.3.1); ``charging_periods`` is ``+``.

    Tariffs and signed data are not modelled (this reference has neither): present, they are
    reported as unknown members.
    """

    country_code: cistring(2)
    party_id: cistring(3)
    id: cistring(39)
    start_date_time: DateTimeField
    end_date_time: DateTimeField
    session_id: cistring(36) | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: cistring(36) | None = None
    cdr_location: CdrLocation
    meter_id: string(255) | None = None
    currency: string(3)
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: Number
    total_energy_cost: Price | None = None
    total_time: Number
    total_time_cost: Price | None = None
    total_parking_time: Number | None = None
    total_parking_cost: Price | None = None
    total_reservation_cost: Price | None = None
    remark: string(255) | None = None
    invoice_reference_id: cistring(39) | None = None
    credit: StrictBool | None = None
    credit_reference_id: cistring(39) | None = None
    home_charging_compensation: StrictBool | None = None
    last_updated: DateTimeField


def _checker(model: type[OcpiModel], name: str) -> Any:
    def check(data: Any, *, version: str = DEFAULT_VERSION) -> Report:
        def run() -> list[Any]:
            doc, findings, usable = _loaded(data)
            if usable:
                findings.extend(_model(doc, model, version, "", name))
            return findings

        return _guarded(version, run)

    check.__name__ = f"check_{name.lower()}"
    check.__doc__ = f"A {name} of OCPI 2.2.1 (the only version whose {name}s this reference serves)."
    return check


check_session = _checker(Session, "Session")
check_cdr = _checker(Cdr, "CDR")
