"""Discovery: the version list, the version details, the commands endpoint (OCPI 2.2.1 §6)."""

from __future__ import annotations

from ...findings import Severity
from ...objects import check_version_details, check_version_list
from ...rules.objects import COMMANDS_ENDPOINT
from ..model import Skip, scenario

ENVELOPE, DATA = "commands.response-envelope", "object.envelope-data"


@scenario("discovery.version-list", "the version list: HTTP 200, a conforming envelope, one or more Versions", DATA, ENVELOPE)
async def version_list(t) -> None:
    ex = t.probe.version_list
    if not t.reached(ex):
        return
    t.expect(ex.status == 200, ENVELOPE, f"GET versions: HTTP {ex.status}", ex)
    t.findings(check_version_list(ex.response_body or "", version=t.version), "version list", ex, DATA)


@scenario("discovery.version-details", "the details of our version: HTTP 200, a conforming envelope and endpoints", DATA, ENVELOPE)
async def version_details(t) -> None:
    ex = t.probe.details
    if ex is None:
        raise Skip(t.probe.discovery_problem or "no version details to read")
    if not t.reached(ex):
        return
    t.expect(ex.status == 200, ENVELOPE, f"GET version details: HTTP {ex.status}", ex)
    report = check_version_details(ex.response_body or "", version=t.version, commands=False)
    t.findings(report, "version details", ex, DATA)


@scenario("discovery.commands-endpoint", "the details list the commands endpoint (RECEIVER from 2.2 on)", COMMANDS_ENDPOINT.id)
async def commands_endpoint(t) -> None:
    ex = t.probe.details
    if ex is None or ex.error is not None:
        raise Skip(t.probe.discovery_problem or "no version details to read")
    report = check_version_details(ex.response_body or "", version=t.version)
    # The checker words a missing endpoint at the level its record gives (a warning: modules are
    # optional), so every finding of the rule counts here, and fail() decides FAIL or WARN from it.
    missing = [f for f in report.findings if f.rule == COMMANDS_ENDPOINT.id and f.severity is not Severity.INFO]
    for f in missing:
        t.fail(COMMANDS_ENDPOINT.id, f"version details {f.pointer}: {f.message}", ex)
    if not missing and t.probe.listed_commands:
        t.ok(COMMANDS_ENDPOINT.id, f"commands at {t.probe.endpoints['commands']}", ex)
    elif missing and "commands" in t.probe.endpoints:
        t.warn(None, f"discovery does not list the commands endpoint; the run uses --commands-url {t.probe.endpoints['commands']}", ex)
    elif not missing:
        t.fail(COMMANDS_ENDPOINT.id, "the commands endpoint could not be read from the version details", ex)
