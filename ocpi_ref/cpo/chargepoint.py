"""The simulated Charge Point behind the reference CPO.

It stands in for an OCPP Charge Point: it answers a remote start the way its configured
:class:`~.config.Behaviour` says (accepts, rejects, never answers, occupied, inoperative), and
after an accepted start the simulated driver either plugs the car in at once or never does
(:class:`~.config.Car`). A silent Charge Point waits forever; the CPO's own deadline ends the
wait, so nothing here loops or sleeps unbounded on its own.

Like a real one, it charges one car per EVSE: from an accepted start after which the car
plugs in until the remote stop, that EVSE answers any other remote start "occupied"
(:attr:`SimulatedChargePoint.in_use`), so a second ACTIVE Session on one EVSE never starts.
"""

from __future__ import annotations

import asyncio

from ..flow.results import Answer
from ..flow.topology import ChargePoint, Evse
from ..types import CiString
from .config import Behaviour, Car

__all__ = ["SimulatedChargePoint"]


_BY_BEHAVIOUR = {
    Behaviour.ACCEPTS: Answer.ACCEPTED,
    Behaviour.REJECTS: Answer.REJECTED,
    Behaviour.OCCUPIED: Answer.OCCUPIED,
    Behaviour.INOPERATIVE: Answer.FAULTED,
}


class SimulatedChargePoint:
    """One Charge Point with its EVSEs and its scripted behaviour."""

    def __init__(self, charge_point: ChargePoint, behaviour: Behaviour, car: Car) -> None:
        self.charge_point = charge_point
        self.behaviour = behaviour
        self.car = car
        self.remote_starts = 0
        #: The idTag of each remote start received, oldest first (a Charge Point starts its
        #: transaction with the Token the eMSP gave, start-session.emsp-authorizes-token).
        self.id_tags: list[str] = []
        #: The EVSEs with a car charging (a transaction under way), by uid.
        self.in_use: set[CiString] = set()

    @property
    def id(self) -> str:
        return self.charge_point.id

    def pick_evse(self, evse: Evse | None) -> Evse:
        """The EVSE to start on: the one asked for, or (when it may choose) its first one."""
        return evse if evse is not None else self.charge_point.evses[0]

    async def remote_start(self, id_tag: str, evse_uid: str | None = None) -> Answer:
        """Answer a remote start with *id_tag* (the Token's uid, as OCPP's RemoteStartTransaction
        carries it) on *evse_uid*; a silent Charge Point never returns (the caller times out).
        An EVSE in use answers occupied; an accepted start the car follows puts it in use."""
        self.remote_starts += 1
        self.id_tags.append(id_tag)
        if self.behaviour is Behaviour.SILENT:
            await asyncio.Event().wait()  # never set: only the CPO's deadline ends this
        await asyncio.sleep(0)
        answer = _BY_BEHAVIOUR[self.behaviour]
        if answer is Answer.ACCEPTED and evse_uid is not None:
            if CiString(evse_uid) in self.in_use:
                return Answer.OCCUPIED
            if self.car_plugs_in():
                self.in_use.add(CiString(evse_uid))
        return answer

    def occupied(self, evse_uid: str) -> bool:
        """Is a car charging at *evse_uid* (a remote start answered occupied there)?"""
        return CiString(evse_uid) in self.in_use

    async def remote_stop(self, evse_uid: str | None = None) -> Answer:
        """Answer a remote stop: a silent Charge Point stays silent, any other accepts and
        frees *evse_uid*."""
        if self.behaviour is Behaviour.SILENT:
            await asyncio.Event().wait()
        await asyncio.sleep(0)
        if evse_uid is not None:
            self.in_use.discard(CiString(evse_uid))
        return Answer.ACCEPTED

    def car_plugs_in(self) -> bool:
        """After an accepted start, does the driver plug the car in?"""
        return self.car is Car.PLUGS_IN
