"""Audit recorded OCPI traffic: the command exchanges around StartSession, judged across messages.

:func:`audit_file` reads a recording (HAR 1.2, HAR entries as JSON Lines, a mitmproxy flow
file), reconstructs every exchange (:mod:`.exchanges`), checks it (:mod:`.checks`) and returns
an :class:`AuditReport` (:mod:`.report`). :mod:`.addon` is the same engine inside mitmproxy.
"""

from .exchanges import AuditFinding, Engine, Exchange, Unmatched, audit_records
from .parties import Partners, load_partners
from .records import InputError, Record, read_records, to_har
from .report import AuditReport, audit, audit_file

__all__ = [
    "AuditFinding", "AuditReport", "Engine", "Exchange", "InputError", "Partners", "Record", "Unmatched",
    "audit", "audit_file", "audit_records", "load_partners", "read_records", "to_har",
]
