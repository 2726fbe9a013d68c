"""Evidence batches: recorded by the team on the day, idempotent by client id, conflicts
reported and never overwritten; read by the team, the school and the partnership lead; edited
by the author with If-Match; every change in the review's history."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.reviews.kit import LEAD, REVIEWER, RW, Kit
from tests.reviews.test_focus import FOCUS, _history, _review, _walk_to, put_focus
from tests.reviews.test_lifecycle import _people
from tests.support import assert_problem


async def _ready(kit: Kit, state: str = "review_day") -> tuple[uuid.UUID, list[str]]:
    """A review with an agreed focus of two questions, moved on to ``state``."""
    review_id = await _review(kit, "self_review")
    focus = await put_focus(kit, review_id, FOCUS, _people(kit)["head"])
    assert focus.status_code == 200, focus.text
    await _walk_to(kit, review_id, state)
    return review_id, [q["id"] for q in focus.json()["questions"]]


def _item(question: str, kind: str = "pupil_voice", note: str = "Pupils named books.") -> Any:
    return {"id": str(uuid.uuid4()), "question_id": question, "kind": kind, "note": note}


def _url(review_id: uuid.UUID) -> str:
    return f"/v1/reviews/{review_id}/evidence"


async def _all(kit: Kit, review_id: uuid.UUID, query: str = "") -> list[dict[str, Any]]:
    response = await kit.client.get(f"{_url(review_id)}?limit=100{query}", headers=kit.admin)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_a_batch_sent_twice_is_recorded_once(kit: Kit) -> None:
    review_id, questions = await _ready(kit)
    lead = _people(kit)["lead"]
    batch = {
        "items": [
            _item(questions[0], "lesson_visit"),
            _item(questions[0], "pupil_voice"),
            _item(questions[1], "work_scrutiny"),
        ]
    }
    first = await kit.client.post(f"{_url(review_id)}/batches", json=batch, headers=lead)
    assert first.status_code == 200, first.text
    assert [r["outcome"] for r in first.json()["results"]] == ["created"] * 3
    assert first.json()["results"][0]["stored"]["author_person_id"] == str(LEAD)
    again = await kit.client.post(f"{_url(review_id)}/batches", json=batch, headers=lead)
    assert again.status_code == 200, again.text
    assert [r["outcome"] for r in again.json()["results"]] == ["unchanged"] * 3
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 3)
    assert len(await _all(kit, review_id)) == 3
    actions = [h["action"] for h in await _history(kit, review_id)]
    assert actions.count("evidence_recorded") == 1
    # Filters.
    assert len(await _all(kit, review_id, f"&question={questions[0]}")) == 2
    assert [i["kind"] for i in await _all(kit, review_id, "&kind=work_scrutiny")] == [
        "work_scrutiny"
    ]
    page = await kit.client.get(f"{_url(review_id)}?limit=2", headers=kit.admin)
    assert len(page.json()["data"]) == 2
    assert page.json()["next_cursor"]


async def test_a_conflict_is_reported_not_overwritten(kit: Kit) -> None:
    review_id, questions = await _ready(kit, "feedback")
    reviewer = _people(kit)["reviewer"]
    item = _item(questions[0])
    assert (
        await kit.client.post(
            f"{_url(review_id)}/batches", json={"items": [item]}, headers=reviewer
        )
    ).status_code == 200
    changed = {**item, "note": "Four pupils named books."}
    fresh = _item(questions[1])
    response = await kit.client.post(
        f"{_url(review_id)}/batches", json={"items": [changed, fresh]}, headers=reviewer
    )
    assert response.status_code == 200, response.text
    conflict, created = response.json()["results"]
    assert conflict["outcome"] == "conflict"
    assert conflict["stored"]["note"] == item["note"]
    assert created["outcome"] == "created"
    stored = {i["id"]: i for i in await _all(kit, review_id)}
    assert stored[item["id"]]["note"] == item["note"]
    assert stored[item["id"]]["author_person_id"] == str(REVIEWER)


@pytest.mark.parametrize("state", ["pre_review", "report_drafted"])
async def test_outside_the_day_is_409(kit: Kit, state: str) -> None:
    review_id, questions = await _ready(kit, state)
    response = await kit.client.post(
        f"{_url(review_id)}/batches",
        json={"items": [_item(questions[0])]},
        headers=_people(kit)["lead"],
    )
    assert assert_problem(response, 409)["recording_states"] == ["review_day", "feedback"]
    assert await _all(kit, review_id) == []


async def test_only_the_team_records_evidence(kit: Kit) -> None:
    review_id, questions = await _ready(kit)
    people = _people(kit)
    batch = {"items": [_item(questions[0])]}
    for who in ("head", "ic", "partnership_lead"):
        response = await kit.client.post(
            f"{_url(review_id)}/batches", json=batch, headers=people[who]
        )
        assert_problem(response, 403)
    stranger = kit.token(*RW, person=uuid.uuid4())
    response = await kit.client.post(f"{_url(review_id)}/batches", json=batch, headers=stranger)
    assert_problem(response, 404)
    assert await _all(kit, review_id) == []
    # Reading: the team, the school and the partnership lead; not the IC, not a stranger.
    for who in ("head", "reviewer", "lead", "partnership_lead"):
        assert (await kit.client.get(_url(review_id), headers=people[who])).status_code == 200
    assert_problem(await kit.client.get(_url(review_id), headers=people["ic"]), 403)
    assert_problem(await kit.client.get(_url(review_id), headers=stranger), 404)


@pytest.mark.parametrize(
    "bad",
    [
        lambda q: {"items": [_item(str(uuid.uuid4()))]},
        lambda q: {"items": [_item(q, kind="gut_feeling")]},
        lambda q: {"items": [_item(q, note=" ")]},
        lambda q: {"items": [{**_item(q), "id": "not-a-uuid"}]},
        lambda q: {"items": []},
        lambda q: {"items": [_item(q), _item(str(uuid.uuid4()))]},
    ],
)
async def test_bad_batches_are_422_and_record_nothing(kit: Kit, bad: Any) -> None:
    review_id, questions = await _ready(kit)
    response = await kit.client.post(
        f"{_url(review_id)}/batches", json=bad(questions[0]), headers=_people(kit)["lead"]
    )
    assert_problem(response, 422)
    assert await _all(kit, review_id) == []


async def test_duplicate_ids_in_one_batch_are_422(kit: Kit) -> None:
    review_id, questions = await _ready(kit)
    item = _item(questions[0])
    response = await kit.client.post(
        f"{_url(review_id)}/batches", json={"items": [item, item]}, headers=_people(kit)["lead"]
    )
    assert_problem(response, 422)


async def test_the_author_edits_with_if_match(kit: Kit) -> None:
    review_id, questions = await _ready(kit)
    people = _people(kit)
    item = _item(questions[0])
    recorded = await kit.client.post(
        f"{_url(review_id)}/batches", json={"items": [item]}, headers=people["reviewer"]
    )
    etag = f'"{recorded.json()["results"][0]["stored"]["version"]}"'
    url = f"{_url(review_id)}/{item['id']}"
    change = {"note": "Five pupils named books.", "kind": "staff_voice"}
    by_lead = await kit.client.patch(url, json=change, headers={**people["lead"], "If-Match": etag})
    assert_problem(by_lead, 403)
    stale = await kit.client.patch(
        url, json=change, headers={**people["reviewer"], "If-Match": '"9"'}
    )
    assert_problem(stale, 412)
    unknown = await kit.client.patch(
        url,
        json={"question_id": str(uuid.uuid4())},
        headers={**people["reviewer"], "If-Match": etag},
    )
    assert_problem(unknown, 422)
    assert_problem(
        await kit.client.patch(url, json={}, headers={**people["reviewer"], "If-Match": etag}), 422
    )
    edited = await kit.client.patch(
        url, json=change, headers={**people["reviewer"], "If-Match": etag}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["note"] == change["note"]
    assert edited.headers["etag"] == f'"{edited.json()["version"]}"'
    assert edited.json()["version"] > 1
    # The old ETag is now stale: the other write loses nothing, it gets 412.
    assert_problem(
        await kit.client.patch(
            url, json={"note": "other"}, headers={**people["reviewer"], "If-Match": etag}
        ),
        412,
    )
    missing = await kit.client.patch(
        f"{_url(review_id)}/{uuid.uuid4()}",
        json=change,
        headers={**people["reviewer"], "If-Match": etag},
    )
    assert_problem(missing, 404)
    history = await _history(kit, review_id)
    assert [h["action"] for h in history].count("evidence_edited") == 1
    # A resend of the original now conflicts, and keeps the edit.
    again = await kit.client.post(
        f"{_url(review_id)}/batches", json={"items": [item]}, headers=people["reviewer"]
    )
    assert again.json()["results"][0]["outcome"] == "conflict"
    assert again.json()["results"][0]["stored"]["note"] == change["note"]


async def test_an_id_of_another_review_is_a_conflict_without_its_content(kit: Kit) -> None:
    first, q1 = await _ready(kit)
    second, q2 = await _ready(kit)
    lead = _people(kit)["lead"]
    item = _item(q1[0])
    assert (
        await kit.client.post(f"{_url(first)}/batches", json={"items": [item]}, headers=lead)
    ).status_code == 200
    reused = {**item, "question_id": q2[0]}
    response = await kit.client.post(
        f"{_url(second)}/batches", json={"items": [reused]}, headers=lead
    )
    result = response.json()["results"][0]
    assert (result["outcome"], result["stored"]) == ("conflict", None)
    assert await _all(kit, second) == []
