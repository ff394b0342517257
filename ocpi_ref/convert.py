"""Convert a StartSession between OCPI versions, listing every loss.

:func:`convert_start_session` walks the versions one step at a time (2.1.1 ↔ 2.2 ↔ 2.2.1 ↔
2.3.0). Going up needs, once, the Token's owner (2.1.1 Tokens have none); going down loses
what the older version cannot hold. Nothing is dropped or rewritten silently: each loss is a
:class:`~ocpi_ref.Finding` (warning) under a ``convert.*`` rule with the pointer of the value in
the *source* document; a value that cannot be converted at all is an error and no document is
produced. The input is checked against its own version first, and the output against the
target version, so a conversion never hands on a payload that does not conform.

Fields the spec does not define travel unchanged, at their place; values are never re-cased.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .checker import check_start_session
from .findings import Finding, Severity, pointer
from .jsondoc import load
from .party import PartyId
from .rules.convert import FIELD_DROPPED, NOT_REPRESENTABLE, OWNER_FROM_CONTEXT, VALUE_REPLACED
from .versions import VERSIONS, version_key

__all__ = ["Conversion", "convert_document", "convert_start_session"]

Doc = dict[str, Any]


@dataclass(frozen=True)
class Conversion:
    """The outcome of a conversion: the document (``None`` when impossible) and every finding."""

    source: str
    target: str
    document: Doc | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """A document was produced."""
        return self.document is not None

    @property
    def losses(self) -> tuple[Finding, ...]:
        """What the target version could not hold (dropped fields, replaced values)."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def lossless(self) -> bool:
        return self.ok and not self.losses

    def __str__(self) -> str:
        verdict = "lossless" if self.lossless else "with losses" if self.ok else "impossible"
        head = f"StartSession OCPI {self.source} -> {self.target}: {verdict}"
        return "\n".join([head, *(f"  {f}" for f in self.findings)])


def convert_start_session(
    data: Any, source: str, target: str, *, owner: PartyId | str | None = None
) -> Conversion:
    """Convert a StartSession document from OCPI *source* to OCPI *target*.

    Args:
        data: the document (bytes, text, or parsed JSON) in version *source*.
        source, target: OCPI versions, e.g. ``"2.1.1"`` and ``"2.2.1"``.
        owner: the Token owner (``"NL-TNM"`` or a :class:`PartyId`); required to go from
            2.1.1 to a later version, ignored otherwise.

    Returns:
        A :class:`Conversion`. When *data* does not conform to *source*, its check's errors
        are the findings and there is no document.
    """
    version_key(source), version_key(target)
    if isinstance(data, (bytes, str)):  # parse once; the check below then reads the value
        loaded = load(data)
        if not loaded.usable or any(f.severity is Severity.ERROR for f in loaded.findings):
            return Conversion(source, target, None, tuple(loaded.findings))
        data = loaded.value
    report = check_start_session(data, version=source)
    if not report.conforms:
        return Conversion(source, target, None, report.errors)
    done = convert_document(data, source, target, owner=owner)
    if done.document is None:
        return done
    check = check_start_session(done.document, version=target)
    findings = (*done.findings, *check.errors)  # a bug if any error; reported, never hidden
    return Conversion(source, target, done.document if check.conforms else None, findings)


def convert_document(
    doc: Doc, source: str, target: str, *, owner: PartyId | str | None = None
) -> Conversion:
    """The conversion steps alone, for a parsed *doc* that already conforms to *source*.

    Nothing is checked, neither the input nor the output: the caller has validated *doc* with
    the *source* model and validates the result with the *target* model. The reference CPO
    does so, so that a body is parsed and validated once whatever its version.
    """
    owner_id = PartyId.parse(owner) if isinstance(owner, str) else owner
    findings: list[Finding] = []
    out: Doc | None = doc
    for step in _steps(source, target):
        out = step(out, owner_id, findings, target)
        if out is None:
            break
    return Conversion(source, target, out, tuple(findings))


#: One version step: (document, owner, findings so far, the conversion's final target). A loss
#: names the final target, which lacks what an intermediate version may lack too.
Step = Callable[[Doc, "PartyId | None", list[Finding], str], "Doc | None"]


def _steps(source: str, target: str) -> Iterator[Step]:
    i, j = version_key(source), version_key(target)
    while i < j:
        yield _UP[VERSIONS[i]]
        i += 1
    while i > j:
        yield _DOWN[VERSIONS[i]]
        i -= 1


def _drop(findings: list[Finding], where: str, value: Any, target: str, why: str = "") -> None:
    """List a dropped value: a warning, or information when it was null (null means absent)."""
    if value is None:
        severity, what = Severity.INFO, "dropped a null (no value lost)"
    else:
        severity, what = Severity.WARNING, f"dropped {value!r}"
    findings.append(
        Finding(FIELD_DROPPED.id, severity, where, f"{what}: OCPI {target} has no such field{why}")
    )


def _rename(doc: Doc, renames: dict[str, str], insert: Iterable[tuple[str, Any]] = ()) -> Doc:
    """A copy of *doc* with keys renamed in place and *insert* pairs put first."""
    out: Doc = dict(insert)
    for key, value in doc.items():
        out[renames.get(key, key)] = value
    return out


# ----------------------------------------------------------------------------- 2.1.1 <-> 2.2


def _up_from_2_1_1(
    doc: Doc, owner: PartyId | None, findings: list[Finding], target: str
) -> Doc | None:
    if owner is None:
        findings.append(
            Finding(
                OWNER_FROM_CONTEXT.id,
                Severity.ERROR,
                "/token",
                "a 2.1.1 Token has no owner; give the party whose credentials sent it "
                "(--owner on the command line, owner= in Python, e.g. NL-TNM) to convert to 2.2 or later",
            )
        )
        return None
    too_long = [name for name in ("location_id", "evse_uid") if len(doc.get(name) or "") > 36]
    for name in too_long:
        findings.append(
            Finding(
                NOT_REPRESENTABLE.id,
                Severity.ERROR,
                pointer(name),
                f"{name} has {len(doc[name])} characters; from 2.2 on it is CiString(36)",
            )
        )
    if too_long:
        return None
    token = dict(doc["token"])
    for name in ("country_code", "party_id"):  # unknown in 2.1.1; the owner takes these names
        if name in token:
            findings.append(
                Finding(
                    FIELD_DROPPED.id,
                    Severity.WARNING,
                    pointer("token", name),
                    f"dropped {token.pop(name)!r}: an unknown field of the 2.1.1 Token, whose "
                    f"name holds the owner given ({owner}) from 2.2 on",
                )
            )
    _drop_shadowed(findings, token, "contract_id", "auth_id")
    owner_fields = (("country_code", str(owner.country_code)), ("party_id", str(owner.party_id)))
    return {**doc, "token": _rename(token, {"auth_id": "contract_id"}, owner_fields)}


_NOT_IN_2_1_1 = ("group_id", "default_profile_type", "energy_contract")
_TEXT_FIELDS_2_1_1 = {"visual_number": False, "issuer": True, "language": False}  # name: required


def _down_to_2_1_1(
    doc: Doc, owner: PartyId | None, findings: list[Finding], target: str
) -> Doc | None:
    out = dict(doc)
    if "authorization_reference" in out:
        _drop(findings, "/authorization_reference", out.pop("authorization_reference"), "2.1.1")
    token = dict(doc["token"])
    _drop_shadowed(findings, token, "auth_id", "contract_id")
    token = _rename(token, {"contract_id": "auth_id"})
    for name in ("country_code", "party_id"):
        _drop(
            findings,
            pointer("token", name),
            token.pop(name),
            "2.1.1",
            " (a 2.1.1 Token's owner is the party whose credentials send it)",
        )
    for name in _NOT_IN_2_1_1:
        if name in token:
            _drop(findings, pointer("token", name), token.pop(name), "2.1.1")
    if token["type"] not in ("OTHER", "RFID"):
        _replace_type(findings, token, "2.1.1")
    for name, required in _TEXT_FIELDS_2_1_1.items():
        value = token.get(name)
        if isinstance(value, str) and not value.isascii():
            where = pointer("token", name)
            if required:
                findings.append(
                    Finding(
                        NOT_REPRESENTABLE.id,
                        Severity.ERROR,
                        where,
                        f"{name} {value!r} is not ASCII; a 2.1.1 string is printable ASCII only",
                    )
                )
                return None
            _drop(findings, where, token.pop(name), "2.1.1", " value: a 2.1.1 string is ASCII only")
    out["token"] = token
    return out


def _drop_shadowed(findings: list[Finding], token: Doc, name: str, source: str) -> None:
    """Drop an unknown *name* member that the renamed *source* field would silently overwrite.

    A 2.1.1 Token's ``auth_id`` becomes ``contract_id`` going up (and back going down); an
    unknown member already named like the result must not win over the real field, nor vanish
    unlisted.
    """
    if name in token:
        findings.append(
            Finding(
                FIELD_DROPPED.id,
                Severity.WARNING,
                pointer("token", name),
                f"dropped {token.pop(name)!r}: an unknown field of this Token, whose name the "
                f"converted {source} takes",
            )
        )


def _replace_type(findings: list[Finding], token: Doc, target: str) -> None:
    findings.append(
        Finding(
            VALUE_REPLACED.id,
            Severity.WARNING,
            "/token/type",
            f"TokenType {token['type']!r} does not exist in OCPI {target}; sent as 'OTHER'",
        )
    )
    token["type"] = "OTHER"


# ----------------------------------------------------------------------------- 2.2 <-> 2.2.1


def _up_from_2_2(
    doc: Doc, owner: PartyId | None, findings: list[Finding], target: str
) -> Doc | None:
    return dict(doc)  # 2.2.1 only adds the optional connector_id


def _down_to_2_2(
    doc: Doc, owner: PartyId | None, findings: list[Finding], target: str
) -> Doc | None:
    out = dict(doc)
    if "connector_id" in out:
        _drop(findings, "/connector_id", out.pop("connector_id"), target)
    return out


# ----------------------------------------------------------------------------- 2.2.1 <-> 2.3.0

_TOKEN_TYPES_2_2_1 = ("AD_HOC_USER", "APP_USER", "OTHER", "RFID")


def _up_from_2_2_1(
    doc: Doc, owner: PartyId | None, findings: list[Finding], target: str
) -> Doc | None:
    return dict(doc)  # the StartSession table is unchanged; TokenType only grows


def _down_to_2_2_1(
    doc: Doc, owner: PartyId | None, findings: list[Finding], target: str
) -> Doc | None:
    token = dict(doc["token"])
    if token["type"] not in _TOKEN_TYPES_2_2_1:
        _replace_type(findings, token, target)
    return {**doc, "token": token}


_UP: dict[str, Step] = {"2.1.1": _up_from_2_1_1, "2.2": _up_from_2_2, "2.2.1": _up_from_2_2_1}
_DOWN: dict[str, Step] = {"2.2": _down_to_2_1_1, "2.2.1": _down_to_2_2, "2.3.0": _down_to_2_2_1}
