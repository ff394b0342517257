"""The EVSE capabilities each OCPI version lists (Locations module, Capability), and whether the
list is closed: an unknown value given on the command line or in a configuration is a typo
until shown otherwise.

Only ``START_SESSION_CONNECTOR_REQUIRED`` (2.2.1 on) changes what a StartSession must carry;
the other values are listed so that a correct one is not taken for a typo.

* 2.1.1, 2.2 and 2.2.1: Capability is an *enum*, so a value outside the list is not a
  capability of that version.
* 2.3.0: the release made OCPI extensible ("enum values for certain enums", changelog
  §"Changes between 2.2.1-d2 and 2.3.0"), and the Locations module, which this repository does
  not carry (``spec/ocpi-src/`` holds Commands, Tokens, Sessions, CDRs and types), is read here as
  making Capability an OpenEnum (our reading). An unlisted value is therefore allowed, except one
  so close to a listed value that it is surely that value misspelt.
"""

from __future__ import annotations

import difflib

from ..versions import VERSIONS

__all__ = ["CAPABILITIES", "OPEN_IN", "capability_problem"]

_V211 = frozenset({
    "CHARGING_PROFILE_CAPABLE", "CREDIT_CARD_PAYABLE", "REMOTE_START_STOP_CAPABLE", "RESERVABLE",
    "RFID_READER", "UNLOCK_CAPABLE",
})
_V22 = _V211 | {
    "CHARGING_PREFERENCES_CAPABLE", "CHIP_CARD_SUPPORT", "CONTACTLESS_CARD_SUPPORT", "DEBIT_CARD_PAYABLE",
    "PED_TERMINAL", "TOKEN_GROUP_CAPABLE",
}
_V221 = _V22 | {"START_SESSION_CONNECTOR_REQUIRED"}

#: The values each version lists (2.3.0: at least those of 2.2.1).
CAPABILITIES: dict[str, frozenset[str]] = {"2.1.1": _V211, "2.2": _V22, "2.2.1": _V221, "2.3.0": _V221}

#: The versions whose Capability admits values outside its list (our reading, see above).
OPEN_IN = frozenset({"2.3.0"})

assert set(CAPABILITIES) == set(VERSIONS)


def capability_problem(value: str, version: str) -> str | None:
    """Why *value* is not a capability of OCPI *version*, or None when it is (or may be)."""
    listed = CAPABILITIES[version]
    if value in listed:
        return None
    close = difflib.get_close_matches(value, sorted(listed), n=1, cutoff=0.8)
    if version in OPEN_IN and not close:
        return None
    meant = f"; did you mean {close[0]}?" if close else ""
    newer = [v for v in VERSIONS if value in CAPABILITIES[v]]
    if newer and not close:
        meant = f" (OCPI {', '.join(newer)} has it)"
    kind = "an OpenEnum, but this looks misspelt" if version in OPEN_IN else "a closed list"
    return f"{value!r} is not a capability OCPI {version} lists ({kind}){meant}"
