"""Rules that only an audit of recorded traffic can check: they are about several messages.

The single-message rules (the StartSession's, the envelope's, the CommandResult's) and the
clause's behaviour rules (``start-session.*``, ``commands.*``) are checked by the audit too;
the records here are the cross-message checks that had no record yet, and the engine's own
choices about records it cannot attribute (``audit.*``).
"""

from .model import Basis, Kind, Level, Party
from .registry import define

ONE_RESULT = define(
    id="audit.one-result",
    title="A command gets one CommandResult",
    statement=(
        "The spec speaks of the result of a command, sent to response_url once the command was "
        "ACCEPTED; it foresees no second POST for the same command, and no retry of a failed "
        "one (commands.no-retry)."
    ),
    choice=(
        "This reference reads the singular as exactly one: a second CommandResult at the same "
        "response_url is reported on the second POST. The eMSP cannot tell which one holds."
    ),
    sections={"2.1.1": "13.2.1", "2.2": "13.2.1", "2.2.1": "13.2.1", "2.3.0": "13.2.1"},
    level=Level.DEFINED,
    basis=Basis.READING,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

RESULT_WITHIN_TIMEOUT = define(
    id="audit.result-within-timeout",
    title="The CommandResult arrives within the advertised timeout",
    statement=(
        "CommandResponse.timeout is how many seconds the eMSP waits for the CommandResult; "
        "past it the eMSP may assume the result will never come (the field's definition)."
    ),
    choice=(
        "A result that arrives after the timeout the CPO itself advertised, counted from the "
        "StartSession request, comes when the eMSP may already have given up: this reference "
        "reads that as a result the CPO should not send, and reports it."
    ),
    sections={"2.2": "13.3.2", "2.2.1": "13.3.2", "2.3.0": "13.3.2"},
    level=Level.DEFINED,
    basis=Basis.READING,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

AMBIGUOUS = define(
    id="audit.ambiguous",
    title="A record that fits more than one exchange is reported, not attributed",
    statement="The spec says nothing about how a third party attributes recorded messages.",
    choice=(
        "The audit correlates by response_url, then authorization_reference, then Token, "
        "Location and time. A record that fits two or more open exchanges equally is reported "
        "with the records it could belong to, and no exchange is judged on it: a guess would "
        "give one party a verdict that rests on nothing."
    ),
    sections={"2.1.1": "13.2.2", "2.2": "13.2.2", "2.2.1": "13.2.2", "2.3.0": "13.2.2"},
    level=Level.POLICY,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.BEHAVIOUR,
)

UNMATCHED_RESULT = define(
    id="audit.unmatched-result",
    title="A CommandResult at a response_url no command named",
    statement="The spec says nothing about how a third party attributes recorded messages.",
    choice=(
        "A POST shaped like a CommandResult to a URL that no StartSession or StopSession of "
        "the recording named as its response_url (or whose exchange had already closed) "
        "belongs to no exchange; the audit reports it instead of judging it."
    ),
    sections={"2.1.1": "13.2.2", "2.2": "13.2.2", "2.2.1": "13.2.2", "2.3.0": "13.2.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)
