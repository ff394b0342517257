"""Property tests (hypothesis): conforming payloads conform, single mutations are found at
the right pointer, CiString equality and hashing agree, random bytes never crash the checker."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest

from ocpi_ref import CiString, StartSession, check_start_session

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

printable_ascii = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=36)
utf8_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=64
)


def cistring(n: int, min_size: int = 0):
    return st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=min_size, max_size=n)


datetimes = st.builds(
    lambda d, frac, z: f"{d.year:04d}-{d:%m-%dT%H:%M:%S}" + frac + z,
    st.datetimes(),
    st.sampled_from(["", ".1", ".123", ".1234"]),
    st.sampled_from(["", "Z"]),
)

tokens = st.fixed_dictionaries(
    {
        "country_code": cistring(2, 2),
        "party_id": cistring(3, 3),
        "uid": cistring(36, 1),
        "type": st.sampled_from(["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]),
        "contract_id": cistring(36, 1),
        "issuer": utf8_text,
        "valid": st.booleans(),
        "whitelist": st.sampled_from(["ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"]),
        "last_updated": datetimes,
    },
    optional={
        "visual_number": utf8_text,
        "group_id": cistring(36),
        "language": st.sampled_from(["en", "de", "nl"]),
        "default_profile_type": st.sampled_from(["CHEAP", "FAST", "GREEN", "REGULAR"]),
        "energy_contract": st.fixed_dictionaries({"supplier_name": utf8_text}, optional={"contract_id": utf8_text}),
    },
)

urls = st.builds(
    lambda host, path: f"https://{host}.example.com/{path}",
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_/.-]{0,100}", fullmatch=True),
)


@st.composite
def start_sessions(draw):
    doc = {"response_url": draw(urls), "token": draw(tokens), "location_id": draw(cistring(36, 1))}
    if draw(st.booleans()):
        doc["evse_uid"] = draw(cistring(36))
        if draw(st.booleans()):
            doc["connector_id"] = draw(cistring(36))
    if draw(st.booleans()):
        doc["authorization_reference"] = draw(cistring(36))
    return doc


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
