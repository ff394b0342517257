"""Values the field tables type only loosely, each decided by a sentence of the spec.

* :func:`status_code_findings`: a status_code is one the version lists, or in a reserved custom
  range (``object.status-code-listed``, ``object.status-code-custom``; status codes §5);
* :func:`data_type_findings`: ``data`` is an Array, an Object or a String (the envelope's table,
  ``type.json``); on an error answer ``data`` is unspecified, so another type only warns;
* :func:`markup_findings`: a DisplayText's text has no markup (``object.display-text-no-markup``);
* :func:`version_number_findings`: a version number is one the version lists
  (``object.version-number``; VersionNumber is an enum in 2.2 and 2.2.1, an OpenEnum in 2.3.0).

Where the text leaves room, the finding is a warning and its rule's record says the reading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.entities import html5
from typing import Any

from ..findings import Finding, Severity, pointer
from ..jsondoc import json_type_name
from ..rules.objects import (
    DISPLAY_TEXT_NO_MARKUP,
    ENVELOPE_DATA,
    STATUS_CODE_CUSTOM,
    STATUS_CODE_LISTED,
    VERSION_NUMBER,
)
from ..rules.types import JSON_TYPE
from ..versions import VERSIONS

__all__ = ["data_type_findings", "markup_findings", "status_code_findings", "version_number_findings"]

_V2_2 = frozenset({1000, 2000, 2001, 2002, 2003, 2004, 3000, 3001, 3002, 3003, 4001, 4002, 4003})
#: The status codes each version lists (2.1.1 chapter 4; 2.2 and later §5).
STATUS_CODES: dict[str, frozenset[int]] = {
    "2.1.1": frozenset({1000, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003}),
    "2.2": _V2_2,
    "2.2.1": _V2_2 | {4000},
    "2.3.0": _V2_2 | {4000},
}
#: The ranges reserved for custom codes, 2.2 and later.
CUSTOM_RANGES = (range(1900, 2000), range(2900, 3000), range(3900, 4000), range(4900, 5000))

#: The VersionNumber values each version lists (2.1.1: as its changelog and notes give them).
VERSION_NUMBERS: dict[str, tuple[str, ...]] = {
    "2.1.1": ("2.0", "2.1", "2.1.1"),
    "2.2": ("2.0", "2.1", "2.1.1", "2.2"),
    "2.2.1": ("2.0", "2.1", "2.1.1", "2.2", "2.2.1"),
    "2.3.0": ("2.0", "2.1", "2.1.1", "2.2", "2.2.1", "2.3.0"),
}

#: An HTML or XML tag, comment, declaration or processing instruction, or a character reference
#: (numeric, or a name HTML defines: ``&amp;`` is one, the ``&B;`` of "A&B;" is not).
MARKUP = re.compile(
    r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<!--|<![A-Za-z]|<\?[A-Za-z]"
    r"|&#[0-9]+;|&#[xX][0-9A-Fa-f]+;|&(?P<name>[A-Za-z][A-Za-z0-9]*);"
)


def _markup(text: str) -> str | None:
    """The first piece of markup in *text*, or None."""
    for found in MARKUP.finditer(text):
        name = found.group("name")
        if name is None or f"{name};" in html5:
            return found.group()
    return None


def status_code_findings(status: Any, version: str) -> list[Finding]:
    """A listed code: nothing; a custom one (2.2+): a warning; any other four-digit code: an error
    (in 2.1.1, whose lists may be open, a warning). Other values are the type rules' to report."""
    if not isinstance(status, int) or isinstance(status, bool) or not 1000 <= status <= 9999:
        return []
    if status in STATUS_CODES[version]:
        return []
    where = pointer("status_code")
    if version != "2.1.1" and any(status in r for r in CUSTOM_RANGES):
        return [Finding(STATUS_CODE_CUSTOM.id, Severity.WARNING, where,
                        f"{status} is in a range reserved for custom status codes; a standard module "
                        "defines none there, so its meaning is the sender's own")]
    listed = ", ".join(str(c) for c in sorted(STATUS_CODES[version]))
    severity = Severity.WARNING if version == "2.1.1" else Severity.ERROR
    custom = "" if version == "2.1.1" else " or a reserved custom range (19xx, 29xx, 39xx, 49xx)"
    return [Finding(STATUS_CODE_LISTED.id, severity, where,
                    f"{status} is not a status code of OCPI {version}: the codes are {listed}{custom}")]


def data_type_findings(doc: Mapping[str, Any], success: bool) -> list[Finding]:
    """``data``, when set, is an Array, an Object or a String; on an error answer another type
    only warns, since data is then 'unspecified' (status codes §5)."""
    data = doc.get("data")
    if data is None or isinstance(data, (list, dict, str)):
        return []
    got = json_type_name(data)
    if success:
        return [Finding(JSON_TYPE.id, Severity.ERROR, pointer("data"),
                        f"data is {got}; the envelope's data is an Array, an Object or a String")]
    return [Finding(ENVELOPE_DATA.id, Severity.WARNING, pointer("data"),
                    f"data is {got}: unspecified on an error answer, but the envelope's data is an "
                    "Array, an Object or a String")]


def markup_findings(value: Any, where: str) -> list[Finding]:
    """Each DisplayText in *value* (a ``message`` list) whose text has markup."""
    if not isinstance(value, list):
        return []
    out = []
    for i, item in enumerate(value):
        text = item.get("text") if isinstance(item, Mapping) else None
        if isinstance(text, str) and (found := _markup(text)) is not None:
            out.append(Finding(DISPLAY_TEXT_NO_MARKUP.id, Severity.ERROR, f"{where}/{i}/text",
                               f"the text has markup ({found[:40]!r}); a DisplayText is shown "
                               "as it is, without markup or HTML"))
    return out


def version_number_findings(value: Any, version: str, where: str) -> list[Finding]:
    """A version number that is no published OCPI version and that the checked *version* does
    not list: an error in 2.2 and 2.2.1 (closed enum), a warning in 2.1.1, information in 2.3.0
    (OpenEnum). A later published version is no finding: the version list is one document for
    every version a party serves, and lists them all."""
    if not isinstance(value, str) or value in VERSION_NUMBERS[version] or value in VERSIONS:
        return []
    listed = ", ".join(VERSION_NUMBERS[version])
    message = f"{value!r} is not a VersionNumber of OCPI {version} ({listed})"
    if version == "2.3.0":
        return [Finding(VERSION_NUMBER.id, Severity.INFO, where, message + "; VersionNumber is an OpenEnum there")]
    if version == "2.1.1":
        return [Finding(VERSION_NUMBER.id, Severity.WARNING, where, message + ", as its changelog gives them")]
    return [Finding(VERSION_NUMBER.id, Severity.ERROR, where, message)]
