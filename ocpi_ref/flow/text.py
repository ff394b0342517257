"""Text the CPO writes into its answers: printable, encodable, and within DisplayText's 512.

Messages quote what the caller sent (a party_id, a command name, a URL, a finding). Whatever was
quoted, :func:`safe_text` makes the message printable OCPI ``string`` text that UTF-8 can
encode, and :func:`display_text` a valid ``DisplayText``. ``ocpi_ref.cpo.replies`` builds
every reply of the reference CPO with them; the StartSession decision's own CommandResponse
(:meth:`ocpi_ref.flow.decision.Decision.response`) too.
"""

from __future__ import annotations

from ..types import is_printable
from ..v2_2_1.models import DisplayText

__all__ = ["display_text", "safe_text"]


def _escaped(ch: str) -> str:
    if is_printable(ch):
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def safe_text(text: str) -> str:
    """*text* with every character an OCPI ``string`` may not hold written as ``\\uXXXX``.

    That is what :data:`ocpi_ref.types.PRINTABLE_CATEGORIES` refuses: controls, line breaks,
    format characters, private-use and unassigned code points, and lone surrogates (which UTF-8
    cannot encode at all).
    """
    if text.isprintable():  # Python's printable is narrower than OCPI's: nothing to escape
        return text
    return "".join(map(_escaped, text))


def display_text(text: str) -> DisplayText:
    """One English DisplayText of *text*, made safe and cut to its 512 characters."""
    return DisplayText(language="en", text=safe_text(text)[:512])
