"""Rules the conformance suite and the judge check where no other record decides (``conformance.*``).

A check of another party's system cites the rule that decides it; where the clause's own
records do not (the request ids on a request the CPO itself makes, the class of a refusal's
status code, the 2003 the spec shows only in an example, what the suite refuses to read), the
check gets one of these records, with the spec's sentence, its keyword as written, the basis
and the party bound. Every record here is cited by a scenario of :mod:`ocpi_ref.conformance`
or by :mod:`ocpi_ref.cpo.judge`, and explained in the book's "Test your own CPO or eMSP" page.
"""

from .model import Basis, Kind, Level, Party
from .registry import define

REQUEST_IDS_ON_REQUESTS = define(
    id="conformance.request-ids-on-requests",
    title="Every request carries X-Request-ID and X-Correlation-ID",
    statement=(
        "Every request carries a unique X-Request-ID and an X-Correlation-ID: this binds "
        "whoever sends the request, so the CPO's own CommandResult POST to the eMSP carries "
        "them as much as the eMSP's command does."
    ),
    sections={"2.2": "4.2", "2.2.1": "4.2", "2.3.0": "4.2"},
    level=Level.SHALL,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.BEHAVIOUR,
    quote="Every request SHALL contain a unique request ID",
    basis=Basis.SENTENCE,
    keyword="SHALL",
)

CLIENT_ERROR_CLASS = define(
    id="conformance.client-error-class",
    title="A request the receiver cannot process gets a 2xxx status code",
    statement=(
        "The status codes chapter defines the 2xxx class as client errors, data sent by the "
        "client that the server cannot process, and names 2001 (invalid or missing parameters) "
        "in it. No sentence requires one particular code of the class for a given refusal."
    ),
    sections={"2.1.1": "4.2", "2.2": "5.2", "2.2.1": "5.2", "2.3.0": "5.2"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    basis=Basis.DEFINITION,
)

UNKNOWN_LOCATION_STATUS = define(
    id="conformance.unknown-location-status",
    title="An unknown Location is answered with 2003 in the spec's example",
    statement=(
        "Status 2003 means Unknown Location; the status codes table gives a START_SESSION "
        "with an unknown location as its example, and the unlock sequence diagram shows 2003 "
        "with REJECTED. No sentence requires 2003: another 2xxx code conforms."
    ),
    sections={"2.1.1": "4.2", "2.2": "5.2", "2.2.1": "5.2", "2.3.0": "5.2"},
    level=Level.EXAMPLE,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    basis=Basis.EXAMPLE,
)

UNKNOWN_EVSE_REFUSED = define(
    id="conformance.unknown-evse-refused",
    title="A StartSession for an EVSE the CPO does not have is not ACCEPTED",
    statement=(
        "evse_uid names an EVSE of the given Location (the field table's definition). The "
        "spec has no sentence on an unknown one; a CPO that ACCEPTs it promises a result for "
        "a Charge Point that does not exist."
    ),
    choice=(
        "The suite reads ACCEPTED for an unknown EVSE as a warning (our reading), and any "
        "refusal at OCPI level (HTTP 200, not ACCEPTED) as right, whatever 2xxx code it has."
    ),
    sections={"2.1.1": "13.3.3", "2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    basis=Basis.READING,
)

ANSWER_LIMITS = define(
    id="conformance.answer-limits",
    title="The suite and the eMSP read a bounded answer in a bounded time",
    statement=(
        "The spec sets no limit on the size of an answer or on the time it takes to arrive."
    ),
    choice=(
        "The suite and the reference eMSP read at most 4 MiB of any answer and wait at most "
        "the request timeout (10 s by default) for the whole of it, headers and body; a larger "
        "or slower answer is a finding ('answer too large', 'no answer within'), never a hang."
    ),
    sections={"2.1.1": "3", "2.2": "4", "2.2.1": "4", "2.3.0": "4"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    basis=Basis.CHOICE,
)
