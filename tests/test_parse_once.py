"""A StartSession body is validated once on every version's path, unknown members or not.

The checker's fast pass (pydantic-core over the text) validates the body; when it cannot decide
alone (a member the model does not define), the full path reads the document for the findings
and keeps the fast pass's model instead of validating a second time. A plain body the model
refuses gets its findings from that refusal; only a body in doubt is validated again. The reference CPO takes
that model (:func:`ocpi_ref.checker.check_start_session_model`), and for a version other than
2.2.1 builds the Session's 2.2.1 StartSession from it by the conversion steps alone.
"""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from ocpi_ref import checker
from ocpi_ref.specs import spec
from ocpi_ref.versions import VERSIONS


def _body(version: str, **extra) -> bytes:
    token = {"uid": "012345678", "type": "RFID", "issuer": "TNM", "valid": True,
             "whitelist": "ALLOWED", "last_updated": "2026-01-01T00:00:00Z"}
    if version == "2.1.1":
        token["auth_id"] = "DE-TNM-C1"
    else:
        token.update(country_code="DE", party_id="TNM", contract_id="DE8ACC12E46L89")
    doc = {"response_url": "http://127.0.0.1/cb/START_SESSION/1", "token": token,
           "location_id": "LOC-0001", "evse_uid": "EVSE-ACC-1", **extra}
    return json.dumps(doc).encode()


@pytest.fixture
def validations(monkeypatch):
    """Counts the full path's model validations, per model class."""
    counted: list[str] = []
    original = BaseModel.model_validate.__func__

    def counting(cls, *args, **kwargs):
        counted.append(cls.__module__)
        return original(cls, *args, **kwargs)

    for version in VERSIONS:
        monkeypatch.setattr(spec(version).start_session, "model_validate", classmethod(counting))
    return counted


@pytest.mark.parametrize("version", VERSIONS)
def test_a_body_with_an_unknown_member_is_validated_once(version, validations):
    report, start = checker.check_start_session_model(_body(version, vendor_note="x"), version=version)
    assert report.conforms is True and start is not None
    assert "field.unknown" in report.rules  # the full path read the document for it...
    assert validations == []  # ...and did not validate the body again


@pytest.mark.parametrize("version", VERSIONS)
def test_a_plain_body_the_model_refuses_is_not_validated_again(version, validations):
    """The fast pass's refusal gives the findings: the full path does not run at all."""
    doc = json.loads(_body(version))
    del doc["location_id"]
    report, start = checker.check_start_session_model(json.dumps(doc), version=version)
    assert report.conforms is False and start is None
    assert "field.required" in report.rules
    assert validations == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_refused_body_in_doubt_is_validated_by_the_full_path_once(version, validations):
    """A name twice is a doubt (the standard library and orjson may read it otherwise): the
    full path reads and validates it, once."""
    doc = json.loads(_body(version))
    del doc["location_id"]
    text = json.dumps(doc)[:-1] + ', "response_url": "http://127.0.0.1/cb/2"}'
    report, start = checker.check_start_session_model(text, version=version)
    assert report.conforms is False and start is None
    assert {"field.required", "json.duplicate-key"} <= report.rules
    assert len(validations) == 1
