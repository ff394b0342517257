"""Every rule this reference knows, by id.

Where a rule lives follows from its id: ``json.*`` in :mod:`.json`, ``type.*`` and
``field.*`` in :mod:`.types`, ``start-session.*`` in :mod:`.start_session`,
``commands.*`` in :mod:`.commands` (the transport ones in :mod:`.transport`), ``conformance.*`` (what the
conformance suite and the judge check where no other record decides) in :mod:`.conformance`, ``convert.*`` in :mod:`.convert`, ``object.*`` in
:mod:`.objects`, ``audit.*`` in :mod:`.audit`.
"""

from . import audit as _audit  # noqa: F401 - defines audit.*
from . import checker as _checker  # noqa: F401 - defines checker.*
from . import commands as _commands  # noqa: F401 - defines commands.*
from . import conformance as _conformance  # noqa: F401 - defines conformance.*
from . import convert as _convert  # noqa: F401 - defines convert.*
from . import json as _json  # noqa: F401 - defines the json.* rules
from . import objects as _objects  # noqa: F401 - defines object.*
from . import start_session as _start_session  # noqa: F401 - defines start-session.*
from . import types as _types  # noqa: F401 - defines type.* and field.*
from .model import OBLIGATIONS, Basis, Kind, Level, Party, Rule
from .registry import RULES, get_rule

__all__ = ["OBLIGATIONS", "RULES", "Basis", "Kind", "Level", "Party", "Rule", "get_rule"]
