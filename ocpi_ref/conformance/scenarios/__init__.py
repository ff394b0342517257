"""The scenarios, registered in run order: discovery and transport (read-only), commands
(StartSession in its situations; they write), then the Sessions, Tokens and CDRs that follow."""

from . import discovery, transport  # noqa: F401 - read-only first
from . import commands  # noqa: F401 - StartSession, writes
from . import sessions  # noqa: F401 - what the accepted StartSession left, writes
from . import late  # noqa: F401 - runs last: what arrived that we never asked for

__all__: list[str] = []
