"""Recordings of the reference eMSP and CPO talking, for the audit's tests, benchmark and book.

:func:`record_exchange` runs one command exchange on loopback (StartSession, its result, the
Session, a StopSession and its result, the CDR) in any version and returns every HTTP record,
made by :class:`~ocpi_ref.audit.recorder.Recorder` around both servers. The clock is the
harness's, fixed unless a caller moves it, so a recording is the same on every run but for
its ports and generated ids.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import datetime, timedelta, timezone
from typing import Any

from .audit.records import Record
from .audit.recorder import Recorder
from .cpo.demo import demo_config
from .emsp.client import DiscoveryError
from .harness import loopback
from .specs import spec

__all__ = ["DEMO_TOKEN", "record_exchange", "record_exchange_async"]

#: The Token the recordings start with: an RFID card of DE-TNM, the demo eMSP.
DEMO_TOKEN: dict[str, Any] = {
    "country_code": "DE", "party_id": "TNM", "uid": "012345678", "type": "RFID",
    "contract_id": "DE8ACC12E46L89", "issuer": "TheNewMotion", "valid": True,
    "whitelist": "ALLOWED", "last_updated": "2025-02-01T10:00:00Z",
}
_EPOCH = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
_FROM = {"date_from": "2020-01-01T00:00:00Z"}


class _Clock:
    def __init__(self) -> None:
        self.now = _EPOCH

    def __call__(self) -> datetime:
        return self.now


def _token(version: str, token: dict[str, Any]) -> Any:
    if version == "2.1.1":
        token = {k: v for k, v in token.items() if k not in ("country_code", "party_id")}
        token.setdefault("auth_id", token["contract_id"])
        token.pop("contract_id", None)
        token["whitelist"] = token.get("whitelist", "ALLOWED")
    return spec(version).token.model_validate(token)


async def record_exchange_async(version: str = "2.2.1", *, token: dict[str, Any] | None = None,
                                authorization_reference: str | None = "Ref-567890") -> list[Record]:
    """The records of one full exchange in *version*, in the order the requests arrived."""
    clock = _Clock()
    recorder = Recorder(clock)
    config = demo_config(command_timeout=30, charge_point_deadline=0.2)
    async with loopback(config, clock=clock, partners=["TNM"], wrap=recorder.wrap) as lb:
        emsp = lb.client("TNM", version)
        ref = None if version == "2.1.1" else authorization_reference
        start = await emsp.start_session(_token(version, token or DEMO_TOKEN), "LOC-0001",
                                         evse_uid="EVSE-ACC-1", authorization_reference=ref)
        await lb.cpo.drain()
        clock.now += timedelta(minutes=1)
        try:
            sessions = (await emsp.get("sessions", _FROM)).json()["data"]
        except DiscoveryError:  # the reference CPO lists Sessions and CDRs in some versions only
            return list(recorder.records)
        clock.now += timedelta(minutes=40)
        if start.accepted and sessions:
            await emsp.stop_session(sessions[0]["id"])
            await lb.cpo.drain()
        clock.now += timedelta(minutes=1)
        await emsp.get("cdrs")
    return list(recorder.records)


def record_exchange(version: str = "2.2.1", **kw: Any) -> list[Record]:
    """:func:`record_exchange_async`, run to completion (also where an event loop already runs)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(record_exchange_async(version, **kw))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, record_exchange_async(version, **kw)).result()
