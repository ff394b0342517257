"""The OCPI types (OCPI 2.2.1 §16): CiString, string, URL, DateTime, strict JSON types."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ocpi_ref import CiString, DateTime, Severity, Token, check_start_session
from ocpi_ref.checker import check_start_session_model

pytestmark = pytest.mark.filterwarnings("error")


def _with_token(start_session, **changes):
    doc = dict(start_session)
    doc["token"] = dict(doc["token"], **changes)
    return doc


# ---- CiString ---------------------------------------------------------------------------

@pytest.mark.rule("type.cistring")
def test_cistring_keeps_case_on_the_way_in_and_out(rfid_token):
    raw = json.dumps(dict(rfid_token, party_id="tNm", uid="AbC-def"))
    token = Token.model_validate_json(raw)
    assert str(token.party_id) == "tNm" and str(token.uid) == "AbC-def"
    out = json.loads(token.model_dump_json())
    assert out["party_id"] == "tNm" and out["uid"] == "AbC-def"


@pytest.mark.rule("type.cistring")
def test_cistring_compares_and_hashes_without_case():
    a, b = CiString("DE-TNM-1"), CiString("de-tnm-1")
    assert a == b and hash(a) == hash(b)
    assert a == "De-Tnm-1" and "de-TNM-1" == a
    assert a != CiString("DE-TNM-2")
    assert {a, b} == {a} and len({a, b}) == 1
    assert str(b) == "de-tnm-1"


@pytest.mark.rule("type.cistring")
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("ABC\n", "U+000A (line feed) at position 3"),
        ("caf\u00e9", "U+00E9"),
        ("tab\there", "U+0009 (tab)"),
    ],
)
def test_cistring_allows_printable_ascii_only(start_session, value, fragment):
    report = check_start_session(dict(start_session, location_id=value))
    (finding,) = report.at("/location_id")
    assert finding.rule == "type.cistring" and fragment in finding.message


@pytest.mark.rule("type.cistring")
def test_cistring_length_counts_characters(start_session):
    assert check_start_session(dict(start_session, location_id="x" * 36)).conforms
    report = check_start_session(dict(start_session, location_id="x" * 37))
    (finding,) = report.at("/location_id")
    assert finding.rule == "type.cistring"
    assert "at most 36 characters, got 37" in finding.message


@pytest.mark.rule("type.cistring")
def test_cistring_two_and_three(start_session):
    report = check_start_session(_with_token(start_session, country_code="DEU", party_id="TNMX"))
    assert {f.pointer for f in report.errors} == {"/token/country_code", "/token/party_id"}
    assert report.rules == {"type.cistring"}


# ---- string -----------------------------------------------------------------------------

@pytest.mark.rule("type.string")
def test_string_accepts_printable_utf8(start_session):
    assert check_start_session(_with_token(start_session, issuer="Stadtwerke München ⚡")).conforms


@pytest.mark.rule("type.string")
@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("line\nbreak", "U+000A (line feed)"),
        ("carriage\rreturn", "U+000D (carriage return)"),
        ("nul\x00", "U+0000 (control character)"),
        ("del\x7f", "U+007F (delete)"),
        ("c1\x85", "U+0085 (control character)"),
        ("line\u2028separator", "U+2028 (line separator)"),
        ("para\u2029separator", "U+2029 (paragraph separator)"),
        ("zero\u200bwidth", "U+200B (zero width space, format character)"),
        ("bidi\u202eoverride", "U+202E (right-to-left override, format character)"),
        ("mark\u200fRLM", "U+200F (right-to-left mark, format character)"),
        ("bom\ufeffinside", "U+FEFF (zero width no-break space, format character)"),
        ("private\ue000use", "U+E000 (private use)"),
        ("unassigned\u0378", "U+0378 (unassigned)"),
        ("nonchar\uffff", "U+FFFF (unassigned)"),
    ],
)
def test_string_refuses_what_is_not_printable(start_session, value, named):
    report = check_start_session(_with_token(start_session, issuer=value))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.string", "/token/issuer")
    assert f"printable text only: {named} at position" in finding.message


@pytest.mark.rule("type.string")
@pytest.mark.parametrize(
    "value",
    [
        "Stadtwerke\u00a0München",  # NO-BREAK SPACE (Zs)
        "r\u00e9sum\u00e9 e\u0301",  # a combining accent (Mn)
        "\U0001F468\u200d\U0001F469\u200d\U0001F467",  # an emoji ZWJ sequence
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with ZWNJ
        "\u2603\ufe0f",  # a variation selector (Mn)
        "中文 ⚡ №1 € ½",
    ],
)
def test_string_accepts_the_printable_categories(start_session, value):
    assert check_start_session(_with_token(start_session, issuer=value)).conforms


@pytest.mark.rule("type.string")
def test_the_printable_table_matches_the_pattern():
    from ocpi_ref.types import PRINTABLE_CATEGORIES, is_printable
    from pydantic import TypeAdapter
    from ocpi_ref.types import string

    adapter = TypeAdapter(string())
    samples = {"Lu": "A", "Mn": "\u0301", "Nd": "7", "Po": "!", "So": "\u2603", "Zs": "\u3000",
               "Zl": "\u2028", "Zp": "\u2029", "Cc": "\t", "Cf": "\u2066", "Co": "\U000F0000", "Cn": "\U000E0080"}
    for category, ch in samples.items():
        allowed = PRINTABLE_CATEGORIES.get(category, PRINTABLE_CATEGORIES.get(category[0]))[0]
        assert is_printable(ch) is allowed, category
        try:
            adapter.validate_python(ch)
            assert allowed, category
        except ValidationError:
            assert not allowed, category


@pytest.mark.rule("type.string")
def test_string_length(start_session):
    assert check_start_session(_with_token(start_session, issuer="é" * 64)).conforms
    report = check_start_session(_with_token(start_session, issuer="é" * 65))
    assert [(f.rule, f.pointer) for f in report.errors] == [("type.string", "/token/issuer")]


# ---- URL --------------------------------------------------------------------------------

@pytest.mark.rule("type.url")
@pytest.mark.parametrize(
    "url",
    [
        "https://emsp.example.com/ocpi/emsp/2.2.1/commands/START_SESSION/42",
        "http://127.0.0.1:8080/cb?id=1&x=%20#frag",
        "https://[::1]:9000/results",
    ],
)
def test_url_accepts_absolute_urls(start_session, url):
    assert check_start_session(dict(start_session, response_url=url)).conforms


@pytest.mark.rule("type.url")
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("/relative/path", "scheme"),
        ("emsp.example.com/cb", "scheme"),
        ("https://", "host is empty"),
        ("https://user@:443/x", "host is empty"),
        ("https://host/with space", "U+0020"),
        ("https://host/\u00e9", "U+00E9"),
        ("", "scheme"),
        ("https://host/a%2", "not followed by two hex digits"),
        ("https://host/a%zz", "not followed by two hex digits"),
        ("https://host/%", "not followed by two hex digits"),
        ("https://host/a#one#two", "second #"),
        ("https://host/a[1]", "[ and ]"),
        ("https://ho[st]/", "[ and ]"),
        ("https://[::1/", "IP-literal"),
        ("https://[12345::1]/", "IP-literal"),
        ("https://[::1]x/", "IP-literal"),
        ("https://host:80a/", "RFC 3986"),
        ("mailto:emsp@example.com", "authority"),
        ("1https://host/", "scheme"),
    ],
)
def test_url_refuses_what_is_not_rfc_3986_with_a_host(start_session, url, why):
    report = check_start_session(dict(start_session, response_url=url))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.url", "/response_url")
    assert why in finding.message


# The examples of RFC 3986 itself (§1.1.2, §3, §3.2.2, §5.4.1) that have an authority.
RFC_3986_EXAMPLES = [
    "ftp://ftp.is.co.za/rfc/rfc1808.txt",
    "http://www.ietf.org/rfc/rfc2396.txt",
    "ldap://[2001:db8::7]/c=GB?objectClass?one",
    "telnet://192.0.2.16:80/",
    "foo://example.com:8042/over/there?name=ferret#nose",
    "http://a/b/c/g;x?y#s",
    "http://a/b/c/d;p?q",
    "http://a/b/c/g?y/./x",
    "http://[v7.fe80::a+en1]/",
    "http://[::ffff:192.0.2.1]/",
    "http://[2001:db8:0:0:0:0:2:1]/",
    "http://user:pass@host.example:/path",
    "http://%65xample.com/%7Euser",
    "https://host/?#",
]


@pytest.mark.rule("type.url")
@pytest.mark.parametrize("url", RFC_3986_EXAMPLES)
def test_url_accepts_the_rfc_3986_examples_and_keeps_them_byte_for_byte(start_session, url):
    report, start = check_start_session_model(json.dumps(dict(start_session, response_url=url)))
    assert report.conforms and start.response_url == url
    assert json.loads(start.model_dump_json())["response_url"] == url


_UNRESERVED_OR_SUB = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=")


def _pct_ok(text: str, allowed: set[str]) -> bool:
    i = 0
    while i < len(text):
        if text[i] == "%":
            if not re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1 : i + 3]):
                return False
            i += 3
        elif text[i] in allowed:
            i += 1
        else:
            return False
    return True


def _oracle(url: str) -> bool:
    """RFC 3986 read another way: split by its Appendix B regex, then check each component
    on its own, the IPv6 literal with the standard library's ipaddress."""
    import ipaddress

    m = re.fullmatch(r"([^:/?#]+):(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?", url, re.DOTALL)
    if not m or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", m[1]) or m[2] is None:
        return False
    authority, path, query, fragment = m[3], m[4], m[6], m[8]
    userinfo, at, hostport = authority.partition("@")
    if not at:
        userinfo, hostport = "", authority
    elif not _pct_ok(userinfo, _UNRESERVED_OR_SUB | {":"}):
        return False
    if hostport.startswith("["):
        literal, bracket, port = hostport[1:].partition("]")
        if not bracket:
            return False
        if re.fullmatch(r"[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+", literal) is None:
            try:
                ipaddress.IPv6Address(literal)
            except ValueError:
                return False
            if "%" in literal:
                return False
        if port and not re.fullmatch(r":[0-9]*", port):
            return False
    else:
        host, _, port = hostport.partition(":")
        if not host or not _pct_ok(host, _UNRESERVED_OR_SUB) or not re.fullmatch(r"[0-9]*", port):
            return False
    pchar = _UNRESERVED_OR_SUB | {":", "@"}
    return (
        _pct_ok(path, pchar | {"/"})
        and (query is None or _pct_ok(query, pchar | {"/", "?"}))
        and (fragment is None or _pct_ok(fragment, pchar | {"/", "?"}))
    )


@pytest.mark.rule("type.url")
@pytest.mark.parametrize("url", RFC_3986_EXAMPLES)
def test_the_oracle_accepts_the_rfc_examples(url):
    assert _oracle(url)


@pytest.mark.rule("type.url")
@given(
    st.text(alphabet="ab:/?#[]@!$&'()*+,;=%0123456789ABCDEFfv.-_~ é", max_size=40),
    st.sampled_from(["https://", "https://[", "https://[::", "https://a@", "h:/"]),
)
@settings(max_examples=1500, deadline=None)
def test_url_pattern_agrees_with_rfc_3986_read_another_way(tail, head):
    from ocpi_ref.types import URL_PATTERN

    url = head + tail
    assert (re.fullmatch(URL_PATTERN, url) is not None) == _oracle(url), url


# ---- DateTime ---------------------------------------------------------------------------

SPEC_ALLOWED = [
    "2015-06-29T20:39:09Z",
    "2015-06-29T20:39:09",
    "2016-12-29T17:45:09.2Z",
    "2016-12-29T17:45:09.2",
    "2018-01-01T01:08:01.123Z",
    "2018-01-01T01:08:01.123",
]


@pytest.mark.rule("type.datetime")
@pytest.mark.parametrize("value", SPEC_ALLOWED + ["2024-02-29T23:59:59Z", "2000-02-29T00:00:00", "0001-01-01T00:00:00Z", "2018-01-01T01:08:01.1234Z", "2018-01-01T01:08:01.12345"])
def test_datetime_accepts_the_spec_forms_and_keeps_the_text(rfid_token, value):
    token = Token.model_validate_json(json.dumps(dict(rfid_token, last_updated=value)))
    assert DateTime(token.last_updated).to_datetime().tzname() == "UTC"
    assert json.loads(token.model_dump_json())["last_updated"] == value


@pytest.mark.rule("type.datetime")
@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2015-06-29T20:39:09+00:00", "numeric offsets"),
        ("2015-06-29T22:39:09+02:00", "numeric offsets"),
        ("2015-06-29T20:39:09-0000", "numeric offsets"),
        ("2015-06-29 20:39:09Z", "space"),
        ("2015-06-29t20:39:09Z", "upper case"),
        ("2015-06-29T20:39:09z", "upper case"),
        ("2023-02-30T10:00:00Z", "no such date"),
        ("2023-02-29T10:00:00Z", "no such date"),
        ("1900-02-29T10:00:00Z", "no such date"),
        ("2023-04-31T10:00:00", "no such date"),
        ("2023-02-28T24:00:00Z", "no such date"),
        ("2016-12-30T23:59:60Z", "leap second"),
        ("2016-12-31T23:58:60Z", "leap second"),
        ("2015-06-29T20:39:09,5Z", "comma"),
        ("2015-06-29", "form OCPI allows"),
        ("2018-01-01T01:08:01.12345Z", "at most 25"),
        ("1435610349", "form OCPI allows"),
    ],
)
def test_datetime_refuses_other_forms(start_session, value, why):
    report = check_start_session(_with_token(start_session, last_updated=value))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.datetime", "/token/last_updated")
    assert why in finding.message


@pytest.mark.rule("type.datetime")
@pytest.mark.parametrize("value", ["2016-12-31T23:59:60Z", "2015-06-30T23:59:60.5", "0000-02-29T00:00:00Z"])
def test_datetime_accepts_leap_seconds_and_the_year_0000(start_session, value):
    report = check_start_session(_with_token(start_session, last_updated=value))
    assert report.conforms and report.accepted


@pytest.mark.rule("type.datetime")
@pytest.mark.parametrize("as_text", [True, False])
def test_the_year_0000_conforms_with_a_warning(start_session, as_text):
    doc = _with_token(start_session, last_updated="0000-01-01T00:00:00Z")
    report = check_start_session(json.dumps(doc) if as_text else doc)
    (finding,) = report.findings
    assert (finding.rule, finding.severity, finding.pointer) == ("type.datetime", Severity.WARNING, "/token/last_updated")
    assert "year 0000" in finding.message and report.conforms


def test_a_leap_second_reads_as_the_next_second():
    assert DateTime("2016-12-31T23:59:60Z").to_datetime().isoformat() == "2017-01-01T00:00:00+00:00"
    assert DateTime("2015-06-29T20:39:09,5").to_datetime().microsecond == 500000


@pytest.mark.rule("type.datetime")
@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2015-06-29T20:39:09Z", True),
        ("2015-06-29T20:39:09", True),
        ("2015-06-29T20:39:09.25Z", True),
        ("2015-06-29T20:39:09,25Z", True),
        ("2016-12-31T23:59:60Z", True),
        ("2015-06-29T20:39:09+00:00", False),
        ("20150629T203909Z", False),
        ("2015-06-29T20:39Z", False),
    ],
)
def test_2_1_1_datetime_is_iso_8601_extended_with_seconds(value, ok):
    from ocpi_ref.v2_1_1 import Token as Token211

    doc = {"uid": "1", "type": "RFID", "auth_id": "A", "issuer": "I", "valid": True, "whitelist": "ALWAYS", "last_updated": value}
    if ok:
        assert Token211.model_validate(doc).last_updated == value
    else:
        with pytest.raises(ValidationError):
            Token211.model_validate(doc)


def test_datetime_to_datetime_is_utc():
    assert DateTime("2016-12-29T17:45:09.2").to_datetime().isoformat() == "2016-12-29T17:45:09.200000+00:00"
    assert DateTime("2016-12-29T17:45:09Z").to_datetime().tzname() == "UTC"


# ---- strict JSON types ------------------------------------------------------------------

@pytest.mark.rule("type.json")
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("valid", "yes", "boolean"),
        ("valid", 1, "boolean"),
        ("uid", 12345678905880, "string"),
        ("issuer", True, "string"),
        ("energy_contract", "Greenpeace", "object"),
    ],
)
def test_no_coercion_between_json_types(start_session, field, value, expected):
    report = check_start_session(_with_token(start_session, **{field: value}))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.json", f"/token/{field}")
    assert f"must be a JSON {expected}" in finding.message


@pytest.mark.rule("type.json")
def test_strict_path_refuses_number_for_string(start_session):
    with pytest.raises(ValidationError):
        Token.model_validate_json(json.dumps(dict(start_session["token"], uid=42)))


@pytest.mark.rule("type.enum")
@pytest.mark.parametrize(("field", "value"), [("type", "rfid"), ("whitelist", "SOMETIMES"), ("default_profile_type", "Green")])
def test_enums_are_closed_and_case_sensitive(start_session, field, value):
    report = check_start_session(_with_token(start_session, **{field: value}))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.enum", f"/token/{field}")
    assert repr(value) in finding.message and "allowed:" in finding.message


@pytest.mark.rule("type.range")
def test_command_response_timeout_not_negative():
    from ocpi_ref import CommandResponse

    assert CommandResponse.model_validate_json('{"result": "ACCEPTED", "timeout": 30}').timeout == 30
    with pytest.raises(ValidationError) as exc:
        CommandResponse.model_validate_json('{"result": "ACCEPTED", "timeout": -1}')
    assert exc.value.errors()[0]["loc"] == ("timeout",)


# ---- code lists: ISO 639-1 and ISO 3166-1 alpha-2 ----------------------------------------

@pytest.mark.rule("type.language")
@pytest.mark.parametrize(("value", "why"), [("xx", "not an ISO 639-1 code"), ("EN", "lower case"), ("e", "not an ISO 639-1 code")])
def test_language_is_an_iso_639_1_code_case_sensitively(start_session, value, why):
    report = check_start_session(_with_token(start_session, language=value))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.language", "/token/language")
    assert why in finding.message
    assert check_start_session(_with_token(start_session, language="it")).conforms


@pytest.mark.rule("type.language")
def test_display_text_language_is_checked_too():
    from ocpi_ref import CommandResult
    from ocpi_ref.errors import findings_from_error

    with pytest.raises(ValidationError) as exc:
        CommandResult.model_validate({"result": "ACCEPTED", "message": [{"language": "zz", "text": "ok"}]})
    (finding,) = findings_from_error(CommandResult, exc.value)
    assert (finding.rule, finding.pointer) == ("type.language", "/message/0/language")


@pytest.mark.rule("type.country-code")
@pytest.mark.parametrize("value", ["XX", "D", "ZZ", "EU"])
def test_country_code_is_an_iso_3166_alpha_2_code(start_session, value):
    report = check_start_session(_with_token(start_session, country_code=value))
    (finding,) = report.errors
    assert (finding.rule, finding.pointer) == ("type.country-code", "/token/country_code")
    assert "ISO 3166-1 alpha-2" in finding.message


@pytest.mark.rule("type.country-code", "type.cistring")
@pytest.mark.parametrize("value", ["DE", "de", "dE", "NL"])
def test_country_code_ignores_case_as_a_cistring(start_session, value):
    assert check_start_session(_with_token(start_session, country_code=value)).conforms


@pytest.mark.rule("type.country-code")
def test_the_code_lists_come_from_the_standard_library():
    import pycountry
    from ocpi_ref.types import COUNTRY_CODES, LANGUAGE_CODES

    assert len(COUNTRY_CODES) == len(pycountry.countries) >= 249
    assert {"DE", "NL", "FR"} <= set(COUNTRY_CODES) and "XX" not in COUNTRY_CODES
    assert {"en", "de", "nl", "it"} <= set(LANGUAGE_CODES) and len(LANGUAGE_CODES) >= 180


# ---- empty strings: legal, surely a mistake ----------------------------------------------

@pytest.mark.rule("field.empty-string")
@pytest.mark.parametrize("as_text", [True, False])
def test_empty_strings_conform_with_a_warning(start_session, as_text):
    start_session["location_id"] = ""
    start_session["token"]["visual_number"] = ""
    doc = json.dumps(start_session) if as_text else start_session
    report = check_start_session(doc)
    assert report.conforms and report.accepted
    assert {(f.rule, f.severity, f.pointer) for f in report.findings} == {
        ("field.empty-string", Severity.WARNING, "/location_id"),
        ("field.empty-string", Severity.WARNING, "/token/visual_number"),
    }
    assert any("a required CiString(36)" in f.message for f in report.findings)


# ---- status codes -------------------------------------------------------------------------

@pytest.mark.rule("type.range")
def test_2_1_1_status_codes_have_at_least_four_digits():
    from ocpi_ref.v2_1_1 import OcpiResponse as Response211
    from ocpi_ref.v2_2_1 import OcpiResponse

    envelope = {"status_code": 10000, "timestamp": "2015-06-30T21:59:59Z"}
    assert Response211.model_validate(envelope).status_code == 10000
    with pytest.raises(ValidationError):
        Response211.model_validate(dict(envelope, status_code=999))
    with pytest.raises(ValidationError):
        OcpiResponse.model_validate(envelope)


def test_the_fast_path_returns_the_model_classes_themselves(start_session):
    from ocpi_ref import StartSession

    report, start = check_start_session_model(json.dumps(start_session).encode())
    assert report.conforms and type(start) is StartSession and type(start.token) is Token
    assert start == StartSession.model_validate(start_session)
