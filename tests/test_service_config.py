"""The reference CPO's TOML configuration: the example loads, bad values name their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocpi_ref.party import PartyId
from ocpi_ref.cpo.config import Behaviour, Car, ConfigError, load_config, parse_config
from ocpi_ref.cpo.demo import demo_config_dict

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cpo.toml"


def test_example_config_loads_with_partners_and_charge_points() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.party == PartyId("BE", "REF")
    assert cfg.charge_point_deadline < cfg.command_timeout
    names = {p.name for p in cfg.partners}
    assert {"TNM", "HUB"} <= names
    hub = next(p for p in cfg.partners if p.name == "HUB")
    assert len(hub.roles) == 2 and hub.callback_token and hub.token
    assert cfg.behaviour("CP-SILENT") is Behaviour.SILENT
    assert cfg.car("cp-no-car") is Car.NEVER  # Charge Point ids are CiStrings


@pytest.mark.rule("commands.timeout-when-silent")
def test_charge_point_deadline_must_be_shorter_than_advertised_timeout() -> None:
    raw = demo_config_dict(command_timeout=5, charge_point_deadline=5)
    with pytest.raises(ConfigError, match=r"^/cpo/charge_point_deadline: "):
        parse_config(raw)


@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        (lambda r: r["partners"][1].pop("callback_token"), "/partners/1/callback_token: missing"),
        (lambda r: r["partners"][0].__setitem__("roles", ["nope"]), "/partners/0/roles/0: "),
        (lambda r: r["locations"][0]["charge_points"][2].__setitem__("behaviour", "sulks"),
         "/locations/0/charge_points/2/behaviour: 'sulks' is not one of"),
        (lambda r: r["cpo"].__setitem__("max_body_bytes", "big"), "/cpo/max_body_bytes: must be"),
        (lambda r: r["partners"][1].__setitem__("token", r["partners"][0]["token"]), "/partners/1/token: "),
    ],
)
def test_bad_config_names_the_key(edit, pointer: str) -> None:
    raw = demo_config_dict()
    edit(raw)
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert str(info.value).startswith(pointer)


def test_missing_or_broken_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[cpo\n")
    with pytest.raises(ConfigError, match="is not TOML"):
        load_config(bad)


@pytest.mark.rule("commands.backlog-limit", "commands.body-read-timeout")
def test_backlog_body_timeout_and_public_url_are_read_and_checked() -> None:
    cfg = load_config(EXAMPLE)
    assert (cfg.max_backlog, cfg.body_read_timeout, cfg.public_url) == (1000, 10.0, None)
    raw = demo_config_dict(max_backlog=5, body_read_timeout=0.5, public_url="https://cpo.example.com/")
    cfg = parse_config(raw)
    assert (cfg.max_backlog, cfg.body_read_timeout, cfg.public_url) == (5, 0.5, "https://cpo.example.com")
    for key, value, where in [("max_backlog", 0, "/cpo/max_backlog"), ("body_read_timeout", "x", "/cpo/body_read_timeout"),
                              ("public_url", "ftp://x", "/cpo/public_url")]:
        with pytest.raises(ConfigError, match=where):
            parse_config(demo_config_dict(**{key: value}))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["locations"][0]["charge_points"][1].__setitem__("behavior", "rejects"),
         "/locations/0/charge_points/1/behavior: unknown key 'behavior'; did you mean `behaviour`?"),
        (lambda r: r["partners"][0].__setitem__("authorisation", "either"),
         "/partners/0/authorisation: unknown key 'authorisation'; did you mean `authorization`?"),
        (lambda r: r["cpo"].__setitem__("comand_timeout", 30),
         "/cpo/comand_timeout: unknown key 'comand_timeout'; did you mean `command_timeout`?"),
        (lambda r: r["locations"][0]["charge_points"][0]["evses"][0].__setitem__("colour", "red"),
         "/locations/0/charge_points/0/evses/0/colour: unknown key 'colour'"),
        (lambda r: r.__setitem__("a/b~", 1), "/a~1b~0: unknown key 'a/b~'"),
    ],
)
def test_an_unknown_key_is_an_error_naming_it_and_the_key_meant(edit, message: str) -> None:
    raw = demo_config_dict()
    edit(raw)
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert str(info.value) == message


def test_a_typo_that_leads_to_another_error_is_named_first() -> None:
    """``comand_timeout = 60`` leaves command_timeout at 30, so the deadline of 40 looks wrong:
    the typo is the cause, and is said first."""
    raw = demo_config_dict(charge_point_deadline=40)
    raw["cpo"]["comand_timeout"] = raw["cpo"].pop("command_timeout") * 2
    with pytest.raises(ConfigError, match=r"^/cpo/comand_timeout: unknown key .*did you mean `command_timeout`\? "
                       r"\(and so: /cpo/charge_point_deadline: "):
        parse_config(raw)
    raw = demo_config_dict()
    raw["cop"] = raw.pop("cpo")
    with pytest.raises(ConfigError, match=r"^/cop: unknown key 'cop'; did you mean `cpo`\?"):
        parse_config(raw)


def test_every_key_of_the_example_and_the_demo_is_known() -> None:
    """The check knows what the parser reads: nothing in the shipped configurations is refused,
    and a key read by the parser (at any depth) is never reported."""
    parse_config(demo_config_dict())
    load_config(EXAMPLE)


def test_a_typo_in_the_file_stops_the_cpo_with_exit_2(tmp_path, capsys) -> None:
    from ocpi_ref.cli import main

    text = EXAMPLE.read_text().replace('behaviour = "rejects"', 'behavior = "rejects"', 1)
    assert 'behavior = "rejects"' in text
    bad = tmp_path / "cpo.toml"
    bad.write_text(text)
    assert main(["cpo", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ocpi-ref cpo: /locations/") and err.endswith("did you mean `behaviour`?")
    assert "\n" not in err


def test_a_misspelt_capability_is_an_error() -> None:
    raw = demo_config_dict()
    raw["locations"][0]["charge_points"][0]["evses"][0]["capabilities"] = ["START_SESSION_CONNECTOR_REQUIRD"]
    with pytest.raises(ConfigError, match=r"^/locations/0/charge_points/0/evses/0/capabilities/0: .*"
                       r"did you mean START_SESSION_CONNECTOR_REQUIRED\?"):
        parse_config(raw)
