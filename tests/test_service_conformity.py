"""Every object the reference CPO serves passes its own checker, in every version it serves.

A StartSession of each version starts a Session (on its own EVSE), a StopSession of 2.2.1 ends
it; every answer on the way is checked: the Versions module, each CommandResponse, each
CommandResult POSTed, and every Session and CDR served (2.2.1 §9.3.1 and §10.3.1, with the
``cdr_location`` the configuration fills in).
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import httpx
import pytest

from ocpi_ref.cpo.app import create_cpo_app
from ocpi_ref.cpo.config import ConfigError, parse_config
from ocpi_ref.cpo.demo import TNM_TOKEN, demo_config, demo_config_dict
from ocpi_ref.emsp import token_header
from ocpi_ref.objects import check_command_response, check_command_result, check_version_details, check_version_list
from ocpi_ref.objects.sessions import check_cdr, check_session
from ocpi_ref.v2_1_1.examples import spec_example as spec_example_211
from ocpi_ref.versions import VERSIONS

PLAIN, B64 = {"Authorization": f"Token {TNM_TOKEN}"}, {"Authorization": token_header(TNM_TOKEN)}
AUTH = {"2.1.1": PLAIN, "2.2": PLAIN, "2.2.1": B64, "2.3.0": B64}
#: One EVSE per version, so each StartSession makes its own Session.
WHERE = {"2.1.1": ("LOC-0001", "EVSE-ACC-1"), "2.2": ("LOC-0001", "EVSE-ACC-2"),
         "2.2.1": ("LOC-0003", "EVSE-FIX-1"), "2.3.0": ("LOC-0002", "EVSE-PICK-1")}


def _conforms(report) -> None:
    assert report.conforms is True, str(report)


def _served(rfid_token: dict[str, Any]) -> dict[str, Any]:
    posted: list[httpx.Request] = []
    out: dict[str, Any] = {"responses": {}, "versions": None, "details": {}}

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: posted.append(r) or httpx.Response(200)))
        app = create_cpo_app(demo_config(command_timeout=2, charge_point_deadline=0.2), http=http)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpo.test") as c:
            out["versions"] = (await c.get("/ocpi/versions", headers=B64)).content
            for version in VERSIONS:
                out["details"][version] = (await c.get(f"/ocpi/cpo/{version}", headers=AUTH[version])).content
                token = spec_example_211("token_object_example") if version == "2.1.1" else copy.deepcopy(rfid_token)
                location, evse = WHERE[version]
                body = {"response_url": f"http://127.0.0.1/cb/{version}", "token": token,
                        "location_id": location, "evse_uid": evse}
                resp = await c.post(f"/ocpi/cpo/{version}/commands/START_SESSION", content=json.dumps(body),
                                    headers=AUTH[version])
                out["responses"][version] = resp.content
                await app.state.cpo.drain()
            q = {"date_from": "2020-01-01T00:00:00Z"}
            out["active"] = (await c.get("/ocpi/cpo/2.2.1/sessions", params=q, headers=B64)).json()["data"]
            for session in out["active"]:
                stop = {"response_url": "http://127.0.0.1/cb/stop", "session_id": session["id"]}
                await c.post("/ocpi/cpo/2.2.1/commands/STOP_SESSION", content=json.dumps(stop), headers=B64)
                await app.state.cpo.drain()
            out["completed"] = (await c.get("/ocpi/cpo/2.2.1/sessions", params=q, headers=B64)).json()["data"]
            out["cdrs"] = (await c.get("/ocpi/cpo/2.2.1/cdrs", headers=B64)).json()["data"]
        await http.aclose()

    asyncio.run(main())
    out["posted"] = posted
    return out


def test_every_object_the_cpo_serves_passes_its_own_checker_in_every_version(rfid_token):
    served = _served(rfid_token)
    _conforms(check_version_list(served["versions"]))
    for version in VERSIONS:
        _conforms(check_version_details(served["details"][version], version=version))
        _conforms(check_command_response(served["responses"][version], version=version))
    results = {r.url.path.rsplit("/", 1)[-1]: r for r in served["posted"]}
    for version in VERSIONS:
        _conforms(check_command_result(results[version].content, version=version))
    _conforms(check_command_result(results["stop"].content))
    assert len(served["active"]) == len(VERSIONS) == len(served["completed"]) == len(served["cdrs"])
    for session in served["active"] + served["completed"]:
        _conforms(check_session(session))
    for cdr in served["cdrs"]:
        _conforms(check_cdr(cdr))
    by_evse = {c["cdr_location"]["evse_uid"]: c["cdr_location"] for c in served["cdrs"]}
    assert by_evse["EVSE-FIX-1"] == {
        "id": "LOC-0003", "address": "Grote Markt 1", "city": "Gent", "postal_code": "9000", "country": "BEL",
        "coordinates": {"latitude": "51.05470", "longitude": "3.72170"}, "evse_uid": "EVSE-FIX-1",
        "evse_id": "BE*REF*EEVSEFIX1", "connector_id": "1", "connector_standard": "IEC_62196_T2",
        "connector_format": "SOCKET", "connector_power_type": "AC_3_PHASE",
    }


def test_the_cdr_checker_finds_what_the_cdrs_used_to_lack(rfid_token):
    [cdr] = [c for c in _served(rfid_token)["cdrs"] if c["cdr_location"]["evse_uid"] == "EVSE-FIX-1"]
    old = {k: v for k, v in cdr.items() if k not in ("charging_periods", "total_cost", "total_time")}
    old["cdr_location"] = {k: cdr["cdr_location"][k] for k in ("id", "evse_uid", "connector_id")}
    report = check_cdr(old)
    assert report.conforms is False
    missing = {f.pointer for f in report.findings if f.rule == "field.required"}
    assert {"/charging_periods", "/total_cost", "/total_time", "/cdr_location/address", "/cdr_location/city",
            "/cdr_location/country", "/cdr_location/coordinates", "/cdr_location/evse_id",
            "/cdr_location/connector_standard"} <= missing


@pytest.mark.parametrize(("edit", "pointer"), [
    (lambda loc, ev: loc.pop("address"), "/locations/0/address: missing"),
    (lambda loc, ev: loc.__setitem__("country", "BE"), "/locations/0/country: must be an ISO 3166-1 alpha-3"),
    (lambda loc, ev: loc["coordinates"].__setitem__("latitude", "50.8"), "/locations/0/coordinates/latitude: "),
    (lambda loc, ev: ev.__setitem__("connector_format", "PLUG"), "/locations/0/charge_points/0/evses/0/connector_format: "),
])
def test_the_cdr_location_keys_are_checked_with_their_pointer(edit, pointer):
    raw = demo_config_dict()
    location = raw["locations"][0]
    edit(location, location["charge_points"][0]["evses"][0])
    with pytest.raises(ConfigError, match=f"^{pointer}"):
        parse_config(raw)
