"""Hypothesis strategies shared by the property tests: conforming OCPI 2.2.1 StartSessions."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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
