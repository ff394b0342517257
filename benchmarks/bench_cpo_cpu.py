"""CPU per START_SESSION in the reference CPO, by version, without HTTP (not a test).

Run: ``.venv/bin/python benchmarks/bench_cpo_cpu.py [N]``. Calls
:meth:`ocpi_ref.cpo.CpoService.command` directly with a prepared body, so the figure is the
CPO's own work per command (authentication excluded): parsing and validating the body once,
the decision, the conversion to 2.2.1 for the Session of another version's StartSession, and
building the CommandResponse. The asynchronous part (Charge Point, CommandResult POST) is not
run. Process CPU time, best of 5 rounds of N commands, so other load on a shared machine moves
the figures less than wall-clock throughput; the HTTP figures are ``bench_http.py``'s.
"""

from __future__ import annotations

import base64
import json
import sys
import time

from ocpi_ref.cpo import CpoService, demo_config


def _token(version: str) -> dict:
    token = {"uid": "012345678", "type": "RFID", "issuer": "TNM", "valid": True,
             "whitelist": "ALLOWED", "last_updated": "2026-01-01T00:00:00Z"}
    if version == "2.1.1":
        token["auth_id"] = "DE-TNM-C1"
    else:
        token.update(country_code="DE", party_id="TNM", contract_id="DE8ACC12E46L89")
    return token


def _body(version: str, location: str = "LOC-0001") -> bytes:
    doc = {"response_url": "http://127.0.0.1/cb/START_SESSION/1", "token": _token(version),
           "location_id": location, "evse_uid": "EVSE-ACC-1"}
    if version != "2.1.1":
        doc["authorization_reference"] = "REF1"
    return json.dumps(doc).encode()


CASES = [
    ("2.1.1 accepted", "2.1.1", _body("2.1.1")),
    ("2.2 accepted", "2.2", _body("2.2")),
    ("2.2.1 accepted", "2.2.1", _body("2.2.1")),
    ("2.3.0 accepted", "2.3.0", _body("2.3.0")),
    ("2.2.1 refused (2003)", "2.2.1", _body("2.2.1", "LOC-9999")),
]


def main(n: int = 2000) -> None:
    service = CpoService(demo_config())
    print(f"µs of CPU per START_SESSION, best of 5 rounds of {n}")
    for name, version, body in CASES:
        plain = version in ("2.1.1", "2.2")
        token = "tnm-calls-ref" if plain else base64.b64encode(b"tnm-calls-ref").decode()
        caller = service.authenticate(f"Token {token}", None, None, version)
        for _ in range(200):  # warm up
            reply = service.command("START_SESSION", body, caller, "corr", version)
        assert reply.status_code in (1000, 2003), reply
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            for _ in range(n):
                service.command("START_SESSION", body, caller, "corr", version)
            best = min(best, (time.process_time() - start) / n * 1e6)
        print(f"{name:<24} {best:7.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
