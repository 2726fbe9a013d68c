"""cf-demo's command line: sizes, steps and the services' URLs from the environment."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from demo.cli import build_parser, config_from, main
from demo.county.generate import FULL


def test_defaults_are_the_full_county_against_make_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCHEDULING_URL", "REVIEWS_URL", "KNOWLEDGE_URL"):
        monkeypatch.delenv(name, raising=False)
    config = config_from(build_parser().parse_args([]))
    assert config.size == FULL
    assert config.urls == {
        "scheduling": "http://127.0.0.1:8001",
        "reviews": "http://127.0.0.1:8002",
        "knowledge": "http://127.0.0.1:8003",
    }
    assert config.only == frozenset()


def test_urls_come_from_the_environment_and_sizes_from_the_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHEDULING_URL", "http://scheduling.internal:80")
    monkeypatch.setenv("KNOWLEDGE_URL", "http://knowledge.internal:80")
    args = ["--seed", "3", "--partnerships", "4", "--schools", "0", "--steps", "preflight,people"]
    config = config_from(build_parser().parse_args(args))
    assert config.urls["scheduling"] == "http://scheduling.internal:80"
    assert config.urls["knowledge"] == "http://knowledge.internal:80"
    assert config.seed == 3
    assert config.size.partnerships == 4
    assert config.size.target_schools is None
    assert config.only == {"preflight", "people"}


def test_an_unknown_step_or_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown step"):
        config_from(build_parser().parse_args(["--steps", "timetable"]))
    with pytest.raises(ValueError, match="partnerships"):
        config_from(build_parser().parse_args(["--partnerships", "40"]))


def test_cf_finds_the_command_through_its_entry_point() -> None:
    """What `cf demo` needs: the `cf.commands` entry point group names demo.cli:main."""
    command = entry_points(group="cf.commands")["demo"]
    assert command.load() is main


def test_the_year_planned_is_an_option() -> None:
    assert config_from(build_parser().parse_args(["--year", "2027"])).first_year == 2027
    with pytest.raises(ValueError, match="year"):
        config_from(build_parser().parse_args(["--year", "27"]))


def test_cf_demo_is_the_demo_command(capsys: pytest.CaptureFixture[str]) -> None:
    """``cf`` finds ``demo`` through the entry point and hands it the rest of the line."""
    from common.cli import main as cf_main
    from common.cli import plugins

    assert "demo" in plugins()
    with pytest.raises(SystemExit) as exit_info:
        cf_main(["demo", "--help"])
    assert exit_info.value.code == 0
    assert "usage: cf demo" in capsys.readouterr().out


def test_every_review_is_walked_unless_a_sample_is_asked_for() -> None:
    assert config_from(build_parser().parse_args([])).sample is None
    config = config_from(build_parser().parse_args(["--sample", "40", "--timings"]))
    assert (config.sample, config.timings) == (40, True)
    with pytest.raises(ValueError, match="sample"):
        config_from(build_parser().parse_args(["--sample", "-1"]))
