"""Hypothesis strategies shared by the property tests: conforming OCPI 2.2.1 StartSessions."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ocpi_ref.types import COUNTRY_CODES, LANGUAGE_CODES

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

printable_ascii = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=36)
# Printable text as the string type reads it: the categories of visible text. Cn is left
# out by construction (hypothesis draws only assigned characters from these categories).
utf8_text = st.text(
    st.characters(whitelist_categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=64
)
# Any case: a country_code is a CiString.
country_codes = st.builds(
    lambda code, upper: code if upper else code.lower(), st.sampled_from(COUNTRY_CODES), st.booleans()
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
        "country_code": country_codes,
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
        "group_id": cistring(36, 1),
        "language": st.sampled_from(LANGUAGE_CODES),
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
    # Empty strings are legal (each gets a field.empty-string warning, never an error).
    return doc
