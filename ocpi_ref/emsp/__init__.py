"""The reference eMSP over HTTP (needs the ``server`` extra).

* ``client``: discovery through the CPO's Versions module, then StartSession and
  StopSession, each waiting for its asynchronous answer at most as long as the CPO said;
* ``callback``: the endpoint those answers arrive at, and the tracker that matches them.
"""

from .callback import CALLBACK_PATH, Arrival, CommandTracker, callback_path, create_callback_app
from .client import DEFAULT_RESULT_WAIT, DiscoveryError, EmspClient, Exchange, token_header

__all__ = [
    "CALLBACK_PATH",
    "DEFAULT_RESULT_WAIT",
    "Arrival",
    "CommandTracker",
    "DiscoveryError",
    "EmspClient",
    "Exchange",
    "callback_path",
    "create_callback_app",
    "token_header",
]
