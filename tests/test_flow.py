"""Behaviour rules through the plain-function flow: the CPO's decision, the authorization
window, the Session/CDR token, the token store and the eMSP's side."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from ocpi_ref import CommandResponseType, StartSession, Token
from ocpi_ref.findings import RuleViolation
from ocpi_ref.flow.window import AuthorizationWindow, RealtimeAuth
from ocpi_ref.flow.decision import decide_start_session
from ocpi_ref.flow.starter import EmspStarter
from ocpi_ref.flow.session_token import cdr_token_from, session_token_fields
from ocpi_ref.flow.tokens import TokenStore
from ocpi_ref.flow.topology import ChargePoint, Evse, Location, check_ocpp1_layout

LOCATIONS = [
    Location(
        "LOC-0001",
        (
            ChargePoint("CP-1", (Evse("EVSE-0001-1", ("1", "2")), Evse("EVSE-0001-2"))),
            ChargePoint(
                "CP-2",
                (Evse("EVSE-0001-3", ("1",), frozenset({"START_SESSION_CONNECTOR_REQUIRED"})),),
            ),
        ),
    ),
    Location("LOC-AUTO", (ChargePoint("CP-9", (Evse("E9"),), can_choose_evse=True),)),
]


def decide(body, sender="DE-TNM", **kw):
    return decide_start_session(body, sender=sender, locations=LOCATIONS, **kw)


# ---- the CPO's decision ------------------------------------------------------------------

def test_conforming_start_session_is_accepted(start_session):
    decision = decide(start_session)
    assert decision.result is CommandResponseType.ACCEPTED and decision.status_code == 1000
    assert (decision.charge_point.id, decision.evse.uid) == ("CP-1", "EVSE-0001-1")
    assert decision.response(30).model_dump(mode="json")["result"] == "ACCEPTED"


@pytest.mark.rule("start-session.cpo-no-validity-check")
@pytest.mark.parametrize(("valid", "whitelist"), [(False, "ALWAYS"), (True, "NEVER"), (False, "NEVER")])
def test_cpo_forwards_invalid_or_never_whitelisted_tokens(start_session, valid, whitelist):
    start_session["token"].update(valid=valid, whitelist=whitelist)
    decision = decide(start_session)
    assert decision.accepted, decision.message


@pytest.mark.rule("start-session.unpushed-tokens-allowed")
def test_cpo_accepts_a_token_it_never_received(start_session):
    store = TokenStore()  # nothing was ever pushed
    assert store.get("DE", "TNM", start_session["token"]["uid"]) is None
    assert decide(start_session).accepted


@pytest.mark.rule("start-session.own-tokens-only")
def test_cpo_refuses_a_foreign_token(start_session):
    decision = decide(start_session, sender=["NL-ABC"])
    assert (decision.result, decision.status_code) == (CommandResponseType.REJECTED, 2001)
    assert decision.rule == "start-session.own-tokens-only"
    assert "start-session.own-tokens-only" in decision.response(0).message[0].text
    assert decide(start_session, sender=["nl-abc", "de-tnm"]).accepted


@pytest.mark.rule("start-session.location-of-receiver", "commands.unknown-evse-rejected")
def test_unknown_location_evse_or_connector_is_2003(start_session):
    assert decide(dict(start_session, location_id="loc-0001")).accepted  # CiString: case ignored
    for changes, rule in (({"location_id": "NOPE"}, "start-session.location-of-receiver"),
                          ({"evse_uid": "NOPE"}, "commands.unknown-evse-rejected"),
                          ({"connector_id": "9"}, "commands.unknown-evse-rejected")):
        decision = decide(dict(start_session, **changes))
        assert (decision.result, decision.status_code) == (CommandResponseType.REJECTED, 2003), changes
        assert decision.rule == rule, changes


@pytest.mark.rule("start-session.evse-optional")
def test_without_evse_the_charge_point_chooses_or_the_cpo_says_not_supported(start_session):
    del start_session["evse_uid"], start_session["connector_id"]
    decision = decide(start_session)
    assert (decision.result, decision.status_code) == (CommandResponseType.NOT_SUPPORTED, 1000)
    assert decision.rule == "start-session.evse-optional"
    chosen = decide(dict(start_session, location_id="LOC-AUTO"))
    assert chosen.accepted and chosen.charge_point.id == "CP-9" and chosen.evse is None


@pytest.mark.rule("start-session.connector-required-by-evse")
def test_cpo_refuses_missing_connector_where_the_evse_requires_it(start_session):
    start_session["evse_uid"] = "EVSE-0001-3"
    assert decide(start_session).accepted
    del start_session["connector_id"]
    decision = decide(start_session)
    assert (decision.result, decision.status_code, decision.rule) == (
        CommandResponseType.REJECTED,
        2001,
        "start-session.connector-required-by-evse",
    )


@pytest.mark.rule("start-session.connector-requires-evse")
def test_cpo_refuses_connector_without_evse_with_2001(start_session):
    start_session["evse_uid"] = None
    decision = decide(start_session)
    assert (decision.status_code, decision.rule) == (2001, "start-session.connector-requires-evse")


@pytest.mark.rule("commands.response-url-allowed")
def test_cpo_refuses_response_urls_it_may_not_call(start_session):
    only_emsp = lambda url: url.startswith("https://emsp.example.com/")  # noqa: E731
    assert decide(start_session, response_url_allowed=only_emsp).accepted
    start_session["response_url"] = "http://169.254.169.254/latest/meta-data"
    decision = decide(start_session, response_url_allowed=only_emsp)
    assert (decision.status_code, decision.rule) == (2001, "commands.response-url-allowed")
    assert "169.254.169.254" in decision.message


# ---- Session and CDR ---------------------------------------------------------------------

@pytest.mark.rule("start-session.token-in-session-and-cdr")
def test_cdr_token_carries_the_token_as_received(start_session):
    start_session["token"].update(party_id="tNm", uid="AbC123")
    start = StartSession.model_validate(start_session)
    cdr_token = cdr_token_from(start.token).model_dump(mode="json")
    assert cdr_token == {
        "country_code": "DE",
        "party_id": "tNm",
        "uid": "AbC123",
        "type": "RFID",
        "contract_id": "DE8ACC12E46L89",
    }
    fields = session_token_fields(start)
    assert fields["cdr_token"] == cdr_token and fields["auth_method"] == "COMMAND"


@pytest.mark.rule("start-session.authorization-reference-echo")
def test_authorization_reference_is_echoed_unchanged(start_session):
    start_session["authorization_reference"] = "Ref-567890-aB"
    assert session_token_fields(StartSession.model_validate(start_session))["authorization_reference"] == "Ref-567890-aB"
    del start_session["authorization_reference"]
    assert "authorization_reference" not in session_token_fields(StartSession.model_validate(start_session))


@pytest.mark.rule("start-session.unknown-token-not-stored")
def test_start_session_token_is_not_stored(start_session):
    store = TokenStore()
    pushed = Token.model_validate(dict(start_session["token"], uid="PUSHED-1"))
    store.put(pushed)
    assert decide(start_session).accepted
    assert store.get("DE", "TNM", start_session["token"]["uid"], "RFID") is None
    assert store.get("de", "tnm", "pushed-1", "RFID") is pushed  # lookups ignore case
    assert len(store) == 1


# ---- the authorization window ------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def window_and_clock():
    clock = Clock()
    return AuthorizationWindow(clock), clock


@pytest.mark.rule("start-session.ocpp-app-token-no-realtime-auth")
@pytest.mark.parametrize("token_type", ["APP_USER", "AD_HOC_USER"])
def test_app_tokens_get_no_realtime_authorization_at_the_charge_point_of_their_start(
    app_token, window_and_clock, token_type
):
    """The clause lets the Charge Point of that StartSession decide; it sets no time limit."""
    window, clock = window_and_clock
    token = Token.model_validate(dict(app_token, type=token_type, whitelist="NEVER"))
    assert window.decide(token, "CP-1").realtime is RealtimeAuth.REQUIRED  # no StartSession yet
    window.record_start_session(token, "CP-1")
    clock.now += timedelta(hours=3)
    decision = window.decide(token, "cp-1")  # the same Charge Point, its id in another case
    assert decision.realtime is RealtimeAuth.NOT_ALLOWED
    assert decision.rule == "start-session.ocpp-app-token-no-realtime-auth"
    elsewhere = window.decide(token, "CP-7")  # not the Charge Point the StartSession went to
    assert elsewhere.realtime is RealtimeAuth.REQUIRED and elsewhere.rule is None


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
def test_rfid_within_15_minutes_at_the_same_charge_point(rfid_token, window_and_clock):
    window, clock = window_and_clock
    token = Token.model_validate(dict(rfid_token, whitelist="NEVER"))
    window.record_start_session(token, "CP-1")
    clock.now += timedelta(minutes=15)  # the 15th minute is still inside
    assert window.decide(token, "cp-1").realtime is RealtimeAuth.NOT_ALLOWED
    assert window.decide(token, "CP-2").realtime is RealtimeAuth.REQUIRED  # another Charge Point
    clock.now += timedelta(seconds=1)
    late = window.decide(token, "CP-1")
    assert late.realtime is RealtimeAuth.REQUIRED and "past 15 minutes" in late.reason


@pytest.mark.rule("start-session.ocpp-rfid-15-minutes")
@pytest.mark.parametrize(
    ("whitelist", "expected"),
    [
        ("ALWAYS", RealtimeAuth.NOT_NEEDED),
        ("ALLOWED", RealtimeAuth.OPTIONAL),
        ("ALLOWED_OFFLINE", RealtimeAuth.REQUIRED),
        ("NEVER", RealtimeAuth.REQUIRED),
    ],
)
def test_after_15_minutes_the_whitelist_decides(rfid_token, window_and_clock, whitelist, expected):
    window, clock = window_and_clock
    token = Token.model_validate(dict(rfid_token, whitelist=whitelist))
    window.record_start_session(token, "CP-1")
    clock.now += timedelta(minutes=16)
    assert window.decide(token, "CP-1").realtime is expected


@pytest.mark.rule("commands.ocpp-other-token-no-realtime-auth")
def test_other_tokens_follow_commands_13_1_only_rfid_past_15_minutes(rfid_token, window_and_clock):
    """§13.1 allows a real-time authorization of a StartSession's Token only for RFID past 15
    minutes, so an OTHER Token at the Charge Point of its StartSession gets none, then or later."""
    window, clock = window_and_clock
    token = Token.model_validate(dict(rfid_token, type="OTHER", whitelist="NEVER"))
    window.record_start_session(token, "CP-1")
    clock.now += timedelta(minutes=16)
    decision = window.decide(token, "CP-1")
    assert decision.realtime is RealtimeAuth.NOT_ALLOWED and "§13.1" in decision.reason
    assert decision.rule == "commands.ocpp-other-token-no-realtime-auth"
    assert window.decide(token, "CP-2").realtime is RealtimeAuth.REQUIRED


# ---- the eMSP's side ---------------------------------------------------------------------

@pytest.mark.rule("start-session.own-tokens-only")
def test_emsp_refuses_to_send_a_foreign_token(rfid_token):
    starter = EmspStarter(["NL-ABC"], "https://emsp.example.com/cb")
    with pytest.raises(RuleViolation) as exc:
        starter.start_session(Token.model_validate(rfid_token), "LOC-0001")
    assert exc.value.rule == "start-session.own-tokens-only"


@pytest.mark.rule("start-session.emsp-authorizes-token")
def test_emsp_authorizes_before_sending(rfid_token):
    starter = EmspStarter("DE-TNM", "https://emsp.example.com/cb")
    with pytest.raises(RuleViolation) as exc:
        starter.start_session(Token.model_validate(dict(rfid_token, valid=False)), "LOC-0001")
    assert exc.value.rule == "start-session.emsp-authorizes-token"
    refusing = EmspStarter("DE-TNM", "https://emsp.example.com/cb", authorize=lambda t: False)
    with pytest.raises(RuleViolation):
        refusing.start_session(Token.model_validate(rfid_token), "LOC-0001")


@pytest.mark.rule("start-session.unpushed-tokens-allowed")
def test_emsp_builds_a_unique_response_url_per_request(app_token):
    ids = iter(["a1", "b2"])
    starter = EmspStarter("de-tnm", "https://emsp.example.com/cb/", new_id=lambda: next(ids))
    token = Token.model_validate(app_token)  # an APP_USER Token, never pushed anywhere
    first = starter.start_session(token, "LOC-0001", evse_uid="EVSE-0001-1", connector_id="1")
    second = starter.start_session(token, "LOC-0001")
    assert [r for r, _ in (first, second)] == ["a1", "b2"]
    assert first[1].response_url == "https://emsp.example.com/cb/a1"
    assert second[1].response_url == "https://emsp.example.com/cb/b2"
    assert decide(first[1].model_dump(mode="json")).accepted


# ---- OCPP 1.x layout ---------------------------------------------------------------------

@pytest.mark.rule("start-session.ocpp1-connector-as-evse")
def test_ocpp1_evse_with_several_connectors_gets_a_warning():
    two = ChargePoint("CP-1", (Evse("E1", ("1", "2")), Evse("E2", ("1",))), ocpp_version="1.6")
    (finding,) = check_ocpp1_layout(two)
    assert finding.rule == "start-session.ocpp1-connector-as-evse" and "E1" in finding.message
    split = ChargePoint("CP-1", (Evse("E1a", ("1",)), Evse("E1b", ("2",))), ocpp_version="1.6")
    assert list(check_ocpp1_layout(split)) == []
    assert list(check_ocpp1_layout(dataclasses.replace(two, ocpp_version="2.0.1"))) == []


def test_sessions_of_start_matches_the_exchange_not_the_token_alone():
    from ocpi_ref.flow.sessions import sessions_of_start

    def doc(evse, started, ref=None, status="ACTIVE", uid="U1"):
        out = {"cdr_token": {"uid": uid}, "location_id": "LOC-1", "evse_uid": evse,
               "start_date_time": started, "status": status}
        return out | ({"authorization_reference": ref} if ref else {})

    sent = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    docs = [
        doc("EVSE-A", "2026-01-01T11:59:00Z"),  # earlier exchange: too old
        doc("EVSE-B", "2026-01-01T12:00:05Z"),  # another EVSE
        doc("evse-a", "2026-01-01T12:00:01Z", ref="R1"),  # ours, the EVSE id in another case
        doc("EVSE-A", "2026-01-01T12:00:02Z", ref="R2"),  # another authorization_reference
        doc("EVSE-A", "2026-01-01T12:00:03Z", status="COMPLETED"),
        doc("EVSE-A", "not a date"), "not a session", {"cdr_token": "x"},
    ]
    found = sessions_of_start(docs, token_uid="u1", location_id="LOC-1", evse_uid="EVSE-A",
                              authorization_reference="R1", not_before=sent)
    assert found == [docs[2]]
    assert sessions_of_start(docs, token_uid="U1", location_id="LOC-1", evse_uid="EVSE-C",
                             authorization_reference=None, not_before=sent) == []


@pytest.mark.rule("start-session.own-tokens-only")
def test_the_decisions_own_command_response_quotes_hostile_text_escaped(start_session):
    start_session["token"]["party_id"] = "T\nM"
    decision = decide(start_session)
    assert not decision.accepted
    text = decision.response(30).message[0].text
    assert "\n" not in text and "T\\u000aM" in text
