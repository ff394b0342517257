"""The pytest plugin: the conformance scenarios as test items of any pytest run.

Installed with the package (entry point ``pytest11``: ``ocpi_conformance``), it does nothing
until ``--ocpi-cpo URL`` is given; then each scenario becomes one item
(``ocpi-conformance::start-session.accepted``), so ``-k``, ``--junitxml`` and CI reporting work
as for any test. A failing scenario fails its item with the evidence; a skipped one skips; a
warning passes with a ``ConformanceWarning``. The scenarios share one event loop in a
background thread, where our callback server runs for the whole session.

``pytest --ocpi-cpo http://cpo.example.com/ocpi/versions --ocpi-token TOKEN --ocpi-role DE-TNM
--ocpi-location LOC-1 --ocpi-evse EVSE-1 --ocpi-callback-url http://me.example.com:9000
--ocpi-callback-port 9000 --junitxml conformance.xml``
"""

from __future__ import annotations

import asyncio
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from .model import Outcome, Scenario, Status, TesterMistake
from .probe import Probe, Target
from .secrets import Scrubber
from .suite import prepare, render_text, run_scenario, select, to_json

__all__ = ["ConformanceWarning", "ScenarioItem", "target_from_options"]

PLUGIN_NAME = "ocpi-conformance-session"


class ConformanceWarning(UserWarning):
    """A scenario passed with a warning (allowed by the spec, but worth knowing)."""


class ScenarioFailed(Exception):
    def __init__(self, outcome: Outcome, version: str) -> None:
        super().__init__(outcome.summary)
        self.outcome, self.version = outcome, version


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("ocpi-conformance", "OCPI conformance of a CPO (ocpi-ref)")
    g.addoption("--ocpi-cpo", metavar="URL", help="the Versions URL of the CPO under test; adds the conformance scenarios")
    g.addoption("--ocpi-token", metavar="TOKEN", help="our credentials token at that CPO")
    g.addoption("--ocpi-role", action="append", metavar="CC-PID", help="our role (repeatable)")
    g.addoption("--ocpi-location", metavar="ID", help="a Location the CPO offers for testing")
    g.addoption("--ocpi-evse", metavar="UID", help="an EVSE of that Location that accepts a remote start")
    g.addoption("--ocpi-connector", metavar="ID", default="1", help="a connector id for the connector scenario (default 1)")
    g.addoption("--ocpi-version", metavar="VERSION", help="the OCPI version (default: the newest both sides speak)")
    g.addoption("--ocpi-foreign-owner", metavar="CC-PID", default="FR-ZZZ", help="a party that is not us (default FR-ZZZ)")
    g.addoption("--ocpi-callback-host", default="127.0.0.1", help="where our callback listens (default 127.0.0.1)")
    g.addoption("--ocpi-callback-port", type=int, default=0, help="our callback's port (default: a free one)")
    g.addoption("--ocpi-callback-url", metavar="URL", help="our callback's base URL as the CPO reaches it")
    g.addoption("--ocpi-callback-token", metavar="TOKEN", help="the token the CPO calls us with")
    g.addoption("--ocpi-authorization", choices=("base64", "plain"), help="send our token this way whatever the version")
    g.addoption("--ocpi-silent-evse", metavar="UID", help="an EVSE of the Location that will not answer (the silent Charge Point scenario)")
    g.addoption("--ocpi-commands-url", metavar="URL", help="the commands endpoint, when discovery does not yield it")
    g.addoption("--ocpi-read-only", action="store_true", help="skip every scenario that writes")
    g.addoption("--ocpi-settle", type=float, default=2.0, metavar="SECONDS", help="how long to listen for results that should not come")
    g.addoption("--ocpi-scenario", action="append", metavar="NAME", help="run only this scenario (repeatable)")
    g.addoption("--ocpi-json", metavar="FILE", help="write the run as JSON")
    g.addoption("--ocpi-only", action="store_true", help="collect nothing but the conformance scenarios")


def target_from_options(config: pytest.Config) -> Target:
    opt = config.getoption
    missing = [name for name in ("ocpi_token", "ocpi_role", "ocpi_location") if not opt(name)]
    if missing:
        raise pytest.UsageError("--ocpi-cpo also needs " + ", ".join("--" + m.replace("_", "-") for m in missing))
    try:
        return Target(
            opt("ocpi_cpo"), opt("ocpi_token"), opt("ocpi_role"), opt("ocpi_location"), opt("ocpi_evse"),
            connector=opt("ocpi_connector"), version=opt("ocpi_version"), foreign_owner=opt("ocpi_foreign_owner"),
            callback_host=opt("ocpi_callback_host"), callback_port=opt("ocpi_callback_port"),
            callback_url=opt("ocpi_callback_url"), callback_token=opt("ocpi_callback_token"),
            authorization=opt("ocpi_authorization"), read_only=opt("ocpi_read_only"), settle=opt("ocpi_settle"),
            silent_evse=opt("ocpi_silent_evse"), commands_url=opt("ocpi_commands_url"),
        )
    except ValueError as exc:
        raise pytest.UsageError(f"ocpi conformance: {exc}") from None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ocpi_rule(*ids): the OCPI rule ids a conformance scenario demonstrates")
    if config.getoption("ocpi_cpo", None):
        config.pluginmanager.register(ConformanceRun(config), PLUGIN_NAME)


class _Loop:
    """An event loop in a daemon thread, so the callback server lives between test items."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="ocpi-conformance", daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


class ConformanceRun:
    """The session's conformance run: its target, the shared probe, every outcome."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.target = target_from_options(config)
        try:
            self.scenarios = select(config.getoption("ocpi_scenario"))
        except KeyError as exc:
            raise pytest.UsageError(str(exc.args[0])) from None
        self.outcomes: list[Outcome] = []
        self.mistake: str | None = None
        """The tester's mistake that stopped the run (exit code 2), if one did."""
        self.secrets = (self.target.token, self.target.callback_token)
        self.scrub = Scrubber(self.secrets)
        self.version = self.target.version or ""
        self.started = time.monotonic()
        self._loop: _Loop | None = None
        self._probe: Probe | None = None

    def pytest_ignore_collect(self, collection_path: Path, config: pytest.Config) -> bool | None:
        return True if config.getoption("ocpi_only") else None

    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
        ours = [ScenarioItem.from_parent(session, name=s.name, nodeid=f"ocpi-conformance::{s.name}", scenario=s, run=self) for s in self.scenarios]
        items.extend(ours)

    def run(self, scenario: Scenario) -> Outcome:
        """Run *scenario*; a tester's mistake ends the whole session with exit code 2."""
        try:
            if self._loop is None:
                self._loop = _Loop()
                self._probe = self._loop.run(Probe(self.target).__aenter__())
                self.version = self._probe.version
                self._loop.run(_prepare(self._probe, self.scenarios))
            assert self._probe is not None
            outcome = self._loop.run(run_scenario(self._probe, scenario))
        except TesterMistake as mistake:
            self.mistake = self.scrub(str(mistake))
            pytest.exit(f"ocpi conformance cannot judge this CPO: {self.mistake}", returncode=2)
        self.outcomes.append(outcome)
        return outcome

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._loop is not None:
            if self._probe is not None:
                self._loop.run(_close(self._probe))
            self._loop.close()
        path = self.config.getoption("ocpi_json")
        if path:
            extra = {"mistake": self.mistake} if self.mistake else {}
            text = to_json(self.version, self.outcomes, secrets=self.secrets, peer=self.target.versions_url, **extra)
            Path(path).write_text(text + "\n", encoding="utf-8")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.outcomes:
            terminalreporter.section("OCPI conformance")
            terminalreporter.write_line(render_text(self.version, self.outcomes, seconds=time.monotonic() - self.started, secrets=self.secrets))


async def _close(probe: Probe) -> None:
    for task in probe.prepared.values():  # a prepared scenario deselected with -k never awaited it
        task.cancel()
    await probe.__aexit__(None, None, None)


async def _prepare(probe: Probe, scenarios: list[Scenario]) -> None:
    prepare(probe, scenarios)  # on the run's loop, where the prepared tasks go on between items


class ScenarioItem(pytest.Item):
    """One conformance scenario as a pytest item."""

    def __init__(self, *, scenario: Scenario, run: ConformanceRun, **kw: Any) -> None:
        super().__init__(**kw)
        self.scenario, self.conformance = scenario, run
        self.user_properties.append(("rules", " ".join(scenario.rules)))
        self.user_properties.append(("writes", str(scenario.writes).lower()))
        self.add_marker(pytest.mark.ocpi_rule(*scenario.rules))

    def runtest(self) -> None:
        run = self.conformance
        outcome = run.run(self.scenario)
        self.user_properties.append(("status", outcome.status.value))
        self.user_properties.append(("seconds", f"{outcome.seconds:.3f}"))
        for c in outcome.checks:
            if c.status is not Status.PASS:
                self.user_properties.append(("check", run.scrub(f"{c.status.value} {c.rule or '-'} [basis: {c.basis}] {c.message}")))
        if outcome.status is Status.FAIL:
            raise ScenarioFailed(outcome, self.conformance.version)
        if outcome.status is Status.SKIP:
            pytest.skip(outcome.reason)
        if outcome.status is Status.WARN:
            warnings.warn(ConformanceWarning(run.scrub(f"{self.scenario.name}: {outcome.summary}")), stacklevel=1)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            failed = excinfo.value
            text = render_text(failed.version, [failed.outcome], secrets=self.conformance.secrets)
            return text.split("\n", 1)[1].rsplit("\n", 1)[0]
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"ocpi-conformance::{self.scenario.name}"


