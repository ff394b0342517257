"""The command flow over real HTTP: a reference CPO, a simulated Charge Point, a reference eMSP.

The commands of OCPI 2.1.1, 2.2, 2.2.1 and 2.3.0 are served, each with its version's models
and rules; Tokens, Sessions and CDRs in 2.2.1. Modules, each named after what it holds:

* :mod:`.config`: the CPO's TOML configuration (partners, locations, Charge Points);
* :mod:`.authorization_header`: the ``Authorization: Token`` header by version and partner;
* :mod:`.versions_module`: the Versions module (which versions, which modules in each);
* :mod:`.chargepoint`: the simulated Charge Point behind the CPO;
* :mod:`.sessions`: minimal Session and CDR objects (only the token-related fields);
* :mod:`.cpo_service`: the CPO's state and flow (decide, forward, deliver one answer);
* :mod:`.cpo_app`: the FastAPI app that translates HTTP to :mod:`.cpo_service` and back;
* :mod:`.emsp_client`: the reference eMSP (discovery, StartSession sender, callback server);
* :mod:`.servers`: running an app on loopback in a thread or task;
* :mod:`.harness`: the CPO and one eMSP per partner on loopback, for tests and demos;
* :mod:`.demo`: the ready configuration tests, the book and the benchmark use;
* :mod:`.cli`: the ``ocpi-ref cpo`` and ``ocpi-ref emsp`` subcommands.

FastAPI, uvicorn, httpx and aiohttp (the ``server`` extra) are imported only by the modules
that need them, so ``import ocpi_ref`` works without them.
"""
