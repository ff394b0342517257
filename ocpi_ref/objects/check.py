"""Checkers for every object of the StartSession exchange besides StartSession itself.

Each ``check_*`` takes bytes, text or a parsed JSON value, never raises on any input, and
returns the same :class:`~ocpi_ref.Report` as :func:`~ocpi_ref.check_start_session`:
every finding with its rule id and RFC 6901 pointer. An object inside an envelope is pointed
at under ``/data``.

* :func:`check_envelope`: the response envelope (OCPI 2.2.1 §4.1.7): status_code,
  status_message, timestamp, and the shape of data when asked;
* :func:`check_command_response`: an envelope whose data is one CommandResponse (§13.3.2);
* :func:`check_command_result`: a CommandResult POSTed to response_url, bare (§13.3.3); in
  2.1.1 the asynchronous CommandResponse;
* :func:`check_token`: a Token (§12.3.2);
* :func:`check_version_list`: the version list envelope (§6.1);
* :func:`check_version_details`: a version details envelope (§6.2), with the commands
  endpoint a CPO must list (``object.commands-endpoint``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..checker import check_start_session, internal_error
from ..members import open_enum_values, unknown_fields
from ..errors import findings_from_error
from ..findings import Finding, Severity, pointer
from ..report import Report
from ..jsondoc import json_type_name, load
from ..rules.commands import RESULT_BARE_BODY, V211_RESPONSE_EITHER_SHAPE
from ..rules.objects import COMMANDS_ENDPOINT, ENVELOPE_DATA
from ..rules.types import JSON_TYPE, REQUIRED
from ..specs import spec
from ..versions import DEFAULT_VERSION, version_key
from .models import Version, VersionDetails, VersionDetails211
from .values import data_type_findings, markup_findings, status_code_findings, version_number_findings

__all__ = [
    "OBJECTS",
    "check_command_response",
    "check_command_result",
    "check_envelope",
    "check_object",
    "check_token",
    "check_version_details",
    "check_version_list",
    "render",
]

#: What ``data`` must be in a successful answer: one object, a list, or a non-empty list.
OBJECT, LIST, NON_EMPTY = "object", "list", "non-empty list"


def _error(rule: str, where: str, message: str) -> Finding:
    return Finding(rule, Severity.ERROR, where, message)


def _rebased(findings: Any, where: str) -> list[Finding]:
    return [Finding(f.rule, f.severity, where + f.pointer, f.message) for f in findings]


def _model(value: Any, model: type[BaseModel], version: str, where: str, name: str) -> list[Finding]:
    """Every finding of *value* against *model*, pointed at under *where*."""
    if not isinstance(value, Mapping):
        return [_error(JSON_TYPE.id, where, f"a {name} is a JSON object, got {json_type_name(value)}")]
    findings: list[Finding] = []
    try:
        model.model_validate(value)
    except ValidationError as exc:
        findings.extend(_rebased(findings_from_error(model, exc), where))
    findings.extend(unknown_fields(value, model, where, version=version))
    if spec(version).open_enums:
        findings.extend(_rebased(open_enum_values(value, model), where))
    return findings


def _guarded(version: str, run: Callable[[], list[Finding]]) -> Report:
    version_key(version)  # an unknown version is the caller's mistake: it raises
    try:
        return Report(version, tuple(run()))
    except Exception as exc:  # noqa: BLE001 - a checker answers, whatever the input
        return Report(version, (internal_error(exc),), False)


def _loaded(data: Any) -> tuple[Any, list[Finding], bool]:
    loaded = load(data)
    return loaded.value, list(loaded.findings), loaded.usable


def _envelope(doc: Any, version: str, expect: str | None, what: str) -> tuple[list[Finding], Any, bool]:
    """Findings of the envelope itself; its data; whether data should hold *what*."""
    if not isinstance(doc, Mapping):
        return [_error(JSON_TYPE.id, "", f"a response is an OCPI envelope (a JSON object), got {json_type_name(doc)}")], None, False
    findings = _model(doc, _ENVELOPES[version], version, "", "response envelope")
    status = doc.get("status_code")
    findings.extend(status_code_findings(status, version))
    success = isinstance(status, int) and not isinstance(status, bool) and 1000 <= status < 2000
    data = doc.get("data")
    typed = data_type_findings(doc, success)
    findings.extend(typed)
    if not success or expect is None or typed:
        return findings, data, False
    where = pointer("data")
    if expect == LIST and data is None:
        return findings, data, False  # a * list may be null or omitted (cardinality, §2.8)
    if "data" not in doc or data is None:
        findings.append(_error(ENVELOPE_DATA.id, where, f"status_code {status} is a success, but data is absent: the answer is {what}"))
        return findings, data, False
    if expect == OBJECT and not isinstance(data, Mapping):
        shape = f"a list of {len(data)}" if isinstance(data, list) else json_type_name(data)
        findings.append(_error(ENVELOPE_DATA.id, where, f"data is {shape}; the answer is {what}, one JSON object"))
        return findings, data, False
    if expect in (LIST, NON_EMPTY):
        if not isinstance(data, list):
            findings.append(_error(ENVELOPE_DATA.id, where, f"data is {json_type_name(data)}; the answer is {what}, a JSON array"))
            return findings, data, False
        if expect == NON_EMPTY and not data:
            findings.append(_error(ENVELOPE_DATA.id, where, f"data is an empty array; the answer is {what} (cardinality +)"))
    return findings, data, True


def _build_envelopes() -> dict[str, type[BaseModel]]:
    from .. import v2_1_1, v2_2, v2_2_1, v2_3_0

    return {m.SPEC.version: m.OcpiResponse for m in (v2_1_1, v2_2, v2_2_1, v2_3_0)}


_ENVELOPES = _build_envelopes()


def check_envelope(data: Any, *, version: str = DEFAULT_VERSION, expect: str | None = None) -> Report:
    """The response envelope of *version*; with *expect* (``object``, ``list``, ``non-empty
    list``) also the shape of ``data`` in a success answer (``object.envelope-data``)."""

    def run() -> list[Finding]:
        doc, findings, usable = _loaded(data)
        if usable:
            findings.extend(_envelope(doc, version, expect, f"{expect or 'any'} data")[0])
        return findings

    return _guarded(version, run)


def _command_response_in(value: Any, version: str, where: str) -> list[Finding]:
    model = spec(version).command_response
    if version == "2.1.1" and isinstance(value, str):
        note = Finding(V211_RESPONSE_EITHER_SHAPE.id, Severity.INFO, where, "a bare CommandResponseType string, read as {\"result\": ...}")
        # The findings point into the document as sent: the string itself, not a /result it lacks.
        read = _model({"result": value}, model, version, where, "CommandResponse")
        inner = where + "/result"
        return [note, *(Finding(f.rule, f.severity, where if f.pointer == inner else f.pointer, f.message) for f in read)]
    return _model(value, model, version, where, "CommandResponse") + _markup(value, where)


def _markup(value: Any, where: str) -> list[Finding]:
    """Markup in the DisplayTexts of an object's ``message`` (``object.display-text-no-markup``)."""
    return markup_findings(value.get("message"), where + "/message") if isinstance(value, Mapping) else []


def check_command_response(data: Any, *, version: str = DEFAULT_VERSION) -> Report:
    """A command POST's answer: the envelope, and one CommandResponse as its data."""

    def run() -> list[Finding]:
        doc, findings, usable = _loaded(data)
        if not usable:
            return findings
        inner = OBJECT if not (version == "2.1.1" and isinstance(doc, Mapping) and isinstance(doc.get("data"), str)) else None
        more, value, read = _envelope(doc, version, inner, "one CommandResponse")
        findings.extend(more)
        if read or inner is None and isinstance(value, str):
            findings.extend(_command_response_in(value, version, pointer("data")))
        return findings

    return _guarded(version, run)


def _looks_wrapped(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "status_code" in doc and "result" not in doc


def check_command_result(data: Any, *, version: str = DEFAULT_VERSION) -> Report:
    """The asynchronous answer POSTed to response_url: a bare CommandResult (in 2.1.1 a
    CommandResponse, either shape). An envelope around it is ``commands.result-bare-body``."""

    def run() -> list[Finding]:
        doc, findings, usable = _loaded(data)
        if not usable:
            return findings
        where = ""
        if _looks_wrapped(doc):
            findings.append(_error(RESULT_BARE_BODY.id, "", "the body is a response envelope; a CommandResult is POSTed bare, as the body itself"))
            doc, where = doc.get("data"), pointer("data")
        if version == "2.1.1":
            findings.extend(_command_response_in(doc, version, where))
        else:
            result_model = spec(version).command_result
            assert result_model is not None
            findings.extend(_model(doc, result_model, version, where, "CommandResult"))
            findings.extend(_markup(doc, where))
        return findings

    return _guarded(version, run)


def check_token(data: Any, *, version: str = DEFAULT_VERSION) -> Report:
    """A Token of *version* (OCPI 2.2.1 §12.3.2; 2.1.1 §12.3.2 has no owner fields)."""

    def run() -> list[Finding]:
        doc, findings, usable = _loaded(data)
        if usable:
            findings.extend(_model(doc, spec(version).token, version, "", "Token"))
        return findings

    return _guarded(version, run)


def check_version_list(data: Any, *, version: str = DEFAULT_VERSION) -> Report:
    """The version list (OCPI 2.2.1 §6.1): an envelope whose data is one or more Versions."""

    def run() -> list[Finding]:
        doc, findings, usable = _loaded(data)
        if not usable:
            return findings
        where: tuple[str, ...] = ("data",)
        if version in TABLE_SHAPED_VERSIONS and _table_shaped(doc):
            # 2.1.1 and 2.2 draw data as an object with a 'versions' list; their examples, and
            # 2.2.1 on, send the bare list: both conform there (object.envelope-data's reading).
            findings.append(Finding(ENVELOPE_DATA.id, Severity.INFO, pointer("data"), f"data is {{\"versions\": [...]}}, as the OCPI {version} Data table shows; its examples and later versions send the bare list"))
            doc, where = {**doc, "data": doc["data"]["versions"]}, ("data", "versions")
        more, value, read = _envelope(doc, version, NON_EMPTY, "a list of Version objects")
        findings.extend(Finding(f.rule, f.severity, f.pointer.replace("/data", pointer(*where), 1), f.message) for f in more)
        for i, item in enumerate(value if read else ()):
            findings.extend(_model(item, Version, version, pointer(*where, i), "Version"))
            if isinstance(item, Mapping):
                findings.extend(version_number_findings(item.get("version"), version, pointer(*where, i, "version")))
        return findings

    return _guarded(version, run)


#: The versions whose version list Data table shows data as ``{"versions": [...]}``.
TABLE_SHAPED_VERSIONS = ("2.1.1", "2.2")


def _table_shaped(doc: Any) -> bool:
    data = doc.get("data") if isinstance(doc, Mapping) else None
    return isinstance(data, Mapping) and isinstance(data.get("versions"), list)


def check_version_details(data: Any, *, version: str = DEFAULT_VERSION, commands: bool = True) -> Report:
    """A version details answer (OCPI 2.2.1 §6.2); with *commands*, also that it lists the
    commands endpoint a CPO receives commands at (``object.commands-endpoint``)."""

    def run() -> list[Finding]:
        doc, findings, usable = _loaded(data)
        if not usable:
            return findings
        more, value, read = _envelope(doc, version, OBJECT, "one version details object")
        findings.extend(more)
        if not read:
            return findings
        model = VersionDetails211 if version == "2.1.1" else VersionDetails
        findings.extend(_model(value, model, version, pointer("data"), "version details object"))
        findings.extend(version_number_findings(value.get("version"), version, pointer("data", "version")))
        endpoints = value.get("endpoints")
        where = pointer("data", "endpoints")
        if isinstance(endpoints, list) and not endpoints:
            findings.append(_error(REQUIRED.id, where, "endpoints is a required list (cardinality +): at least one Endpoint"))
        if commands and isinstance(endpoints, list):
            findings.extend(_commands_endpoint(endpoints, version, where))
        return findings

    return _guarded(version, run)


def _commands_endpoint(endpoints: list[Any], version: str, where: str) -> list[Finding]:
    """A warning, never an error: no sentence requires a party to implement Commands."""
    listed = [e for e in endpoints if isinstance(e, Mapping) and e.get("identifier") == "commands"]
    if not listed:
        return [Finding(COMMANDS_ENDPOINT.id, Severity.WARNING, where, f"no commands endpoint: an eMSP cannot send this party a StartSession in OCPI {version} (modules are optional, so the document conforms)")]
    if version == "2.1.1" or any(e.get("role") == "RECEIVER" for e in listed):
        return []
    roles = ", ".join(str(e.get("role")) for e in listed)
    return [Finding(COMMANDS_ENDPOINT.id, Severity.WARNING, where, f"the commands endpoint has role {roles}; a CPO that takes commands lists it as RECEIVER")]


#: Every object ``ocpi-ref check --object`` knows, by name.
OBJECTS: dict[str, Callable[..., Report]] = {
    "start-session": check_start_session,
    "envelope": check_envelope,
    "command-response": check_command_response,
    "command-result": check_command_result,
    "token": check_token,
    "version-list": check_version_list,
    "version-details": check_version_details,
}

_TITLES = {
    "start-session": "StartSession",
    "envelope": "response envelope",
    "command-response": "CommandResponse in its envelope",
    "command-result": "CommandResult",
    "token": "Token",
    "version-list": "version list",
    "version-details": "version details",
}


def check_object(kind: str, data: Any, *, version: str = DEFAULT_VERSION) -> Report:
    """Check *data* as the object named *kind* (a key of ``OBJECTS``)."""
    return OBJECTS[kind](data, version=version)


def render(report: Report, kind: str) -> str:
    """The report as text, headed with the object's name (``Report`` itself says StartSession)."""
    text = str(report)
    head, _, rest = text.partition("\n")
    head = head.replace("StartSession", _TITLES[kind], 1)
    return head + ("\n" + rest if rest else "")
