"""The checker's own rule: it finishes, whatever it is given."""

from .model import Kind, Level, Party
from .registry import define

INTERNAL_ERROR = define(
    id="checker.internal-error",
    title="The checker always answers",
    statement=(
        "Not a rule of the spec: the spec says nothing about the tools that check "
        "its documents."
    ),
    choice=(
        "If the checker itself fails on some input (a bug in this reference), it still returns "
        "a report, with one error finding under this id that names the failure, instead of "
        "raising. Seeing it means: please report the input."
    ),
    sections={"2.1.1": "3.1", "2.2": "4.1", "2.2.1": "4.1", "2.3.0": "4.1"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)
