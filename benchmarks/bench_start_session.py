"""Throughput of StartSession validation, bytes in, against a bare pydantic floor.

Runs in one process and prints payloads per second for:

* ``json.loads``: the standard library parser alone;
* floor: a bare pydantic model of the same shape with no constraints (``model_validate_json``);
* model: ``StartSession.model_validate_json`` (all types, lengths, patterns, the connector rule);
* check: ``check_start_session`` (everything, all findings, hostile-input guards).

Each runs on a valid payload and on an invalid one (three errors: a CiString too long, a
DateTime with an offset, a boolean as text; the floor accepts it, having no constraints).
Ratios are to the floor on the same payload (time per payload / floor's time per payload).
Targets (issue 21): check <= 2x the floor valid, <= 3x invalid. A benchmark, not a test: figures vary with the machine, ratios much less (the
contenders take turns, round by round, so a passing load slows them alike).
Usage: ``python benchmarks/bench_start_session.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from pydantic import BaseModel, ValidationError

from ocpi_ref import StartSession, check_start_session
from ocpi_ref.v2_2_1.examples import spec_example


class FloorEnergyContract(BaseModel):
    supplier_name: str
    contract_id: str | None = None


class FloorToken(BaseModel):
    country_code: str
    party_id: str
    uid: str
    type: str
    contract_id: str
    visual_number: str | None = None
    issuer: str
    group_id: str | None = None
    valid: bool
    whitelist: str
    language: str | None = None
    default_profile_type: str | None = None
    energy_contract: FloorEnergyContract | None = None
    last_updated: str


class FloorStartSession(BaseModel):
    response_url: str
    token: FloorToken
    location_id: str
    evse_uid: str | None = None
    connector_id: str | None = None
    authorization_reference: str | None = None


def payload() -> bytes:
    """A realistic full StartSession: every field set, around the spec's full RFID Token."""
    return json.dumps(
        {
            "response_url": "https://emsp.example.com/ocpi/emsp/2.2.1/commands/START_SESSION/7f3c9a2e",
            "token": spec_example("token_example_2_full_rfid"),
            "location_id": "LOC-NL-AMS-0001",
            "evse_uid": "NL*TNM*E0001*1",
            "connector_id": "1",
            "authorization_reference": "AUTH-567890",
        }
    ).encode()


def invalid_payload() -> bytes:
    """The valid payload with three errors."""
    doc = json.loads(payload())
    doc["location_id"] = "X" * 37
    doc["token"]["last_updated"] = "2015-06-29T20:39:09+00:00"
    doc["token"]["valid"] = "yes"
    return json.dumps(doc).encode()


def _caught(fn: Callable[[bytes], object]) -> Callable[[bytes], object]:
    """*fn*, its ValidationError caught (what a caller of the model pays on a bad payload)."""

    def call(data: bytes) -> object:
        try:
            return fn(data)
        except ValidationError as exc:
            return exc

    return call


def _batch(fn: Callable[[bytes], object], data: bytes) -> int:
    """Calls that take about 20 ms."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn(data)
        if time.perf_counter() - start > 0.02:
            return n
        n *= 2


def rates(contenders: dict[str, Callable[[bytes], object]], data: bytes, seconds: float) -> dict[str, float]:
    """Payloads per second of each contender: the best of 10 rounds.

    The contenders take turns within each round, so a load that comes and goes on a shared
    machine slows them alike and the ratios hold better than the absolute figures.
    """
    batches = {name: _batch(fn, data) for name, fn in contenders.items()}
    best = dict.fromkeys(contenders, 0.0)
    slot = seconds / 10
    for _ in range(10):
        for name, fn in contenders.items():
            n, calls, start = batches[name], 0, time.perf_counter()
            while time.perf_counter() - start < slot:
                for _ in range(n):
                    fn(data)
                calls += n
            best[name] = max(best[name], calls / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per contender")
    args = parser.parse_args()
    contenders = {
        "json.loads": json.loads,
        "floor (bare pydantic)": FloorStartSession.model_validate_json,
        "StartSession.model_validate_json": _caught(StartSession.model_validate_json),
        "check_start_session": check_start_session,
    }
    targets = {"valid": 2.0, "invalid": 3.0}
    for name, data in (("valid", payload()), ("invalid", invalid_payload())):
        assert check_start_session(data).conforms is (name == "valid")
        rates_ = rates(contenders, data, args.seconds)
        floor = rates_["floor (bare pydantic)"]
        print(f"{name} payload: {len(data)} bytes")
        print(f"{'contender':36} {'payloads/s':>12} {'x floor':>8}")
        for who, r in rates_.items():
            print(f"{who:36} {r:12,.0f} {floor / r:8.2f}")
        check = floor / rates_["check_start_session"]
        print(f"target: check <= {targets[name]}x ({'met' if check <= targets[name] else 'MISSED'})\n")


if __name__ == "__main__":
    main()
