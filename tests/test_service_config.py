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
