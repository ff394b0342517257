"""A ``commands.*`` rule of the headers a command's result repeats (kept apart from
:mod:`.commands` for its size; :mod:`.commands` imports it, so it is found there)."""

from .model import Kind, Level, Party
from .registry import define

CORRELATION_ID_TRAVELS = define(
    id="commands.correlation-id-travels",
    title="A command whose X-Correlation-ID cannot travel in a header is refused at receipt",
    statement=(
        "Every request and response carries an X-Correlation-ID, and the asynchronous "
        "answer keeps the value of the request it answers; the spec does not restrict its characters."
    ),
    choice=(
        "The CommandResult POST repeats the command's X-Correlation-ID (its X-Request-ID when it "
        "has none). A value with a character outside printable ASCII (a control character, or "
        "any byte over 0x7E, which arrives decoded as Latin-1 and would leave re-encoded) cannot "
        "be sent back unchanged, so the result would be lost or carry another id: such a "
        "StartSession or StopSession is refused at once (REJECTED, status 2000) instead of "
        "accepted. OCPI 2.1.1 has no such header, but the answer repeats whatever the command "
        "carried, so the same holds there."
    ),
    sections={"2.1.1": "3", "2.2": "4.2", "2.2.1": "4.2", "2.3.0": "4.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)
