"""The reference CPO over HTTP (needs the ``server`` extra), one module per concern.

* ``app``: the FastAPI app, HTTP in and out, deciding nothing itself;
* ``service``: the CPO's state, handing each request to the module that serves it;
* ``credentials``: who is calling (``Authorization``, ``OCPI-from-*``, the size limit);
* ``commands``: every command of every version, and what an accepted one starts;
* ``delivery``: the one asynchronous answer per accepted command;
* ``tokens``, ``sessions``, ``versions``: the Tokens receiver, the Sessions and
  CDRs senders, the Versions module;
* ``replies``: ``Reply`` and ``CHOICES``, the table of every answer;
* ``config``, ``chargepoint``, ``demo``: the TOML configuration, the simulated
  Charge Points, and the ready demo configuration.
"""

from .app import BASE, VERSIONS_PATH, create_cpo_app, envelope
from .config import ConfigError, CpoConfig, Partner, load_config, parse_config
from .delivery import Delivery
from .demo import demo_config, demo_config_dict
from .replies import CHOICES, Caller, Choice, Reply
from .service import CpoService

__all__ = [
    "BASE",
    "CHOICES",
    "VERSIONS_PATH",
    "Caller",
    "Choice",
    "ConfigError",
    "CpoConfig",
    "CpoService",
    "Delivery",
    "Partner",
    "Reply",
    "create_cpo_app",
    "demo_config",
    "demo_config_dict",
    "envelope",
    "load_config",
    "parse_config",
]
