"""Rules of the command flow around StartSession (OCPI 2.2.1 §13.1, §13.2)."""

from .model import Kind, Level, Party
from .registry import define

V = "2.2.1"

RESPONSE_URL_ALLOWED = define(
    id="commands.response-url-allowed",
    title="The CPO calls only response_url hosts it trusts",
    statement=(
        "response_url is chosen by the caller, so a CPO that POSTs wherever it is told can be "
        "made to call hosts inside its own network (server-side request forgery). This "
        "reference refuses, up front, a StartSession whose response_url host is not among the "
        "hosts configured for that partner."
    ),
    sections={V: "13.2.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)
