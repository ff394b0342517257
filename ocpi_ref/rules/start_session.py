"""The rules of the StartSession clause (OCPI 2.2.1 §13.3.5), one record per statement.

Records come in the order the clause reads. Rules that a document can show (kind ``payload``)
or that need stated context (kind ``context``) have a check function here, registered in
:data:`PAYLOAD_CHECKS` / :data:`CONTEXT_CHECKS`; the checker runs them on the parsed JSON, so
they see the document even when the model cannot be built from it. Behaviour rules are
enforced by :mod:`ocpi_ref.v2_2_1.flow`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding, Severity
from ..party import PartyId
from .model import Basis, Kind, Level, Party, Rule, VersionText
from .registry import define

__all__ = [
    "CONTEXT_CHECKS",
    "PAYLOAD_CHECKS",
    "Context",
    "CONNECTOR_REQUIRED_CAPABILITY",
    "connector_required_by_evse",
    "connector_requires_evse",
]

CONNECTOR_REQUIRED_CAPABILITY = "START_SESSION_CONNECTOR_REQUIRED"


@dataclass(frozen=True)
class Context:
    """What the checker knows beyond the document: who sent it, what the EVSE can do."""

    sender: tuple[PartyId, ...] | None = None
    evse_capabilities: frozenset[str] | None = None


Check = Callable[[Mapping[str, Any], Context], Iterable[Finding]]
PAYLOAD_CHECKS: list[tuple[Rule, Check]] = []
CONTEXT_CHECKS: list[tuple[Rule, Check]] = []


def _checks(registry: list[tuple[Rule, Check]], rule: Rule) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        registry.append((rule, fn))
        return fn

    return register


def is_set(doc: Mapping[str, Any], name: str) -> bool:
    """Present and not null; an empty string counts as set (OCPI 2.2.1 §2.8)."""
    return doc.get(name) is not None


EVSE_OPTIONAL = define(
    id="start-session.evse-optional",
    title="evse_uid is optional",
    statement=(
        "The eMSP may leave out evse_uid. The Charge Point may then pick the EVSE itself, but "
        "not every Charge Point can."
    ),
    choice=(
        "The spec does not say what a CPO answers when its Charge Point cannot choose. This "
        "reference answers CommandResponse NOT_SUPPORTED."
    ),
    sections={"2.1.1": "13.3.3", "2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.DEFINED,
    binds=(Party.EMSP, Party.CHARGE_POINT),
    kind=Kind.PAYLOAD,
    quote="The evse_uid is optional.",
    keyword="optional",
)

EMSP_AUTHORIZES_TOKEN = define(
    id="start-session.emsp-authorizes-token",
    title="The eMSP authorizes the Token first",
    statement="Before it sends a StartSession, the eMSP has authorized the Token in it.",
    choice=(
        "On a payload this reference can only hint: a Token marked valid: false is reported "
        "as a warning."
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHALL,
    binds=(Party.EMSP,),
    kind=Kind.BEHAVIOUR,
    quote="SHALL be authorized by the eMSP before sending it to the CPO",
    keyword="SHALL",
)

CPO_NO_VALIDITY_CHECK = define(
    id="start-session.cpo-no-validity-check",
    title="The CPO does not check the Token's validity",
    statement=(
        "Because the eMSP has authorized the Token, the CPO forwards the request to the Charge "
        "Point without checking the Token's validity: valid: false or whitelist NEVER change "
        "nothing. (Checking who owns the Token is a different rule.)"
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHALL_NOT,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="the CPO SHALL NOT check the validity of the Token",
    keyword="SHALL NOT",
)

APP_TOKEN_NO_REALTIME_AUTH = define(
    id="start-session.ocpp-app-token-no-realtime-auth",
    title="AD_HOC_USER and APP_USER: no real-time authorization",
    statement=(
        "When an OCPP Charge Point asks to validate the Token of a StartSession and the Token is "
        "of type AD_HOC_USER or APP_USER, the CPO does not ask the eMSP for a real-time "
        "authorization."
    ),
    choice=(
        "A reading: the sentence is cut short in 2.2, 2.2.1 and 2.3.0 ('...at the eMSP for "
        "this .'), so it says that the CPO does no real-time authorization but not for what "
        "(this Token? this Charge Point? this session?). This reference reads the missing word "
        "from the paragraph it stands in, which lets the Charge Point of that StartSession decide "
        "whether to validate the Token: the exemption holds there, and at another Charge Point "
        "the whitelist decides. Because the scope is a reading, a verdict under this rule is a "
        "warning, never a FAIL. The spec sets no time limit either; this reference remembers "
        "the Token for a day (a choice)."
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHALL_NOT,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="the CPO SHALL NOT do a realtime authorization at the eMSP for this .",
    keyword="SHALL NOT",
    basis=Basis.READING,
)

RFID_15_MINUTES = define(
    id="start-session.ocpp-rfid-15-minutes",
    title="RFID: no real-time authorization within 15 minutes",
    statement=(
        "For an RFID Token, the CPO does not ask the eMSP for a real-time authorization of that "
        "Token at the same EVSE or Charge Point within 15 minutes of receiving the StartSession: "
        "a driver who taps the card there in that time is already authorized."
    ),
    choice=(
        "That the window includes its last second, and that the whitelist decides again after "
        "it, are this reference's reading: the flow text (Commands §13.1) allows a real-time "
        "authorization only when the StartSession was received 'more then 15 minutes ago'. "
        "OTHER and EMAID Tokens are not this rule's: see "
        "commands.ocpp-other-token-no-realtime-auth."
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHALL_NOT,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="SHALL NOT do a realtime authorization at the eMSP for this Token at the given EVSE/Charge Point",
    keyword="SHALL NOT",
)

UNPUSHED_TOKENS_ALLOWED = define(
    id="start-session.unpushed-tokens-allowed",
    title="Tokens need not have been pushed",
    statement=(
        "The eMSP may use a Token it never pushed through the Tokens module; AD_HOC_USER and "
        "APP_USER Tokens usually exist only in commands. The CPO accepts such a StartSession "
        "like any other."
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.MAY,
    binds=(Party.EMSP,),
    kind=Kind.BEHAVIOUR,
    quote="The eMSP MAY use Tokens that have not been pushed via the Token module",
    keyword="MAY",
)

UNKNOWN_TOKEN_NOT_STORED = define(
    id="start-session.unknown-token-not-stored",
    title="Unknown Tokens need not be stored",
    statement=(
        "A Token the CPO only learns from a StartSession need not be added to its Tokens store, "
        "and a later Token GET from the eMSP need not return it."
    ),
    notes=(
        "The sentence has no RFC 2119 keyword: it says 'don't need to', not MAY. Storing is "
        "allowed too, and the eMSP can update or revoke any of its Tokens in the Tokens module.",
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.PLAIN,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="Unknown Tokens received by the CPO in the StartSession Object don't need to be stored",
    keyword="don't need to",
)

TOKEN_IN_SESSION_AND_CDR = define(
    id="start-session.token-in-session-and-cdr",
    title="The Token goes into the Session and the CDR",
    statement=(
        "Stored or not, the Token's information is put into the Session and the CDR that the "
        "StartSession leads to (their cdr_token). The clause says nothing of auth_method: the "
        "Session's may change while it runs, and the CDR carries the last method used (OCPI "
        "2.2.1 §9.3.1, §10.3.1), which is COMMAND only if nothing authorized the session later."
    ),
    choice=(
        "This reference's CPO writes auth_method COMMAND into the Session it starts. That rests "
        "on AuthMethod's definition in the CDRs module (COMMAND: 'Command like StartSession', "
        "OCPI 2.2.1 §10.4.1; commands.auth-method-command), not on this rule's SHALL, which "
        "says nothing of auth_method. It "
        "keeps the Token's fields exactly as received (a recommendation: CiStrings compare "
        "without case)."
    ),
    notes=("The CDR's auth_method: OCPI 2.2.1 §10.3.1, 'The last method SHALL be used in the CDR.'",),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="the information of the Token SHALL be put in the Session and CDR",
    keyword="SHALL",
)

OWN_TOKENS_ONLY = define(
    id="start-session.own-tokens-only",
    title="The eMSP uses only its own Tokens",
    statement=(
        "An eMSP sends StartSession only with Tokens it owns: the Token's country_code and "
        "party_id are one of the eMSP's own roles (compared without regard to case). Tokens "
        "of other eMSPs are not allowed."
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHALL,
    binds=(Party.EMSP,),
    kind=Kind.CONTEXT,
    quote="SHALL only use Token that are owned by this eMSP",
    keyword="SHALL",
    notes=("It addresses the eMSP only; no sentence tells a CPO to refuse a foreign Token.",),
)

LOCATION_OF_RECEIVER = define(
    id="start-session.location-of-receiver",
    title="location_id names a Location of the receiving CPO",
    statement=(
        "location_id is the id of a Location of the CPO the request is sent to (the field "
        "table's definition). Status 2003 means Unknown Location; the status codes table gives "
        "START_SESSION with an unknown location as its example, and no sentence requires 2003."
    ),
    choice=(
        "A CPO that does not know the Location answers status 2003 with CommandResponse "
        "REJECTED, as the spec's unlock sequence diagram shows for the same case; no sentence "
        "of the spec requires that answer."
    ),
    sections={"2.1.1": "13.3.3", "2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.DEFINED,
    binds=(Party.EMSP,),
    kind=Kind.CONTEXT,
)

CONNECTOR_REQUIRES_EVSE = define(
    id="start-session.connector-requires-evse",
    title="connector_id only with evse_uid",
    statement=(
        "connector_id may be set only together with evse_uid: a connector is named within its "
        "EVSE. connector_id with evse_uid omitted or null breaks the rule; an empty string "
        "counts as set."
    ),
    notes=("'Required' in a field's description is not the keyword REQUIRED: a definition.",),
    sections={"2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.DEFINED,
    binds=(Party.EMSP,),
    kind=Kind.PAYLOAD,
    quote="Required when connector_id is set.",
    keyword="Required",
)

CONNECTOR_REQUIRED_BY_EVSE = define(
    id="start-session.connector-required-by-evse",
    title="connector_id when the EVSE requires it",
    statement=(
        "When the target EVSE has the capability START_SESSION_CONNECTOR_REQUIRED, the eMSP "
        "sets connector_id (and so evse_uid)."
    ),
    sections={"2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.DEFINED,
    binds=(Party.EMSP,),
    kind=Kind.CONTEXT,
    quote="This field is required when the capability: START_SESSION_CONNECTOR_REQUIRED is set on the EVSE.",
    keyword="required",
)

AUTHORIZATION_REFERENCE_ECHO = define(
    id="start-session.authorization-reference-echo",
    title="authorization_reference is carried into Session and CDR",
    statement=(
        "When the StartSession carries an authorization_reference, it is provided in the "
        "relevant Session and/or CDR (the field's description). The SHALL is in the Sessions and CDRs modules (OCPI 2.2.1 "
        "§9.3.1, §10.3.1): they carry the same value the eMSP gave, and when the eMSP gave "
        "several (a real-time authorization, a ReserveNow, a StartSession), the last given "
        "value SHALL be used."
    ),
    choice=(
        "This reference carries the StartSession's value unchanged, byte for byte: a "
        "CiString compares without case, yet an echo in another case could be taken for "
        "another value by an exact comparison."
    ),
    notes=("OCPI 2.2.1 §9.3.1 and §10.3.1: 'the last given value SHALL be used here'.",),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="the last given value SHALL be used here",
    keyword="SHALL",
)

OCPP1_CONNECTOR_AS_EVSE = define(
    id="start-session.ocpp1-connector-as-evse",
    title="OCPP 1.x: each connector as its own EVSE",
    statement=(
        "Behind an OCPP 1.x Charge Point, whose remote start names a connector, the CPO should "
        "present each connector of an EVSE as a separate EVSE, so that a StartSession naming "
        "an EVSE names exactly one connector."
    ),
    sections={"2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.SHOULD,
    binds=(Party.CPO,),
    kind=Kind.CONTEXT,
    quote="the CPO SHOULD present the different connectors of an EVSE as separate EVSE",
    keyword="SHOULD",
)


@_checks(PAYLOAD_CHECKS, CONNECTOR_REQUIRES_EVSE)
def _connector_requires_evse(doc: Mapping[str, Any], ctx: Context) -> Iterator[Finding]:
    return connector_requires_evse(doc)


def connector_requires_evse(doc: Mapping[str, Any]) -> Iterator[Finding]:
    """``start-session.connector-requires-evse``: connector_id set, evse_uid not."""
    if is_set(doc, "connector_id") and not is_set(doc, "evse_uid"):
        state = "null" if "evse_uid" in doc else "missing"
        yield Finding(
            CONNECTOR_REQUIRES_EVSE.id,
            Severity.ERROR,
            "/evse_uid",
            f"evse_uid is {state}, but connector_id is set: a connector is only named "
            "together with its EVSE",
        )


@_checks(PAYLOAD_CHECKS, EMSP_AUTHORIZES_TOKEN)
def _token_marked_invalid(doc: Mapping[str, Any], ctx: Context) -> Iterable[Finding]:
    # Runs on every payload, the checker's fast path included: no generator, a dict first.
    token = doc.get("token")
    if (type(token) is dict or isinstance(token, Mapping)) and token.get("valid") is False:
        return (
            Finding(
                EMSP_AUTHORIZES_TOKEN.id,
                Severity.WARNING,
                "/token/valid",
                "the Token is marked valid: false; the eMSP should have authorized it before "
                "sending (a CPO still forwards it: start-session.cpo-no-validity-check)",
            ),
        )
    return ()


@_checks(CONTEXT_CHECKS, OWN_TOKENS_ONLY)
def _own_tokens_only(doc: Mapping[str, Any], ctx: Context) -> Iterator[Finding]:
    token = doc.get("token")
    if ctx.sender is None or not isinstance(token, Mapping):
        return
    cc, pid = token.get("country_code"), token.get("party_id")
    if not (isinstance(cc, str) and isinstance(pid, str)):
        return  # the type rules already report it
    if PartyId(cc, pid) not in ctx.sender:
        roles = ", ".join(str(p) for p in ctx.sender) or "none"
        yield Finding(
            OWN_TOKENS_ONLY.id,
            Severity.ERROR,
            "/token",
            f"the Token belongs to {cc}-{pid}, which is not one of the sender's roles "
            f"({roles}); an eMSP may only use its own Tokens",
        )


@_checks(CONTEXT_CHECKS, CONNECTOR_REQUIRED_BY_EVSE)
def _connector_required_by_evse(doc: Mapping[str, Any], ctx: Context) -> Iterator[Finding]:
    return connector_required_by_evse(doc, ctx.evse_capabilities)


def connector_required_by_evse(
    doc: Mapping[str, Any], capabilities: frozenset[str] | None
) -> Iterator[Finding]:
    """``start-session.connector-required-by-evse``: the EVSE needs connector_id, none is set."""
    if capabilities and CONNECTOR_REQUIRED_CAPABILITY in capabilities and not is_set(doc, "connector_id"):
        yield Finding(
            CONNECTOR_REQUIRED_BY_EVSE.id,
            Severity.ERROR,
            "/connector_id",
            f"the EVSE has {CONNECTOR_REQUIRED_CAPABILITY}, so connector_id must be set",
        )
