"""Small readers the scenarios share: an answer's status code, CommandResponse and timeout."""

from __future__ import annotations

from typing import Any

from ..model import Exchange, TesterMistake

__all__ = ["command_result", "roles_taken", "status_code", "timestamp_of"]


def _body(ex: Exchange) -> dict[str, Any]:
    body = ex.json()
    return body if isinstance(body, dict) else {}


def status_code(ex: Exchange) -> Any:
    return _body(ex).get("status_code")


def timestamp_of(ex: Exchange) -> Any:
    return _body(ex).get("timestamp")


def command_result(ex: Exchange) -> tuple[str | None, Any]:
    """The CommandResponse's result and timeout, read leniently (a list of one, a bare 2.1.1
    string): the scenario that judges the CommandResponse's shape is ``start-session.accepted``,
    so the others still read what the peer meant."""
    data = _body(ex).get("data")
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if isinstance(data, str):
        return data, None
    if isinstance(data, dict):
        result = data.get("result")
        return (result if isinstance(result, str) else None), data.get("timeout")
    return None, None


def roles_taken(t, ex: Exchange) -> None:
    """A 403 to our credentials (accepted at discovery) with our role, or answers addressed to
    another party, say the tester's --role does not match what the CPO holds for them."""
    if t.version == "2.1.1":
        return
    ours = ", ".join(map(str, t.probe.target.parties))
    if ex.status == 403:
        raise TesterMistake(f"the CPO refused our command with HTTP 403 although it took our credentials at discovery: "
                            f"does it hold another role for them than {ours}? check --role")
    cc, pid = ex.header("ocpi-to-country-code"), ex.header("ocpi-to-party-id")
    if cc and pid and not any(cc.upper() == str(p.country_code) and pid.upper() == str(p.party_id) for p in t.probe.target.parties):
        raise TesterMistake(f"the CPO addresses its answer to {cc}-{pid}, not to our role {ours}: check --role")
