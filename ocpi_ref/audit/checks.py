"""The checks of one exchange: each message with the existing checkers, then across messages.

Single messages go through the checkers every other front uses (:func:`~ocpi_ref.checker.check_start_session`
with the sender's roles, :mod:`ocpi_ref.objects` for the answer and the CommandResult), called
one by one; a per-record batch engine could replace these calls later without changing the
cross-message checks below. Across messages: the result comes only after ACCEPTED, once, bare,
within the advertised timeout, with credentials and request ids; no real-time authorization of
the StartSession's RFID Token at its Location within 15 minutes, none for an AD_HOC_USER or
APP_USER Token there; the Session's and CDR's ``cdr_token`` is the Token sent, and their
``authorization_reference`` the one given last.
"""

from __future__ import annotations

from datetime import timedelta

from ..checker import check_start_session
from ..findings import Finding, Severity
from ..objects import check_command_response, check_command_result
from ..rules.audit import ONE_RESULT, RESULT_WITHIN_TIMEOUT
from ..rules.commands import AUTHORIZATION_ENCODING, CREDENTIALS_REQUIRED, RESULT_AFTER_ACCEPTED
from ..rules.conformance import REQUEST_IDS_ON_REQUESTS
from ..rules.model import Party
from ..rules.start_session import (
    APP_TOKEN_NO_REALTIME_AUTH,
    AUTHORIZATION_REFERENCE_ECHO,
    RFID_15_MINUTES,
    TOKEN_IN_SESSION_AND_CDR,
)
from .exchanges import AuditFinding, Command, Exchange, _json, _text, finding
from .parties import Partners
from .records import Record

__all__ = ["check_exchange", "request_ids", "result_checks"]

#: The clause's window for an RFID Token (OCPI 2.2.1 §13.3.5), inclusive of the 15th minute.
WINDOW = timedelta(minutes=15)
#: How each version sends the credentials token (commands.authorization-encoding); 2.2 says nothing.
_ENCODING = {"2.1.1": "plain", "2.2.1": "base64", "2.3.0": "base64"}
_TOKEN_FIELDS = ("country_code", "party_id", "uid", "type", "contract_id")


def check_exchange(ex: Exchange, partners: Partners | None = None) -> list[AuditFinding]:
    """Every finding of *ex*, in record order, each once; *partners* knows the credentials
    tokens, so the encoding each version wants can be checked."""
    out: list[AuditFinding] = []
    for cmd in (ex.start, *ex.stops):
        out += _command(ex, cmd, partners or Partners())
    out += result_checks(ex)
    out += _authorizations(ex)
    out += _objects(ex)
    unique = {(f.rule, f.pointer, f.message, f.entry): f for f in out}
    return sorted(unique.values(), key=lambda f: f.entry)


def _wrap(found: tuple[Finding, ...], rec: Record, party: Party, version: str, where: str) -> list[AuditFinding]:
    return [finding(f.rule, f.severity, f.pointer, f"{where}{f.message}", rec, party, version) for f in found]


def _command(ex: Exchange, cmd: Command, partners: Partners) -> list[AuditFinding]:
    v, rec = ex.version, cmd.record
    out: list[AuditFinding] = []
    if cmd.name == "START_SESSION" and rec.request_body is not None:
        report = check_start_session(rec.request_body, version=v, sender=list(ex.sender) if ex.sender else None)
        out += _wrap(report.findings, rec, Party.EMSP, v, "")
    if rec.response_body is not None:
        report = check_command_response(rec.response_body, version=v)
        out += _wrap(report.findings, rec, Party.CPO, v, "in the answer: ")
    out += _transport(rec, Party.EMSP, v, partners)
    for i, res in enumerate(cmd.results):
        out += _wrap(check_command_result(res.request_body or b"", version=v).findings, res, Party.CPO, v, "")
        out += _transport(res, Party.CPO, v, partners)
    return out


def result_checks(ex: Exchange) -> list[AuditFinding]:
    """The cross-message checks of every CommandResult of *ex*: only after ACCEPTED, exactly
    one, within the timeout its CommandResponse advertised (2.2 and later), counted from the
    command record's start. The conformance suite calls this on what it saw (:mod:`.fronts`)."""
    out: list[AuditFinding] = []
    for cmd in (ex.start, *ex.stops):
        for i, res in enumerate(cmd.results):
            out += _result_timing(ex, cmd, res, i)
    return out


def _result_timing(ex: Exchange, cmd: Command, res: Record, i: int) -> list[AuditFinding]:
    v, out = ex.version, []
    if cmd.result is not None and cmd.result != "ACCEPTED":
        out.append(finding(RESULT_AFTER_ACCEPTED.id, Severity.ERROR, "", f"a CommandResult after the CommandResponse {cmd.result} (entry {cmd.record.index}); only an ACCEPTED command gets one", res, Party.CPO, v))
    if i > 0:
        out.append(finding(ONE_RESULT.id, Severity.ERROR, "", f"a second CommandResult for the command of entry {cmd.record.index} (the first: entry {cmd.results[0].index})", res, Party.CPO, v))
    if v != "2.1.1" and cmd.timeout is not None:
        late = res.started - cmd.record.started
        if late > timedelta(seconds=cmd.timeout):
            out.append(finding(RESULT_WITHIN_TIMEOUT.id, Severity.ERROR, "", f"the CommandResult came {late.total_seconds():.1f} s after the command (entry {cmd.record.index}), past the {cmd.timeout} s timeout its CommandResponse advertised", res, Party.CPO, v))
    return out


def _transport(rec: Record, party: Party, v: str, partners: Partners) -> list[AuditFinding]:
    """Credentials on the request, encoded as the version has them; request and correlation
    ids (2.2 and later)."""
    out = []
    header = rec.request_headers.get("authorization")
    if not header:
        out.append(finding(CREDENTIALS_REQUIRED.id, Severity.ERROR, "", "the request has no Authorization header", rec, party, v))
    sent, wanted = partners.encoding_of(header), _ENCODING.get(v)
    if sent is not None and wanted is not None and sent != wanted:
        out.append(finding(AUTHORIZATION_ENCODING.id, Severity.WARNING, "", f"the credentials token is sent {sent}; OCPI {v} has it {wanted}", rec, party, v))
    return out + request_ids(rec, party, v)


def request_ids(rec: Record, party: Party, v: str) -> list[AuditFinding]:
    """Every request of 2.2 and later carries X-Request-ID and X-Correlation-ID, whoever sends
    it (``conformance.request-ids-on-requests``). The suite (on the CPO's CommandResult POST)
    and the judge (on the eMSP's requests) call this too."""
    if v == "2.1.1":
        return []
    missing = [h for h in ("X-Request-ID", "X-Correlation-ID") if not rec.request_headers.get(h.lower())]
    if not missing:
        return []
    return [finding(REQUEST_IDS_ON_REQUESTS.id, Severity.ERROR, "", f"the request has no {' and no '.join(missing)}", rec, party, v)]


def _authorizations(ex: Exchange) -> list[AuditFinding]:
    v, out = ex.version, []
    kind = ex.token.get("type")
    evse = ex.start.doc.get("evse_uid") if isinstance(ex.start.doc, dict) else None
    for rec in ex.auths:
        after = rec.started - ex.start.record.started
        named = _json(rec.request_body) or {}
        evses = named.get("evse_uids") if isinstance(named, dict) else None
        elsewhere = bool(evse and isinstance(evses, list) and evses and evse not in evses)
        when = f"{int(after.total_seconds()) // 60} min {int(after.total_seconds()) % 60:02d} s after the StartSession (entry {ex.start.record.index})"
        if kind in ("AD_HOC_USER", "APP_USER") and not elsewhere:
            out.append(finding(APP_TOKEN_NO_REALTIME_AUTH.id, Severity.ERROR, "", f"a real-time authorization of the {kind} Token of a StartSession at its Location, {when} (this reference's reading of the truncated sentence: any time)", rec, Party.CPO, v))
        elif kind == "RFID" and not elsewhere and after <= WINDOW:
            out.append(finding(RFID_15_MINUTES.id, Severity.ERROR, "", f"a real-time authorization of the StartSession's RFID Token at its Location {when}, within 15 minutes", rec, Party.CPO, v))
    return out


def _objects(ex: Exchange) -> list[AuditFinding]:
    v, out = ex.version, []
    if v == "2.1.1":
        return out  # the 2.1.1 clause has no Token paragraphs
    sent = {k: ex.token.get(k) for k in _TOKEN_FIELDS if k in ex.token}
    given = _text(ex.start.doc, "authorization_reference")
    for kind, rec, where, obj in ex.objects:
        name = "Session" if kind == "session" else "CDR"
        token = obj.get("cdr_token")
        if token is None:
            out.append(finding(TOKEN_IN_SESSION_AND_CDR.id, Severity.ERROR, f"{where}/cdr_token", f"the {name} has no cdr_token; the StartSession's Token (entry {ex.start.record.index}) belongs there", rec, Party.CPO, v))
        elif not isinstance(token, dict) or {k: token.get(k) for k in sent} != sent:
            differs = [k for k in sent if not isinstance(token, dict) or token.get(k) != sent[k]]
            out.append(finding(TOKEN_IN_SESSION_AND_CDR.id, Severity.ERROR, f"{where}/cdr_token", f"the {name}'s cdr_token differs from the StartSession's Token (entry {ex.start.record.index}) in {', '.join(differs)}", rec, Party.CPO, v))
        if given is not None:
            echoed = obj.get("authorization_reference")
            if echoed is None:
                out.append(finding(AUTHORIZATION_REFERENCE_ECHO.id, Severity.ERROR, f"{where}/authorization_reference", f"the {name} has no authorization_reference; the StartSession (entry {ex.start.record.index}) gave one", rec, Party.CPO, v))
            elif echoed not in ex.references:
                out.append(finding(AUTHORIZATION_REFERENCE_ECHO.id, Severity.ERROR, f"{where}/authorization_reference", f"the {name}'s authorization_reference is none that the eMSP gave (the StartSession of entry {ex.start.record.index}, or a later authorization)", rec, Party.CPO, v))
    return out

