"""Property tests (hypothesis): conforming payloads conform, single mutations are found at
the right pointer, CiString equality and hashing agree, random bytes never crash the checker."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from ocpi_ref import CiString, StartSession, check_start_session

from strategies import SETTINGS, printable_ascii, start_sessions


@given(start_sessions())
@SETTINGS
def test_generated_conforming_start_sessions_conform(doc):
    report = check_start_session(json.dumps(doc).encode(), sender=(doc["token"]["country_code"], doc["token"]["party_id"]))
    assert [f for f in report.findings if f.severity.value == "error"] == []
    model = StartSession.model_validate_json(json.dumps(doc))
    assert json.loads(model.model_dump_json()) == doc  # nothing lost, nothing rewritten


MUTATIONS = {
    "over-long id": (lambda v: "X" * 37, "type.cistring", ["/location_id", "/token/uid", "/token/contract_id"]),
    "control character": (lambda v: "a\x07b", "type.string", ["/token/issuer"]),
    "control character in CiString": (lambda v: "a\nb", "type.cistring", ["/location_id", "/token/uid"]),
    "offset DateTime": (lambda v: v.rstrip("Z") + "+00:00", "type.datetime", ["/token/last_updated"]),
    "wrong JSON type": (lambda v: 12345, "type.json", ["/location_id", "/token/uid", "/response_url", "/token/issuer"]),
    "boolean as text": (lambda v: "true", "type.json", ["/token/valid"]),
}


def _set(doc, pointer, fn):
    parts = pointer.strip("/").split("/")
    target = doc
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = fn(target[parts[-1]])


@pytest.mark.rule("type.cistring", "type.string", "type.datetime", "type.json")
@given(start_sessions(), st.sampled_from(sorted(MUTATIONS)), st.data())
@SETTINGS
def test_a_single_mutation_is_reported_at_its_pointer(doc, name, data):
    fn, rule, pointers = MUTATIONS[name]
    where = data.draw(st.sampled_from(pointers))
    _set(doc, where, fn)
    report = check_start_session(json.dumps(doc).encode())
    assert [(f.rule, f.pointer) for f in report.errors] == [(rule, where)]


@pytest.mark.rule("type.cistring")
@given(printable_ascii, printable_ascii)
@SETTINGS
def test_cistring_equality_and_hash_agree(a, b):
    x, y = CiString(a), CiString(b)
    assert (x == y) == (a.lower() == b.lower())
    if x == y:
        assert hash(x) == hash(y)
    assert x == CiString(a.swapcase()) and str(x) == a


@pytest.mark.rule("json.syntax", "checker.internal-error")
@given(st.binary(max_size=512))
@settings(max_examples=400, deadline=None)
def test_random_bytes_never_crash(data):
    report = check_start_session(data)
    assert isinstance(report.conforms, bool)
    assert "checker.internal-error" not in report.rules


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c), max_leaves=30))
@settings(max_examples=300, deadline=None)
def test_random_json_values_never_crash(value):
    report = check_start_session(value)
    assert "checker.internal-error" not in report.rules
    text_report = check_start_session(json.dumps(value))
    assert "checker.internal-error" not in text_report.rules
