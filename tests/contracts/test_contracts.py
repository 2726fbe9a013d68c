from pathlib import Path

import pytest

from contracts.asyncapi import build_document, main, render
from contracts.catalog import ALL_EVENTS, by_type
from contracts.directory import SCHOOL_REGISTERED
from contracts.events import TenancyPath

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_asyncapi_document_is_current() -> None:
    assert main(["--check", str(ROOT / "docs" / "asyncapi.json")]) == 0, "run `make asyncapi`"


def test_stale_document_is_reported(tmp_path: Path) -> None:
    stale = tmp_path / "asyncapi.json"
    stale.write_text(render().replace("School", "Skool"))
    assert main(["--check", str(stale)]) == 1


def test_every_event_has_a_channel_message_and_payload_schema() -> None:
    document = build_document()
    assert document["asyncapi"].startswith("3.")
    for definition in ALL_EVENTS:
        key = definition.name.replace(".", "_")
        assert document["channels"][key]["address"].startswith(definition.name + ".")
        assert key in document["components"]["messages"]
        assert definition.payload.__name__ in document["components"]["schemas"]


def test_subject_carries_the_tenancy_path() -> None:
    subject = SCHOOL_REGISTERED.subject(TenancyPath(la="881", urn=115000))
    assert subject == "scheduling.school.registered.v1.881._.115000"
    assert SCHOOL_REGISTERED.type == "org.criticalfriend.scheduling.school.registered.v1"
    assert by_type(SCHOOL_REGISTERED.type) is SCHOOL_REGISTERED


@pytest.mark.parametrize("bad", ["a.b", "x y", "*", ">"])
def test_subject_tokens_cannot_smuggle_wildcards_or_dots(bad: str) -> None:
    with pytest.raises(ValueError, match="subject token"):
        SCHOOL_REGISTERED.subject(TenancyPath(la=bad))


def test_a_plan_payload_without_trainees_still_parses_and_one_with_them_round_trips() -> None:
    """Shadows and the assistant IC are optional: payloads sent before them are read the same,
    and new ones keep them."""
    from contracts.schedule import ImprovementChampion, TeamMember, TeamRole

    old = ImprovementChampion.model_validate(
        {"person_id": "01a20000-0000-7000-8000-000000000021", "home_urn": 115002}
    )
    assert old.assistant_person_id is None
    assert old.assistant_home_urn is None
    new = ImprovementChampion(
        person_id=old.person_id,
        home_urn=115002,
        assistant_person_id=old.person_id,
        assistant_home_urn=115003,
    )
    assert ImprovementChampion.model_validate_json(new.model_dump_json()) == new
    shadow = TeamMember.model_validate(
        {"person_id": str(old.person_id), "role": "shadow", "home_urn": None}
    )
    assert shadow.role is TeamRole.SHADOW
