"""Text the CPO writes into its answers: printable, encodable, and within DisplayText's 512.

Messages quote what the caller sent (a party_id, a command name, a URL, a finding). Whatever was
quoted, :func:`safe_text` makes the message printable OCPI ``string`` text that UTF-8 can
encode, and :func:`display_text` a valid ``DisplayText``. ``ocpi_ref.cpo.replies`` builds
every reply of the reference CPO with them; the StartSession decision's own CommandResponse
(:meth:`ocpi_ref.flow.decision.Decision.response`) too.
"""

from __future__ import annotations

import re

from ..v2_2_1.models import DisplayText

__all__ = ["display_text", "safe_text"]

#: What cannot go into a message as it is: C0 and C1 control characters, DEL (OCPI ``string``
#: forbids them) and lone surrogates (no UTF-8 encoding exists for them).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_text(text: str) -> str:
    """*text* with every control character and lone surrogate written as ``\\uXXXX``."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def display_text(text: str) -> DisplayText:
    """One English DisplayText of *text*, made safe and cut to its 512 characters."""
    return DisplayText(language="en", text=safe_text(text)[:512])
