"""The Commands module, receiver side: answer each command, then carry it out in the background.

A START_SESSION is decided by :func:`ocpi_ref.flow.decision.decide_start_session` (the body is
parsed and validated once, by its version's model); after ACCEPTED the simulated Charge Point
is asked, its answer is reported once (:mod:`.delivery`) and, when a car plugs in, a Session
starts. An accepted StartSession of another version becomes a 2.2.1 one for the Session and
CDR by the conversion steps alone (:func:`ocpi_ref.convert.convert_document`), from the fields
its version defines only, so an unknown ``connector_id`` or Token ``country_code`` cannot pick
the connector or the owner; whatever 2.2.1 cannot hold (a 2.3.0 EMAID becomes OTHER) is logged
as a warning with its rule, never dropped silently. A 2.1.1 StartSession's Token is owned by
the caller: the first role of its credentials is written into the Session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from ..convert import convert_document
from ..errors import findings_from_error
from ..findings import Severity
from ..flow.decision import INVALID_BODY, URL_USERINFO, Decision, decide_start_session, url_parts, url_refusal
from ..flow.results import ResultRow, result_for
from ..flow.sessions import SessionStore
from ..flow.window import AuthorizationWindow
from ..jsondoc import json_type_name, load
from ..party import PartyId
from ..rules.commands import ACCEPTED_WITHOUT_CAR
from ..rules.types import JSON_TYPE, OPEN_ENUM
from ..specs import spec
from ..types import CiString
from ..v2_1_1 import StopSession as StopSession211
from ..v2_2_1.enums import CommandResponseType, CommandResultType
from ..v2_2_1.models import CommandResponse, StartSession, StopSession
from ..versions import DEFAULT_VERSION, VERSIONS
from .chargepoint import SimulatedChargePoint
from .config import CpoConfig, Partner
from .declared import declared_only
from .delivery import Deliverer
from .replies import (
    BACKLOG_FULL,
    IDS_CANNOT_TRAVEL,
    NO_SUCH_COMMAND,
    OPEN_COMMAND,
    OTHER_COMMAND,
    STOP_DONE,
    STOP_FOREIGN,
    STOP_INVALID,
    STOP_OK,
    STOP_UNKNOWN,
    STOP_URL,
    STOP_USERINFO,
    Caller,
    Choice,
    Reply,
    backlog_message,
    display,
    finding_text,
    not_json,
)

__all__ = ["COMMANDS", "Commands", "travels"]

log = logging.getLogger("ocpi_ref.cpo")

#: Each version's command names (its CommandType), for a dict lookup per request.
COMMANDS: dict[str, frozenset[str]] = {
    v: frozenset(c.value for c in spec(v).enums["CommandType"]) for v in VERSIONS
}

#: The StopSession model of each version (2.2, 2.2.1 and 2.3.0 share one table).
_STOP_SESSION: dict[str, type[BaseModel]] = {v: StopSession for v in VERSIONS} | {"2.1.1": StopSession211}

After = Callable[[], Awaitable[None]]


def travels(header_value: str) -> bool:
    """Can *header_value* be sent back in a header exactly as it came? Printable ASCII only:
    a request header arrives decoded as Latin-1, and a client would send any byte over 0x7E
    re-encoded, a control character not at all (``commands.correlation-id-travels``)."""
    return header_value.isascii() and header_value.isprintable()


class Commands:
    """The commands endpoint of every version, and the work each accepted command starts."""

    def __init__(
        self,
        config: CpoConfig,
        *,
        clock: Callable[[], datetime],
        window: AuthorizationWindow,
        sessions: SessionStore,
        charge_points: dict[CiString, SimulatedChargePoint],
        deliverer: Deliverer,
    ) -> None:
        self.config = config
        self.clock = clock
        self.window = window
        self.sessions = sessions
        self.charge_points = charge_points
        self.deliverer = deliverer

    def command(
        self, command: str, body: bytes, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
    ) -> Reply:
        """Answer ``POST commands/{command}`` of OCPI *version*."""
        if command not in COMMANDS[version]:
            return self._unknown_command(command, body, version)
        if command in ("START_SESSION", "STOP_SESSION"):
            if not travels(correlation_id):
                return self._ids_cannot_travel(correlation_id, version)
            if not self.deliverer.admits(caller.partner):
                return self._backlog_full(caller, version)
        if command == "START_SESSION":
            return self.start_session(body, caller, correlation_id, version)
        if command == "STOP_SESSION":
            return self.stop_session(body, caller, correlation_id, version)
        return self._not_supported(body, OTHER_COMMAND, f"{command} is not implemented by this reference CPO", version)

    def _ids_cannot_travel(self, correlation_id: str, version: str) -> Reply:
        """REJECTED at once: the result could not carry this X-Correlation-ID back unchanged
        (``commands.correlation-id-travels``)."""
        message = (
            f"X-Correlation-ID {correlation_id!r} holds a character outside printable ASCII; the "
            f"CommandResult could not carry it back unchanged [{IDS_CANNOT_TRAVEL.rule}]"
        )
        return self._row(IDS_CANNOT_TRAVEL, message, version)

    def _backlog_full(self, caller: Caller, version: str) -> Reply:
        """HTTP 200, CommandResponse REJECTED at once, naming the limit: the partner's lane cannot
        deliver one more result before its deadline, or has ``max_backlog`` under way
        (commands.backlog-limit; valid JSON to an existing resource gets no HTTP error)."""
        log.warning("partner %s: delivery backlog full, command refused [%s]", caller.partner.name, BACKLOG_FULL.rule)
        pending = self.deliverer.lanes[caller.partner.token].pending
        return self._row(BACKLOG_FULL, backlog_message(self.config.max_backlog, pending, self.config.command_timeout), version)

    def _not_supported(self, body: bytes, row: Choice, message: str, version: str) -> Reply:
        """NOT_SUPPORTED in an envelope for a well-formed body; HTTP 400 when it is not JSON."""
        loaded = load(body)
        if (refused := not_json(loaded.findings)) is not None:
            return refused
        return self._answer(CommandResponseType.NOT_SUPPORTED, row.status_code, message, row.rule, version=version)

    def _unknown_command(self, command: str, body: bytes, version: str) -> Reply:
        """A name outside the version's CommandType: HTTP 404, but NOT_SUPPORTED in 2.3.0.

        2.3.0 makes CommandType an OpenEnum, so a name it does not list is a valid value this
        CPO does not support (``type.open-enum``); in the other versions the path names no
        command at all.
        """
        if "CommandType" in spec(version).open_enums:
            message = (
                f"{command} is not a command this reference CPO knows; CommandType is an "
                f"OpenEnum in OCPI {version} [{OPEN_ENUM.id}]"
            )
            return self._not_supported(body, OPEN_COMMAND, message, version)
        known = ", ".join(sorted(COMMANDS[version]))
        return NO_SUCH_COMMAND.reply(f"no such command {command!r}; OCPI {version} commands are {known}")

    def _answer(
        self,
        result: CommandResponseType,
        status: int,
        message: str,
        rule: str | None = None,
        after: After | None = None,
        version: str = DEFAULT_VERSION,
    ) -> Reply:
        """The CommandResponse reply; in 2.1.1 ``{"result": ...}`` only (no timeout, no message)."""
        if version == "2.1.1":
            return Reply(200, status, {"result": result.value}, message, rule, after)
        data = CommandResponse(
            result=result, timeout=self.config.command_timeout, message=display(message)
        ).model_dump(mode="json")
        return Reply(200, status, data, message, rule, after)

    def _row(self, row: Choice, message: str, version: str, rule: str | None = None, after: After | None = None) -> Reply:
        """A CommandResponse reply of one StopSession row of the table."""
        result = CommandResponseType(row.result)
        return self._answer(result, row.status_code, message, rule or row.rule, after, version)

    def url_allowed(self, partner: Partner) -> Callable[[str], bool]:
        """May the CPO POST to this URL for *partner*? (``commands.response-url-allowed``)"""

        def allowed(url: str) -> bool:
            parts = url_parts(url)
            return parts is not None and parts.scheme in ("http", "https") and partner.allows_host(parts.hostname)

        return allowed

    # ------------------------------------------------------------------ START_SESSION

    def start_session(
        self, body: bytes, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
    ) -> Reply:
        """Answer a START_SESSION; after ACCEPTED, start the Charge Point and report its answer."""
        deadline = self.deliverer.deadline()  # commands.result-before-deadline: from the receipt
        decision = decide_start_session(
            body,
            sender=caller.roles,
            locations=self.config.locations,
            response_url_allowed=self.url_allowed(caller.partner),
            version=version,
        )
        if decision.report is not None and (refused := not_json(decision.report.findings)) is not None:
            return refused
        after = None
        if decision.accepted:
            if version != DEFAULT_VERSION:
                internal = self._as_2_2_1(decision, caller)
                if isinstance(internal, Reply):
                    return internal
                decision = internal
            # The clock starts when the StartSession is received (start-session.ocpp-rfid-15-minutes).
            assert decision.start_session is not None and decision.charge_point is not None
            self.window.record_start_session(decision.start_session.token, decision.charge_point.id)
            accepted = decision

            async def after() -> None:
                self.deliverer.spawn(self._run_start(accepted, caller, correlation_id, version, deadline), caller.partner)

        return self._answer(
            decision.result, decision.status_code, decision.message, decision.rule, after, version
        )

    def _as_2_2_1(self, decision: Decision, caller: Caller) -> Decision | Reply:
        """The accepted *decision* with its StartSession as OCPI 2.2.1, for the Session and CDR.

        The body was validated once, by its version's model; the conversion steps run on that
        model's declared fields, and their result is built into the 2.2.1 model once. A 2.1.1
        Token gets the caller's first role as owner. Every loss is logged with its rule; a
        StartSession that cannot be converted at all is refused with its findings.
        """
        version = decision.version
        owner = caller.roles[0] if version == "2.1.1" else None
        done = convert_document(declared_only(decision.start_session), version, DEFAULT_VERSION, owner=owner)
        start = None
        if done.document is not None:
            try:
                start = StartSession.model_validate(done.document)
            except ValidationError as exc:
                errors = list(findings_from_error(StartSession, exc))
        if start is None:
            if done.document is None:
                errors = [f for f in done.findings if f.severity is Severity.ERROR]
            rule = errors[0].rule if errors else None
            return self._answer(INVALID_BODY.result, INVALID_BODY.status_code, finding_text(errors), rule, version=version)
        for loss in done.losses:
            log.warning(
                "partner %s: accepted an OCPI %s StartSession whose Session and CDR, at the "
                "2.2.1 Sessions and CDRs endpoints, cannot hold all of it: %s",
                caller.partner.name,
                version,
                loss,
            )
        return replace(decision, start_session=start)

    async def _ask(self, call: Awaitable[Any]) -> ResultRow:
        """The Charge Point's answer as a row of the results table, TIMEOUT past the deadline.

        ``asyncio.timeout`` waits in this task; ``wait_for`` would start one more per command.
        """
        try:
            async with asyncio.timeout(self.config.charge_point_deadline):
                answer = await call
        except TimeoutError:
            return result_for(None)
        return result_for(answer)

    async def _run_start(
        self, decision: Decision, caller: Caller, correlation_id: str, version: str, deadline: float | None = None
    ) -> None:
        """Ask the Charge Point, report its answer, and make the Session when a car plugs in.

        *decision* holds the StartSession as OCPI 2.2.1 (converted when *version* differs).
        """
        start, cp = decision.start_session, decision.charge_point
        assert start is not None and cp is not None
        sim = self.charge_points[CiString(cp.id)]
        # The Charge Point gets the Token the eMSP gave (the OCPP idTag) and starts with it.
        id_tag = str(start.token.uid)
        evse = sim.pick_evse(decision.evse)
        busy = sim.occupied(evse.uid)  # one car per EVSE: the Charge Point answers occupied
        row = await self._ask(sim.remote_start(id_tag, evse.uid))
        result = row.result
        car = sim.car_plugs_in()
        text = row.text.format(cp=cp.id, evse=evse.uid)
        if busy and result is CommandResultType.EVSE_OCCUPIED:
            text += f": a Session is ACTIVE there [{row.rule}]"
        to = caller.from_party or PartyId(start.token.country_code, start.token.party_id)
        await self.deliverer.post_result(
            "START_SESSION", start.response_url, result, text, caller.partner, to, correlation_id, version, deadline
        )
        if result is CommandResultType.ACCEPTED:
            if car:
                connector = start.connector_id or evse.connectors[0]
                self.sessions.start(start, evse.uid, str(connector), self.clock(), id_tag=id_tag)
            else:
                log.info(
                    "no car plugged in at %s after an accepted start: no Session [%s]",
                    cp.id,
                    ACCEPTED_WITHOUT_CAR.id,
                )

    # ------------------------------------------------------------------ STOP_SESSION

    def stop_session(
        self, body: bytes, caller: Caller, correlation_id: str, version: str = DEFAULT_VERSION
    ) -> Reply:
        """Answer a STOP_SESSION; after ACCEPTED, stop the session and write its CDR."""
        deadline = self.deliverer.deadline()
        loaded = load(body)
        if (refused := not_json(loaded.findings)) is not None:
            return refused
        if not loaded.usable:
            return self._row(STOP_INVALID, finding_text(loaded.findings), version)
        if not isinstance(loaded.value, Mapping):
            msg = f"/: a StopSession is a JSON object, got {json_type_name(loaded.value)} [{JSON_TYPE.id}]"
            return self._row(STOP_INVALID, msg, version, JSON_TYPE.id)
        model = _STOP_SESSION[version]
        try:
            stop = model.model_validate(loaded.value)
        except ValidationError as exc:
            found = list(findings_from_error(model, exc))
            return self._row(STOP_INVALID, finding_text(found), version, found[0].rule if found else None)
        return self._stop_checked(stop, caller, correlation_id, version, deadline)

    def _stop_checked(self, stop: Any, caller: Caller, correlation_id: str, version: str, deadline: float) -> Reply:
        """The StopSession is valid: may this caller stop that session?"""
        refused = url_refusal(stop.response_url, self.url_allowed(caller.partner))
        if refused is not None:
            row, message = refused
            return self._row(STOP_USERINFO if row is URL_USERINFO else STOP_URL, message, version)
        session = self.sessions.get(stop.session_id)
        if session is None:
            return self._row(STOP_UNKNOWN, f"no session {stop.session_id}", version)
        if session.owner not in caller.roles:
            return self._row(STOP_FOREIGN, f"session {session.id} is not a session of your Tokens", version)
        if session.status != "ACTIVE":
            return self._row(STOP_DONE, f"session {session.id} is already {session.status}", version)

        async def after() -> None:
            self.deliverer.spawn(self._run_stop(stop, session.id, caller, correlation_id, version, deadline), caller.partner)

        return self._row(STOP_OK, f"stopping session {session.id}", version, after=after)

    async def _run_stop(
        self, stop: Any, session_id: str, caller: Caller, correlation_id: str, version: str, deadline: float
    ) -> None:
        session = self.sessions.get(session_id)
        assert session is not None
        cp = next(
            sim
            for sim in self.charge_points.values()
            if any(CiString(e.uid) == session.evse_uid for e in sim.charge_point.evses)
        )
        result = (await self._ask(cp.remote_stop(session.evse_uid))).result
        text = (
            f"session {session_id} stopped"
            if result is CommandResultType.ACCEPTED
            else f"Charge Point {cp.id} did not answer in time"
        )
        # Stop first, then report: the CDR exists when the eMSP hears ACCEPTED.
        if result is CommandResultType.ACCEPTED:
            self.sessions.stop(session_id, self.clock())
        to = caller.from_party or session.owner
        await self.deliverer.post_result(
            "STOP_SESSION", stop.response_url, result, text, caller.partner, to, correlation_id, version, deadline
        )
