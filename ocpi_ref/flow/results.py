"""What the Charge Point answered, and the asynchronous result the CPO reports for it.

:data:`RESULTS` is the table (``commands.result-from-charge-point`` and the rules beside it):
each row maps one answer of the Charge Point onto the CommandResult of OCPI 2.2 and later and
onto 2.1.1's CommandResponseType, which has no FAILED, EVSE_OCCUPIED or EVSE_INOPERATIVE:
there the Charge Point not doing what was asked can only be REJECTED (and 2.1.1 has no message
field, so the reason is only in the CPO's log). The reference CPO reads its answers from here
and the book renders the same rows, so the table is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..rules.commands import (
    ACCEPTED_WITHOUT_CAR,
    RESULT_FROM_CHARGE_POINT,
    TIMEOUT_WHEN_SILENT,
)
from ..v2_1_1 import CommandResponseType as CommandResponseType211
from ..v2_2_1.enums import CommandResultType

__all__ = ["RESULTS", "Answer", "ResultRow", "result_for", "v211_result"]


class Answer(str, Enum):
    """What the Charge Point tells the CPO (OCPP-like, not OCPI)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    OCCUPIED = "Occupied"
    FAULTED = "Faulted"


@dataclass(frozen=True)
class ResultRow:
    """One row: the Charge Point's *answer* (``None``: silent past the deadline) and its results.

    ``text`` is the START_SESSION CommandResult message (``{cp}``: Charge Point id, ``{evse}``:
    EVSE uid); ``car`` is false for the row that only describes an accepted start after which
    no car plugs in (same results, no Session).
    """

    situation: str
    answer: Answer | None
    result: CommandResultType
    v211: CommandResponseType211
    rule: str
    text: str
    car: bool = True


RESULTS: tuple[ResultRow, ...] = (
    ResultRow("accepts (car plugs in: a Session follows)", Answer.ACCEPTED, CommandResultType.ACCEPTED,
              CommandResponseType211.ACCEPTED, RESULT_FROM_CHARGE_POINT.id,
              "Charge Point {cp} accepted the remote start on EVSE {evse}"),
    ResultRow("accepts, no car ever plugs in (no Session)", Answer.ACCEPTED, CommandResultType.ACCEPTED,
              CommandResponseType211.ACCEPTED, ACCEPTED_WITHOUT_CAR.id,
              "Charge Point {cp} accepted the remote start on EVSE {evse}", car=False),
    ResultRow("refuses the remote start", Answer.REJECTED, CommandResultType.FAILED,
              CommandResponseType211.REJECTED, RESULT_FROM_CHARGE_POINT.id,
              "Charge Point {cp} refused the remote start"),
    ResultRow("answers that the EVSE is occupied", Answer.OCCUPIED, CommandResultType.EVSE_OCCUPIED,
              CommandResponseType211.REJECTED, RESULT_FROM_CHARGE_POINT.id, "EVSE {evse} is occupied"),
    ResultRow("answers that the EVSE is faulted", Answer.FAULTED, CommandResultType.EVSE_INOPERATIVE,
              CommandResponseType211.REJECTED, RESULT_FROM_CHARGE_POINT.id, "EVSE {evse} is out of order"),
    ResultRow("stays silent past the CPO's charge_point_deadline", None, CommandResultType.TIMEOUT,
              CommandResponseType211.TIMEOUT, TIMEOUT_WHEN_SILENT.id,
              "Charge Point {cp} did not answer in time"),
)

_BY_ANSWER = {row.answer: row for row in RESULTS if row.car}
_V211 = {row.result: row.v211 for row in RESULTS}


def result_for(answer: Answer | None) -> ResultRow:
    """The row for the Charge Point's *answer* (``None``: it stayed silent)."""
    return _BY_ANSWER[answer]


def v211_result(result: CommandResultType) -> CommandResponseType211:
    """*result* as OCPI 2.1.1's CommandResponseType (the 2.1.1 column of :data:`RESULTS`)."""
    return _V211[result]
