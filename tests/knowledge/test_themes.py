"""The theme taxonomy: the shipped default, reading, and versioned administrator edits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from common.testing.apps import eventually
from common.testing.nats import NatsServer
from knowledge.intake.theme.service import load_default_taxonomy
from tests.knowledge.conftest import StartApp
from tests.knowledge.kit import knowledge_events, stream_size
from tests.support import assert_problem


async def _all_themes(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> tuple[list[dict[str, Any]], int]:
    themes: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/v1/themes", params=query, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        themes += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return themes, body["taxonomy_version"]


def test_the_shipped_default_is_a_well_formed_tree() -> None:
    data = load_default_taxonomy()
    codes = [t["code"] for t in data["themes"]]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code.count(".") < 3
        if "." in code:
            assert code.rsplit(".", 1)[0] in codes
    for needed in (
        "curriculum.reading.phonics",
        "send.identification",
        "wellbeing.staff",
        "wellbeing.organisation.commitment",
        "leadership.middle",
        "attendance",
        "behaviour",
        "disadvantaged",
        "early_years",
        "maths",
        "writing",
        "support_staff",
        "digital",
        "assessment",
        "engagement.pupil_voice",
    ):
        assert needed in codes
    for mapping in data["expertise_mapping"]:
        assert mapping["theme_code"] in codes
    # every expertise code scheduling records for people and review focus areas
    mapped = {m["expertise_code"] for m in data["expertise_mapping"]}
    assert mapped >= {
        "reading", "writing", "maths", "science", "send", "early_years", "behaviour",
        "attendance", "curriculum", "disadvantaged", "support_staff", "wellbeing", "digital",
        "leadership", "assessment", "safeguarding", "personal_development", "governance",
        "eal", "sixth_form",
    }  # fmt: skip


async def test_default_taxonomy_is_seeded_as_version_1(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    themes, version = await _all_themes(client, reader)
    assert version == 1
    assert len(themes) == len(load_default_taxonomy()["themes"])
    phonics = await client.get("/v1/themes/curriculum.reading.phonics", headers=reader)
    assert phonics.status_code == 200
    assert phonics.headers["etag"] == '"1"'
    body = phonics.json()
    assert body["parent"] == "curriculum.reading"
    assert body["depth"] == 3
    assert body["expertise_codes"] == ["phonics"]
    versions = (await client.get("/v1/themes/versions", headers=reader)).json()["data"]
    assert [v["version"] for v in versions] == [1]


async def test_filters_by_parent_and_prefix(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    children, _ = await _all_themes(client, reader, parent="curriculum.reading")
    assert {t["code"] for t in children} >= {
        "curriculum.reading.phonics",
        "curriculum.reading.comprehension",
    }
    assert all(t["parent"] == "curriculum.reading" for t in children)
    subtree, _ = await _all_themes(client, reader, prefix="wellbeing")
    codes = {t["code"] for t in subtree}
    assert "wellbeing" in codes
    assert "wellbeing.staff.control" in codes
    assert all(c == "wellbeing" or c.startswith("wellbeing.") for c in codes)
    # '_' is a literal, not a LIKE wildcard
    early, _ = await _all_themes(client, reader, prefix="early_years")
    assert all(t["code"].startswith("early_years") for t in early)
    none, _ = await _all_themes(client, reader, prefix="nothing")
    assert none == []


async def test_expertise_map(client: httpx.AsyncClient, reader: dict[str, str]) -> None:
    answer = await client.get("/v1/themes/expertise-map", headers=reader)
    assert answer.status_code == 200
    mapping = {m["expertise_code"]: m["theme_code"] for m in answer.json()["data"]}
    assert mapping["reading"] == "curriculum.reading"
    assert mapping["send"] == "send"
    assert mapping["wellbeing"] == "wellbeing"
    assert answer.json()["taxonomy_version"] == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_seed_is_published_once_and_not_again_on_restart(
    start_app: StartApp, nats_server: NatsServer, admin: dict[str, str]
) -> None:
    async with start_app() as client:
        [(subject, event)] = await knowledge_events(nats_server, 1)
        assert subject == "knowledge.taxonomy.updated.v1._._._"
        assert event["type"] == "org.criticalfriend.knowledge.taxonomy.updated.v1"
        assert event["partitionkey"] == "taxonomy"
        assert event["data"]["version"] == 1
        assert len(event["data"]["themes"]) == len(load_default_taxonomy()["themes"])
        assert (await client.get("/v1/themes", headers=admin)).json()["taxonomy_version"] == 1
    async with start_app() as client:  # same database: already seeded
        assert (await client.get("/v1/themes", headers=admin)).json()["taxonomy_version"] == 1
        added = await client.post(
            "/v1/themes",
            json={"code": "maths.times_tables", "label": "Times tables"},
            headers=admin,
        )
        assert added.status_code == 201, added.text

        async def second_arrived() -> bool:
            return await stream_size(nats_server) >= 2

        await eventually(second_arrived)
        events = await knowledge_events(nats_server, 2)
        assert [e["data"]["version"] for _, e in events] == [1, 2]
        assert await stream_size(nats_server) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_edit_bumps_the_version_and_publishes_once(
    client: httpx.AsyncClient, nats_server: NatsServer, admin: dict[str, str]
) -> None:
    await knowledge_events(nats_server, 1)
    renamed = await client.patch(
        "/v1/themes/digital.remote",
        json={"label": "Remote, virtual and blended learning"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["etag"] == '"2"'
    assert renamed.json()["changed_in"] == 2
    # a no-op changes nothing and publishes nothing
    same = await client.patch(
        "/v1/themes/digital.remote",
        json={"label": "Remote, virtual and blended learning"},
        headers={**admin, "If-Match": '"2"'},
    )
    assert same.status_code == 200
    assert same.headers["etag"] == '"2"'
    retired = await client.patch(
        "/v1/themes/digital.online_safety",
        json={"retired": True},
        headers={**admin, "If-Match": '"1"'},
    )
    assert retired.status_code == 200

    async def three() -> bool:
        return await stream_size(nats_server) >= 3

    await eventually(three)
    events = await knowledge_events(nats_server, 3)
    assert [e["data"]["version"] for _, e in events] == [1, 2, 3]
    themes = {t["code"]: t for t in events[1][1]["data"]["themes"]}
    assert themes["digital.remote"]["label"] == "Remote, virtual and blended learning"
    assert {t["code"]: t for t in events[2][1]["data"]["themes"]}["digital.online_safety"][
        "retired"
    ]
    assert await stream_size(nats_server) == 3
    versions = (await client.get("/v1/themes/versions", headers=admin)).json()["data"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert versions[0]["change"] == "retired digital.online_safety"


async def test_retire_keeps_the_code(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    retired = await client.patch(
        "/v1/themes/attendance.punctuality",
        json={"retired": True},
        headers={**admin, "If-Match": '"1"'},
    )
    assert retired.status_code == 200
    assert retired.json()["retired"] is True
    still = await client.get("/v1/themes/attendance.punctuality", headers=admin)
    assert still.status_code == 200
    assert still.json()["retired"] is True
    current, version = await _all_themes(client, admin, prefix="attendance")
    assert "attendance.punctuality" not in {t["code"] for t in current}
    assert version == 2
    everything, _ = await _all_themes(client, admin, prefix="attendance", include_retired=True)
    assert "attendance.punctuality" in {t["code"] for t in everything}
    # nothing new under a retired theme; a parent with current children cannot be retired
    under = await client.post(
        "/v1/themes", json={"code": "attendance.punctuality.late", "label": "Late"}, headers=admin
    )
    assert_problem(under, 409)
    parent = await client.patch(
        "/v1/themes/attendance", json={"retired": True}, headers={**admin, "If-Match": '"1"'}
    )
    assert_problem(parent, 409)
    reinstated = await client.patch(
        "/v1/themes/attendance.punctuality",
        json={"retired": False},
        headers={**admin, "If-Match": '"2"'},
    )
    assert reinstated.status_code == 200
    assert reinstated.json()["retired"] is False
    # there is no way to delete a theme
    deleted = await client.delete("/v1/themes/attendance.punctuality", headers=admin)
    assert_problem(deleted, 405)


async def test_add_theme(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    body = {"code": "curriculum.reading.vocabulary", "label": "Vocabulary"}
    added = await client.post("/v1/themes", json=body, headers={**admin, "Idempotency-Key": "k1"})
    assert added.status_code == 201, added.text
    assert added.headers["location"] == "/v1/themes/curriculum.reading.vocabulary"
    assert added.json()["added_in"] == 2
    again = await client.post("/v1/themes", json=body, headers={**admin, "Idempotency-Key": "k1"})
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    duplicate = await client.post("/v1/themes", json=body, headers=admin)
    assert_problem(duplicate, 409)
    top = await client.post(
        "/v1/themes", json={"code": "careers", "label": "Careers"}, headers=admin
    )
    assert top.status_code == 201
    assert (await client.get("/v1/themes", headers=admin)).json()["taxonomy_version"] == 3


async def test_adding_under_a_missing_parent_is_a_problem(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    answer = await client.post(
        "/v1/themes", json={"code": "science.physics", "label": "Physics"}, headers=admin
    )
    problem = assert_problem(answer, 409)
    assert problem["type"].endswith("parent-theme-missing")
    assert (await client.get("/v1/themes/science.physics", headers=admin)).status_code == 404
    assert (await client.get("/v1/themes", headers=admin)).json()["taxonomy_version"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"code": "Curriculum", "label": "Upper case"},
        {"code": "curriculum..reading", "label": "Empty segment"},
        {"code": "curriculum.reading-x", "label": "Hyphen"},
        {"code": "1maths", "label": "Digit first"},
        {"code": "a" * 121, "label": "Too long"},
        {"code": "versions", "label": "Reserved"},
        {"code": "curriculum.reading.phonics.synthetic.extra", "label": "Too deep"},
        {"code": "maths.fractions", "label": ""},
        {"code": "maths.fractions", "label": "Fractions", "parent": "maths"},
        {"code": 7, "label": "Number"},
    ],
)
async def test_bad_codes_are_422_and_change_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any]
) -> None:
    answer = await client.post("/v1/themes", json=body, headers=admin)
    problem = assert_problem(answer, 422)
    assert problem["errors"]
    assert (await client.get("/v1/themes", headers=admin)).json()["taxonomy_version"] == 1


async def test_bad_input_on_reads_and_patches(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert_problem(await client.get("/v1/themes/Not-A-Code", headers=admin), 422)
    assert_problem(await client.get("/v1/themes/nothing.here", headers=admin), 404)
    assert_problem(await client.get("/v1/themes", params={"prefix": "a b"}, headers=admin), 422)
    path = "/v1/themes/maths"
    assert_problem(await client.patch(path, json={"label": "M"}, headers=admin), 428)
    stale = await client.patch(path, json={"label": "M"}, headers={**admin, "If-Match": '"9"'})
    assert_problem(stale, 412)
    unknown = await client.patch(path, json={"code": "x"}, headers={**admin, "If-Match": '"1"'})
    assert_problem(unknown, 422)
    broken = await client.patch(
        path,
        content=b"{not json",
        headers={**admin, "If-Match": '"1"', "Content-Type": "application/json"},
    )
    assert_problem(broken, 400)
    theme = (await client.get(path, headers=admin)).json()
    assert theme["label"] == "Mathematics"
    assert theme["version"] == 1
