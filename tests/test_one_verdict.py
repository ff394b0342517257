"""One verdict for one document, whatever form it is given in: bytes, str or parsed JSON.

Generated StartSessions (conforming ones, and ones changed in one place) get odd members in
known and unknown places: lone surrogates, numbers past a double's range, deep nesting, long
integers, empty strings, text no OCPI string holds. Each is checked as UTF-8 bytes with escapes,
as a str, and parsed; the two verdicts (``conforms``, ``accepted``) and the rules with an error
must agree. A number past a double's range is written ``1e999999`` in the texts and is
``float("inf")`` parsed, which is what ``json.loads`` makes of it.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpi_ref import check_start_session
from ocpi_ref.versions import VERSIONS

from strategies import start_sessions

HUGE = "\u2063huge\u2063"  # a marker no generated text contains: becomes 1e999999 or inf

odd_values = st.one_of(
    st.just("\ud800"),
    st.just("a\udfffb"),
    st.just(HUGE),
    st.just(""),
    st.just("line\u2028break"),
    st.integers(min_value=-(10**1200), max_value=10**1200),
    st.floats(allow_nan=False, allow_infinity=False),
    st.recursive(st.none() | st.booleans() | st.text(max_size=5),
                 lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
                 max_leaves=8),
    st.just(json.loads("[" * 70 + "]" * 70)),
)


def _parsed(value: Any) -> Any:
    if value == HUGE:
        return float("inf")
    if isinstance(value, dict):
        return {k: _parsed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_parsed(v) for v in value]
    return value


def _text(doc: Any, *, ascii_only: bool) -> str:
    return json.dumps(doc, ensure_ascii=ascii_only).replace(json.dumps(HUGE, ensure_ascii=ascii_only), "1e999999")


def _verdict(report) -> tuple[Any, bool, frozenset[str]]:
    return report.conforms, report.accepted, frozenset(f.rule for f in report.errors)


@settings(max_examples=2000, deadline=None)
@given(
    doc=start_sessions(),
    where=st.sampled_from(["/x_vendor", "/token/x_note", "/location_id", "/token/type", "/evse_uid"]),
    value=odd_values,
    version=st.sampled_from(VERSIONS),
)
def test_bytes_str_and_parsed_get_one_verdict(doc, where, value, version):
    parts = where.strip("/").split("/")
    target = doc
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    forms = {
        "bytes": _text(doc, ascii_only=True).encode("utf-8"),
        "str": _text(doc, ascii_only=False),
        "parsed": _parsed(doc),
    }
    verdicts = {name: _verdict(check_start_session(data, version=version)) for name, data in forms.items()}
    assert len(set(verdicts.values())) == 1, verdicts
