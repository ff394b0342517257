"""Shared fixtures and the ``rule`` marker that ties each test to the rule ids it covers.

Tag a test with ``@pytest.mark.rule("start-session.own-tokens-only")`` (several ids allowed).
The traceability page is built from these markers; an unknown id fails collection.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import settings

from ocpi_ref import RULES
from ocpi_ref.v2_2_1.examples import spec_example


# In CI (CI=true) the property and fuzz tests run the same examples every time, so that a
# run's verdict is about the change and not about the draw; on a developer's machine they
# draw new examples each run, which is how they find what the fixed ones never reach.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(*ids): the rule ids this test covers")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for mark in item.iter_markers("rule"):
            for rule_id in mark.args:
                if rule_id not in RULES:
                    raise pytest.UsageError(f"{item.nodeid}: unknown rule id {rule_id!r}")


@pytest.fixture
def rfid_token() -> dict[str, Any]:
    """The spec's full RFID Token example (OCPI 2.2.1 examples/token_example_2_full_rfid.json)."""
    return spec_example("token_example_2_full_rfid")


@pytest.fixture
def app_token() -> dict[str, Any]:
    """The spec's APP_USER Token example (OCPI 2.2.1 examples/token_example_1_app_user.json)."""
    return spec_example("token_example_1_app_user")


@pytest.fixture
def start_session(rfid_token: dict[str, Any]) -> dict[str, Any]:
    """A conforming StartSession built around the spec's RFID Token, owned by DE-TNM."""
    return {
        "response_url": "https://emsp.example.com/ocpi/emsp/2.2.1/commands/START_SESSION/1f6e",
        "token": copy.deepcopy(rfid_token),
        "location_id": "LOC-0001",
        "evse_uid": "EVSE-0001-1",
        "connector_id": "1",
        "authorization_reference": "567890",
    }
