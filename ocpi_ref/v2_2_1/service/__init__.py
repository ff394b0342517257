"""The command flow over real HTTP: a reference CPO, a simulated Charge Point, a reference eMSP.

Modules, each named after what it holds:

* :mod:`.config`: the CPO's TOML configuration (partners, locations, Charge Points);
* :mod:`.chargepoint`: the simulated Charge Point behind the CPO;
* :mod:`.sessions`: minimal Session and CDR objects (only the token-related fields);
* :mod:`.cpo`: the CPO's state and flow (decide, forward, deliver one CommandResult);
* :mod:`.cpo_app`: the FastAPI app that translates HTTP to :mod:`.cpo` and back;
* :mod:`.emsp_client`: the reference eMSP (StartSession sender and callback server);
* :mod:`.servers`: running an app on loopback in a thread or task;
* :mod:`.cli`: the ``ocpi-ref cpo`` and ``ocpi-ref emsp`` subcommands.

FastAPI, uvicorn, httpx and aiohttp (the ``server`` extra) are imported only by the modules
that need them, so ``import ocpi_ref`` works without them.
"""
