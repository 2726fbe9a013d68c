"""The reviewer expertise vocabulary (scheduling's) and the theme taxonomy (knowledge's) agree:
every expertise code a person or a school's request can carry maps to a current theme of the
shipped taxonomy, and the mapping names no code scheduling would refuse."""

from __future__ import annotations

from knowledge.answers.library.service import load_default_sources
from knowledge.answers.library.stages import Stage
from knowledge.intake.theme.service import load_default_taxonomy
from scheduling.directory.expertise import Expertise


def _taxonomy() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    data = load_default_taxonomy()
    themes = {t["code"]: t for t in data["themes"]}
    mapping = {m["expertise_code"]: m["theme_code"] for m in data["expertise_mapping"]}
    return themes, mapping


def test_every_expertise_code_maps_to_a_current_theme() -> None:
    themes, mapping = _taxonomy()
    for code in Expertise:
        assert code.value in mapping, f"expertise {code.value!r} maps to no theme"
        theme = themes.get(mapping[code.value])
        assert theme is not None, f"{code.value!r} maps to unknown theme {mapping[code.value]!r}"
        assert not theme.get("retired", False)


def test_the_mapping_names_only_codes_scheduling_accepts() -> None:
    _, mapping = _taxonomy()
    assert set(mapping) <= {e.value for e in Expertise}


def test_every_shipped_source_tags_current_themes_and_known_stages() -> None:
    themes, _ = _taxonomy()
    stages = {s.value for s in Stage}
    for source in load_default_sources():
        assert set(source["theme_codes"]) <= set(themes), source["title"]
        assert set(source.get("stages", [])) <= stages, source["title"]


def test_every_top_level_theme_of_the_shipped_taxonomy_has_a_shipped_source() -> None:
    themes, _ = _taxonomy()
    tagged = {code for s in load_default_sources() for code in s["theme_codes"]}
    for top in (c for c in themes if "." not in c):
        assert any(c == top or c.startswith(top + ".") for c in tagged), top
