"""The exchange engine: recorded HTTP records in, command exchanges out.

An exchange starts at a StartSession (``POST …/commands/START_SESSION``) and gathers, as the
records arrive: its CommandResponse (the answer), the CommandResult POSTed to its
``response_url``, the real-time authorization requests for its Token at its Location
(``POST …/tokens/{uid}/authorize``), the Session (pushed by PUT/PATCH or answered to a GET),
the StopSession of that Session with its own result, and the CDR. Records are attributed by
``response_url`` (its path: a reverse proxy changes the host), then ``authorization_reference``,
then Token + Location + time. A record that fits more than one open exchange is reported
(``audit.ambiguous``) and attributed to none: the engine never guesses.

The engine is streamed: :meth:`Engine.feed` takes one record at a time and returns the
exchanges it closed (a CDR closes one; so does a record later than ``horizon`` after its
StartSession), so memory holds only the exchanges still open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..rules.audit import AMBIGUOUS, UNMATCHED_RESULT
from ..rules.commands import UNIQUE_RESPONSE_URL
from ..rules.registry import RULES
from ..rules.model import Party
from ..findings import Severity
from ..versions import DEFAULT_VERSION
from .parties import Partners
from .records import Record, _loads, in_start_order

__all__ = ["AuditFinding", "Command", "Engine", "Exchange", "Unmatched", "audit_records"]

_COMMAND = re.compile(r"/commands/([A-Z_]+)/?$")
_CALLBACK = re.compile(r"/commands/[A-Z_]+/.+")
_AUTHORIZE = re.compile(r"/tokens/([^/]+)/authorize/?$")
_SESSION_PUSH = re.compile(r"/sessions/[^/]+/[^/]+/([^/]+)/?$")
_SESSIONS = re.compile(r"/sessions/?$")
_CDRS = re.compile(r"/cdrs/?$")
_VERSION = re.compile(r"/(2\.1\.1|2\.2\.1|2\.3\.0|2\.2)(?:/|$)")

#: How long after its StartSession an exchange without a CDR stays open.
HORIZON = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class AuditFinding:
    """One finding of the audit: a rule, its basis, and the record (``entry``) it rests on."""

    rule: str
    severity: Severity
    basis: str
    pointer: str
    message: str
    entry: int
    party: str
    """The party that sent the record at fault (``CPO`` or ``eMSP``)."""
    version: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity.value, "basis": self.basis,
                "pointer": self.pointer, "message": self.message, "entry": self.entry}

    @property
    def fails(self) -> bool:
        """An error of a spec sentence that obliges the party at fault (exit code 1)."""
        rule = RULES.get(self.rule)
        if rule is None or self.severity is not Severity.ERROR:
            return False
        return rule.obliges(Party(self.party), self.version) or rule.obliges(Party.SENDER, self.version)

    @property
    def nonconforming(self) -> bool:
        """An error whose basis is the spec's own text (a sentence or a definition)."""
        rule = RULES.get(self.rule)
        return self.severity is Severity.ERROR and rule is not None and rule.basis_in(self.version).is_spec


def finding(rule: str, severity: Severity, where: str, message: str, rec: Record, party: Party, version: str) -> AuditFinding:
    """An :class:`AuditFinding` of *rule*, its basis read from the rule's record in *version*."""
    known = RULES.get(rule)
    basis = known.basis_in(version).value if known is not None else "our choice"
    return AuditFinding(rule, severity, basis, where, message, rec.index, party.value, version)


@dataclass(slots=True)
class Command:
    """One command request (StartSession or StopSession), its answer and its results."""

    name: str
    record: Record
    doc: Any
    result: str | None = None
    timeout: int | None = None
    results: list[Record] = field(default_factory=list)

    @property
    def response_url(self) -> str | None:
        url = self.doc.get("response_url") if isinstance(self.doc, dict) else None
        return url if isinstance(url, str) else None


@dataclass(slots=True)
class Exchange:
    """Everything the engine attributed to one StartSession."""

    id: str
    version: str
    start: Command
    sender: tuple[str, ...] | None
    stops: list[Command] = field(default_factory=list)
    auths: list[Record] = field(default_factory=list)
    objects: list[tuple[str, Record, str, dict[str, Any]]] = field(default_factory=list)
    """Sessions and CDRs: ("session" or "cdr", record, JSON pointer of the object, object)."""
    references: set[str] = field(default_factory=set)
    session_ids: set[str] = field(default_factory=set)
    group: int | None = None
    """The partner whose credentials the StartSession carried, when the configuration knows them."""
    findings: list[AuditFinding] = field(default_factory=list)
    noted: list[AuditFinding] = field(default_factory=list)
    """Findings the engine made while attributing (a reused response_url), merged at the close."""

    @property
    def command(self) -> str:
        return self.start.name

    @property
    def token(self) -> dict[str, Any]:
        token = self.start.doc.get("token") if isinstance(self.start.doc, dict) else None
        return token if isinstance(token, dict) else {}

    @property
    def location_id(self) -> str | None:
        return _text(self.start.doc, "location_id")

    @property
    def entries(self) -> list[int]:
        recs = [self.start.record, *self.start.results, *self.auths]
        for stop in self.stops:
            recs += [stop.record, *stop.results]
        recs += [obj[1] for obj in self.objects]
        return sorted({r.index for r in recs})

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "command": self.command, "entries": self.entries,
                "findings": [f.to_dict() for f in self.findings]}


@dataclass(slots=True)
class Unmatched:
    """A record the engine could not attribute to exactly one exchange."""

    entry: int
    findings: list[AuditFinding]

    def to_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "findings": [f.to_dict() for f in self.findings]}


def _text(doc: Any, name: str) -> str | None:
    value = doc.get(name) if isinstance(doc, dict) else None
    return value if isinstance(value, str) else None


def _json(body: bytes | None) -> Any:
    if not body:
        return None
    try:
        return _loads(body)
    except ValueError:
        return None


def _where(url: str) -> str:
    """The part of a URL that survives a reverse proxy: path and query."""
    parts = urlsplit(url)
    return _key(parts.path, parts.query)


def _key(path: str, query: str) -> str:
    return path.rstrip("/") + ("?" + query if query else "")


class Engine:
    """Attributes records to exchanges, and checks each exchange when it closes."""

    def __init__(self, *, version: str | None = None, partners: Partners | None = None,
                 cpo_url: str | None = None, emsp_url: str | None = None, horizon: timedelta = HORIZON) -> None:
        from .checks import check_exchange  # the checks import this module's classes

        self._check = check_exchange
        self.version, self.partners, self.horizon = version, partners or Partners(), horizon
        self.cpo_url, self.emsp_url = cpo_url, emsp_url
        self.open: dict[str, Exchange] = {}
        self.unmatched: list[Unmatched] = []
        self._by_url: dict[str, list[tuple[Exchange, Command]]] = {}
        self._by_ref: dict[str, list[Exchange]] = {}
        self._by_session: dict[str, Exchange] = {}
        self._count = 0

    def version_of(self, rec: Record) -> str:
        found = _VERSION.search(rec.path)
        return found.group(1) if found else (self.version or DEFAULT_VERSION)

    def _to(self, rec: Record, prefix: str | None) -> bool:
        return prefix is None or rec.url.startswith(prefix)

    def feed(self, rec: Record) -> list[Exchange]:
        """Attribute *rec*; return the exchanges that are now closed, checked."""
        self.partners.note_secret(rec.request_headers.get("authorization"))
        closed = self._expire(rec.started)
        path, method = rec.path, rec.method
        if method == "POST" and (url_hits := self._by_url.get(_key(path, rec.query))):
            self._result(rec, url_hits)
        elif method == "POST" and (m := _COMMAND.search(path)) and self._to(rec, self.cpo_url):
            self._command(rec, m.group(1))
        elif method == "POST" and _CALLBACK.search(path):
            self._unmatched(rec, UNMATCHED_RESULT.id, "a CommandResult at a URL no open command named as its response_url")
        elif method == "POST" and (m := _AUTHORIZE.search(path)) and self._to(rec, self.emsp_url):
            self._authorize(rec, unquote(m.group(1)))
        elif method in ("PUT", "PATCH") and (m := _SESSION_PUSH.search(path)) and self._to(rec, self.emsp_url):
            doc = _json(rec.request_body)
            if isinstance(doc, dict):
                self._object("session", rec, "", {"id": unquote(m.group(1)), **doc})
        elif _SESSIONS.search(path) or _CDRS.search(path):
            closed += self._listed(rec, "session" if _SESSIONS.search(path) else "cdr")
        return closed

    def finish(self) -> list[Exchange]:
        """Close and check every exchange still open (the end of the recording)."""
        return [self._close(ex) for ex in list(self.open.values())]

    # -- attribution ---------------------------------------------------------------------------
    def _command(self, rec: Record, name: str) -> None:
        version, doc = self.version_of(rec), _json(rec.request_body)
        cmd = Command(name, rec, doc)
        answer = _json(rec.response_body)
        data = answer.get("data") if isinstance(answer, dict) else None
        data = data[0] if isinstance(data, list) and len(data) == 1 else data  # the checker reports the list
        data = {"result": data} if isinstance(data, str) else data
        if isinstance(data, dict):
            cmd.result = data.get("result") if isinstance(data.get("result"), str) else None
            cmd.timeout = data.get("timeout") if isinstance(data.get("timeout"), int) else None
        if name == "STOP_SESSION" and (ex := self._by_session.get(_text(doc, "session_id") or "\x00")):
            ex.stops.append(cmd)
        else:
            self._count += 1
            ex = Exchange(f"x{self._count}", version, cmd, self.partners.sender_of(rec, version),
                          group=self.partners.group_of(rec.request_headers.get("authorization")))
            self.open[ex.id] = ex
            if (ref := _text(doc, "authorization_reference")) is not None:
                ex.references.add(ref)
                self._by_ref.setdefault(ref, []).append(ex)
        if cmd.response_url is not None:
            hits = self._by_url.setdefault(_where(cmd.response_url), [])
            if hits:
                ex.noted.append(finding(UNIQUE_RESPONSE_URL.id, Severity.WARNING, "/response_url", f"the response_url of an open command (entry {hits[0][1].record.index}) again", rec, Party.EMSP, version))
            hits.append((ex, cmd))

    def _result(self, rec: Record, hits: list[tuple[Exchange, Command]]) -> None:
        if len(hits) > 1:
            names = ", ".join(f"{ex.id} (entry {cmd.record.index})" for ex, cmd in hits)
            self._unmatched(rec, AMBIGUOUS.id, f"a CommandResult at a response_url that several commands named: {names}")
            return
        hits[0][1].results.append(rec)

    def _authorize(self, rec: Record, uid: str) -> None:
        kind = (parse_qs(rec.query).get("type") or ["RFID"])[0]
        where = _text(_json(rec.request_body), "location_id")
        if where is None:
            return  # no Location named: the clause's rules are about a Charge Point
        group = self.partners.group_of(rec.request_headers.get("authorization"))
        fits = [ex for ex in self.open.values()
                if str(ex.token.get("uid", "")).lower() == uid.lower() and ex.token.get("type", "RFID") == kind
                and ex.location_id == where and ex.start.record.started <= rec.started
                and (group is None or ex.group is None or ex.group == group)]
        if len(fits) > 1:
            names = ", ".join(ex.id for ex in fits)
            self._unmatched(rec, AMBIGUOUS.id, f"a real-time authorization of a Token with several StartSessions at this Location: {names}")
        elif fits:
            fits[0].auths.append(rec)
            answer = _json(rec.response_body)
            data = answer.get("data") if isinstance(answer, dict) else None
            if (ref := _text(data, "authorization_reference")) is not None:
                fits[0].references.add(ref)
                self._by_ref.setdefault(ref, []).append(fits[0])

    def _listed(self, rec: Record, kind: str) -> list[Exchange]:
        if rec.method == "POST":
            doc = _json(rec.request_body)
            return self._object(kind, rec, "", doc) if isinstance(doc, dict) else []
        answer = _json(rec.response_body)
        items = answer.get("data") if isinstance(answer, dict) and rec.method == "GET" else None
        closed: list[Exchange] = []
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict):
                closed += self._object(kind, rec, f"/data/{i}", item)
        return closed

    def _object(self, kind: str, rec: Record, where: str, obj: dict[str, Any]) -> list[Exchange]:
        fits = self._fits(kind, obj)
        if len(fits) > 1:
            names = ", ".join(ex.id for ex in fits)
            self._unmatched(rec, AMBIGUOUS.id, f"a {kind} at {where or 'the body'} that fits several exchanges: {names}", where)
            return []
        if not fits:
            return []  # a session the recording started otherwise: not a command's
        ex = fits[0]
        ex.objects.append((kind, rec, where, obj))
        if kind == "session" and (sid := _text(obj, "id")) is not None and sid not in ex.session_ids:
            ex.session_ids.add(sid)
            self._by_session[sid] = ex
        return [self._close(ex)] if kind == "cdr" else []

    def _fits(self, kind: str, obj: dict[str, Any]) -> list[Exchange]:
        ref = _text(obj, "authorization_reference")
        if ref is not None and (hits := [ex for ex in self._by_ref.get(ref, ()) if ex.id in self.open]):
            return hits
        sid = _text(obj, "session_id" if kind == "cdr" else "id")
        if sid is not None and (ex := self._by_session.get(sid)) is not None and ex.id in self.open:
            return [ex]
        token = obj.get("cdr_token") if isinstance(obj.get("cdr_token"), dict) else {}
        uid = token.get("uid", obj.get("auth_id"))
        loc = _location_of(obj)
        begun = _text(obj, "start_date_time")
        if not isinstance(uid, str) or loc is None:
            return []
        return [ex for ex in self.open.values()
                if str(ex.token.get("uid", "")).lower() == uid.lower() and ex.location_id == loc
                and (begun is None or _after(begun, ex.start.record.started))]

    def _unmatched(self, rec: Record, rule: str, message: str, where: str = "") -> None:
        version = self.version_of(rec)
        found = finding(rule, Severity.WARNING, where, message, rec, Party.CPO, version)
        self.unmatched.append(Unmatched(rec.index, [found]))

    # -- closing -------------------------------------------------------------------------------
    def _expire(self, now: datetime) -> list[Exchange]:
        closed = []
        while self.open:
            first = next(iter(self.open.values()))
            if now - first.start.record.started <= self.horizon:
                break
            closed.append(self._close(first))
        return closed

    def _close(self, ex: Exchange) -> Exchange:
        del self.open[ex.id]
        for cmd in (ex.start, *ex.stops):
            if cmd.response_url is not None:
                key = _where(cmd.response_url)
                left = [hit for hit in self._by_url.get(key, ()) if hit[0] is not ex]
                self._by_url.pop(key, None) if not left else self._by_url.__setitem__(key, left)
        for ref in ex.references:
            left_refs = [e for e in self._by_ref.get(ref, ()) if e is not ex]
            self._by_ref.pop(ref, None) if not left_refs else self._by_ref.__setitem__(ref, left_refs)
        for sid in ex.session_ids:
            self._by_session.pop(sid, None)
        ex.findings = sorted(self._check(ex, self.partners) + ex.noted, key=lambda f: f.entry)
        return ex


def _location_of(obj: dict[str, Any]) -> str | None:
    for name in ("location_id",):
        if isinstance(obj.get(name), str):
            return obj[name]
    for name in ("cdr_location", "location"):
        inner = obj.get(name)
        if isinstance(inner, dict) and isinstance(inner.get("id"), str):
            return inner["id"]
    return None


def _after(text: str, since: datetime) -> bool:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return True  # an unreadable time does not rule the object out; the checkers report it
    if when.tzinfo is None:
        when = when.replace(tzinfo=since.tzinfo)
    return when >= since.replace(microsecond=0)


def audit_records(records: Iterable[Record], **engine_kw: Any) -> Iterator[Exchange | Unmatched]:
    """Every exchange as it closes, and every unmatched record, of *records* (streamed)."""
    engine = Engine(**engine_kw)
    for rec in in_start_order(records):
        yield from engine.feed(rec)
        while engine.unmatched:
            yield engine.unmatched.pop(0)
    yield from engine.finish()
    yield from engine.unmatched
