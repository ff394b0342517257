"""The checker's fast pass decides exactly as the full path would, in every version.

Generated StartSessions, conforming and changed in one to three places (wrong JSON types, text
too long or with control characters, bad DateTimes, empty strings, the year 0000, unlisted enum
values, missing and null fields, unknown members, numbers a double cannot hold exactly), are
written as JSON in several styles (compact, spaced, indented, ASCII escapes or not, a name
twice, a byte order mark) and checked twice: by :func:`ocpi_ref.check_start_session` (the fast
pass where it decides) and by the full path alone. The findings (rule, severity, pointer,
message, in order), the completeness and the model must be the same. Where the fast pass
decides by itself, its findings are compared with the full path's directly.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpi_ref import checker, fastpath
from ocpi_ref.fastpath import plain
from ocpi_ref.jsondoc import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH
from ocpi_ref.party import parse_parties
from ocpi_ref.rules.start_session import Context
from ocpi_ref.shape import fields_of
from ocpi_ref.versions import VERSIONS

from strategies import start_sessions

ODD_VALUES: list[Any] = [
    12345, 1.5, -0.0, True, False, None, [], {}, ["a"], {"x": 1}, {"x": {"y": [1, {"z": 2}]}},
    "", "0000-01-01T00:00:00Z", "0000-13-01T00:00:00Z", "2015-06-29T20:39:09+00:00",
    "2015-06-29 20:39:09Z", "X" * 37, "X" * 400, "a\x07b", "a\nb", "line\u2028sep", "zz",
    "rfid", "RFID", "APP_USER", "ALLOWED", "de", "DE", "https://x.example.com/a b",
    "not a url", "ünïcödé", "😀", 'quote " colon :', '":', 10**30, 2**63, -(2**63) - 1, 2**64,
    1e308, 123456789012345678,
]


def _as_version(doc: dict[str, Any], version: str) -> dict[str, Any]:
    """A 2.2.1 StartSession reshaped for *version* (its field names; the values may break it)."""
    doc = copy.deepcopy(doc)
    if version == "2.1.1":
        token = doc["token"]
        token["auth_id"] = token.pop("contract_id")
        for name in ("country_code", "party_id", "group_id", "energy_contract", "default_profile_type"):
            token.pop(name, None)
        for name in ("evse_uid", "connector_id", "authorization_reference"):
            doc.pop(name, None)
    elif version == "2.2":
        doc.pop("connector_id", None)
    return doc


def _fields(version: str) -> list[tuple[str, ...]]:
    return [
        (*path, name)
        for path, _, model in fastpath.plan(version).models
        for name in fields_of(model)
    ]


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target: Any = doc
    for name in path[:-1]:
        target = target.get(name) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            return
    if value is _DELETE:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = copy.deepcopy(value)


_DELETE = object()


def _write(doc: dict[str, Any], style: str) -> str:
    if style == "compact":
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    if style == "indent":
        return json.dumps(doc, indent=2)
    if style == "space-colon":
        return json.dumps(doc, separators=(", ", " : "))
    if style == "twice":  # the first member's name again, at the end
        text = json.dumps(doc)
        name = next(iter(doc), None)
        return text if name is None else text[:-1] + f', {json.dumps(name)}: "again"' + "}"
    if style == "bom":
        return "\ufeff" + json.dumps(doc)
    return json.dumps(doc)


STYLES = ["default", "compact", "indent", "space-colon", "twice", "bom"]


def _both(data: bytes | str, version: str, sender: Any) -> None:
    """Both paths on *data*: the same findings, completeness and model."""
    report, model = checker.check_start_session_model(data, version=version, sender=sender)
    plan = fastpath.plan(version)
    ctx = Context(sender=parse_parties(sender)) if sender is not None else fastpath.NO_CONTEXT
    full, full_model, complete = checker._full(plan, data, ctx, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH)
    assert report.findings == tuple(full), (report.findings, full)
    assert report.complete == complete
    if model is not None or report.accepted:
        assert full_model is not None and model is not None
        assert model.model_dump() == full_model.model_dump()
    found, _ = fastpath.fast_check(plan, data, ctx, DEFAULT_MAX_DEPTH)
    if found is not None:  # the fast pass decided alone: exactly the full path's findings
        assert found == full


def _mutated(rng: random.Random | Any, doc: dict[str, Any], version: str, draw: Any) -> dict[str, Any]:
    fields = _fields(version)
    for _ in range(draw(1, 3)):
        kind = draw(0, 4)
        if kind == 0:  # an odd value in a known field
            _set(doc, rng.choice(fields), rng.choice(ODD_VALUES))
        elif kind == 1:  # a field left out
            _set(doc, rng.choice(fields), _DELETE)
        elif kind == 2:  # an unknown member at some object
            path, _, _ = rng.choice(fastpath.plan(version).models)
            _set(doc, (*path, rng.choice(["x_vendor", "note", "Token", "location_ID"])), rng.choice(ODD_VALUES))
        elif kind == 3:  # connector without EVSE
            doc["connector_id"] = "1"
            doc.pop("evse_uid", None)
        else:  # a Token marked invalid
            if isinstance(doc.get("token"), dict):
                doc["token"]["valid"] = False
    return doc


@settings(max_examples=600, deadline=None)
@given(
    base=start_sessions(),
    version=st.sampled_from(VERSIONS),
    style=st.sampled_from(STYLES),
    as_bytes=st.booleans(),
    with_sender=st.booleans(),
    seed=st.integers(0, 2**32),
    data=st.data(),
)
def test_fast_pass_and_full_path_agree(base, version, style, as_bytes, with_sender, seed, data):
    rng = random.Random(seed)
    doc = _as_version(base, version)
    if data.draw(st.integers(0, 3)):  # one in four stays as generated
        doc = _mutated(rng, doc, version, lambda a, b: data.draw(st.integers(a, b)))
    text = _write(doc, style)
    payload = text.encode("utf-8") if as_bytes else text
    sender = ("DE", "TNM") if with_sender else None
    _both(payload, version, sender)


def test_a_seeded_corpus_takes_both_fast_decisions_and_agrees():
    """A fixed corpus (2,000 documents over the four versions) agrees, and the fast pass
    decides alone for conforming and for refused documents alike: the comparison is not
    vacuous."""
    rng = random.Random(20260101)
    decided = {"valid": 0, "refused": 0, "full": 0}
    for i in range(2000):
        version = VERSIONS[i % len(VERSIONS)]
        doc = _as_version(_seed_doc(rng), version)
        if rng.random() < 0.7:
            doc = _mutated(rng, doc, version, rng.randint)
        payload = _write(doc, rng.choice(STYLES)).encode("utf-8")
        _both(payload, version, None)
        found, model = fastpath.fast_check(fastpath.plan(version), payload, fastpath.NO_CONTEXT, DEFAULT_MAX_DEPTH)
        decided["full" if found is None else "valid" if model is not None else "refused"] += 1
    assert decided["valid"] > 100 and decided["refused"] > 300, decided
    assert decided["full"] > 100, decided  # and the doubts still go the full way


def _seed_doc(rng: random.Random) -> dict[str, Any]:
    token = {
        "country_code": rng.choice(["DE", "NL", "be"]), "party_id": "TNM", "uid": f"{rng.randrange(10**12):012d}",
        "type": rng.choice(["RFID", "APP_USER", "AD_HOC_USER", "OTHER"]), "contract_id": "DE8ACC12E46L89",
        "issuer": rng.choice(["TheNewMotion", "Stadtwerke Köln", "電力"]), "valid": True,
        "whitelist": rng.choice(["ALWAYS", "ALLOWED", "NEVER"]), "last_updated": "2026-01-02T03:04:05Z",
    }
    if rng.random() < 0.5:
        token["energy_contract"] = {"supplier_name": "Greenpeace Energy", "contract_id": "0123456789"}
    doc = {"response_url": f"https://emsp.example.com/cb/{rng.randrange(10**6)}", "token": token,
           "location_id": f"LOC-{rng.randrange(10**4)}"}
    if rng.random() < 0.7:
        doc["evse_uid"] = "EVSE-1"
        if rng.random() < 0.5:
            doc["connector_id"] = "1"
    return doc


@pytest.mark.parametrize(
    "text",
    [
        '{"a": NaN}', '{"a": 1e999999}', '{"a": "\\ud800"}', '{"a": 1, "a": 2}', '\ufeff{"a": 1}',
        '{"a": 123456789012345678901234567890}', "[" * 70 + "]" * 70, '{"a": [' + "[" * 63 + "]" * 63 + "]}",
    ],
    ids=["nan", "inf", "surrogate", "twice", "bom", "long-int", "deep", "deep-in-object"],
)
def test_plain_refuses_what_the_standard_reading_reads_otherwise(text):
    assert plain(text) is None
    assert plain(text.encode("utf-8", "surrogatepass")) is None


def test_plain_reads_plain_json():
    assert plain(b'{"a": [1, 2.5, {"b": null}], "c": "\\u00e9"}') == {"a": [1, 2.5, {"b": None}], "c": "é"}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_stricter_twin_refuses_every_empty_text_and_year_0000(version):
    """The refused fast pass reports no suspect values: it relies on the twin refusing, with the
    value itself as the error's input, every empty OCPI text and every year-0000 DateTime."""
    from pydantic import ValidationError

    plan = fastpath.plan(version)
    doc = _as_version(_seed_doc(random.Random(1)), version)
    doc["token"]["energy_contract"] = {"supplier_name": "S", "contract_id": "C"}
    if version == "2.1.1":
        doc["token"].pop("energy_contract")
    for path, _, model in plan.models:
        for name, shape in fields_of(model).items():
            if shape.ocpi is None:
                continue
            values = ["", "0000-01-01T00:00:00Z"] if shape.ocpi.name == "DateTime" else [""]
            for value in values:
                broken = copy.deepcopy(doc)
                _set(broken, (*path, name), value)
                with pytest.raises(ValidationError) as caught:
                    plan.validate_json(json.dumps(broken))
                assert value in [e["input"] for e in caught.value.errors()], (path, name, value)
