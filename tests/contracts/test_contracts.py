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
