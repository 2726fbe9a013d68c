"""Focus and enquiry questions: set by the school or the lead reviewer in self-review and
pre-review, one to five questions, theme codes checked, agreed by the lead at the pre-review
meeting; challenge notes append-only; every change in the review's history."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.reviews.kit import LEAD, REVIEWER, Kit, plan
from tests.reviews.test_lifecycle import _people
from tests.reviews.walk import walk_to
from tests.support import assert_problem

FOCUS: dict[str, Any] = {
    "text": "Reading for pleasure in upper key stage 2",
    "theme_codes": ["curriculum.reading"],
    "questions": [{"text": "How well do pupils choose books?"}, {"text": "What about home?"}],
}


async def _walk_to(kit: Kit, review_id: uuid.UUID, state: str) -> None:
    await walk_to(kit, review_id, state)


async def _review(kit: Kit, state: str) -> uuid.UUID:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    await _walk_to(kit, review_id, state)
    return review_id


async def put_focus(
    kit: Kit, review_id: uuid.UUID, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    current = await kit.client.get(f"/v1/reviews/{review_id}/focus", headers=kit.admin)
    if current.status_code == 404:
        current = await kit.get(review_id)
    return await kit.client.put(
        f"/v1/reviews/{review_id}/focus",
        json=body,
        headers={**headers, "If-Match": current.headers["etag"]},
    )


async def _history(kit: Kit, review_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await kit.client.get(f"/v1/reviews/{review_id}/history?limit=100", headers=kit.admin)
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_school_sets_and_lead_agrees(kit: Kit) -> None:
    people = _people(kit)
    review_id = await _review(kit, "self_review")
    assert_problem(await kit.client.get(f"/v1/reviews/{review_id}/focus", headers=kit.admin), 404)
    created = await put_focus(kit, review_id, FOCUS, people["head"])
    assert created.status_code == 200, created.text
    body = created.json()
    assert [q["number"] for q in body["questions"]] == [1, 2]
    assert body["agreed_at"] is None
    assert created.headers["etag"] == f'"{body["version"]}"'

    # Agreement comes at the pre-review meeting, from the lead reviewer only.
    early = await put_focus(kit, review_id, {**FOCUS, "agreed": True}, people["lead"])
    assert_problem(early, 409)
    await _walk_to(kit, review_id, "pre_review")
    kept = [{"id": q["id"], "text": q["text"]} for q in body["questions"]]
    by_head = await put_focus(
        kit, review_id, {**FOCUS, "questions": kept, "agreed": True}, people["head"]
    )
    assert_problem(by_head, 403)
    agreed = await put_focus(
        kit, review_id, {**FOCUS, "questions": kept, "agreed": True}, people["lead"]
    )
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["agreed_by"] == str(LEAD)
    assert agreed.json()["agreed_at"] is not None
    assert [q["id"] for q in agreed.json()["questions"]] == [q["id"] for q in body["questions"]]

    actions = [h["action"] for h in await _history(kit, review_id)]
    assert actions.count("focus_set") == 1
    assert actions.count("focus_agreed") == 1

    # The focus cannot change after the pre-review stage.
    await _walk_to(kit, review_id, "review_day")
    assert_problem(await put_focus(kit, review_id, FOCUS, people["lead"]), 409)
    final = await kit.client.get(f"/v1/reviews/{review_id}/focus", headers=people["reviewer"])
    assert final.json() == agreed.json()


@pytest.mark.parametrize("state", ["planned", "feedback"])
async def test_focus_outside_its_states_is_409(kit: Kit, state: str) -> None:
    review_id = await _review(kit, state)
    response = await put_focus(kit, review_id, FOCUS, _people(kit)["head"])
    body = assert_problem(response, 409)
    assert body["editable_states"] == ["self_review", "pre_review"]
    assert_problem(await kit.client.get(f"/v1/reviews/{review_id}/focus", headers=kit.admin), 404)


@pytest.mark.parametrize("who", ["reviewer", "ic", "partnership_lead"])
async def test_only_school_or_lead_sets_the_focus(kit: Kit, who: str) -> None:
    review_id = await _review(kit, "self_review")
    assert_problem(await put_focus(kit, review_id, FOCUS, _people(kit)[who]), 403)


@pytest.mark.parametrize(
    "change",
    [
        {"questions": []},
        {"questions": [{"text": f"Q{i}"} for i in range(6)]},
        {"theme_codes": ["Curriculum Reading"]},
        {"theme_codes": ["curriculum..reading"]},
        {"theme_codes": []},
        {"theme_codes": ["a.b", "a.b"]},
        {"text": "  "},
        {"questions": [{"id": str(uuid.uuid4()), "text": "unknown id"}]},
        {"colour": "red"},
    ],
)
async def test_bad_focus_is_422_and_nothing_changes(kit: Kit, change: dict[str, Any]) -> None:
    review_id = await _review(kit, "self_review")
    before = await kit.get(review_id)
    response = await put_focus(kit, review_id, {**FOCUS, **change}, _people(kit)["head"])
    assert_problem(response, 422)
    assert (await kit.get(review_id)).json() == before.json()
    assert_problem(await kit.client.get(f"/v1/reviews/{review_id}/focus", headers=kit.admin), 404)


async def test_five_questions_are_allowed(kit: Kit) -> None:
    review_id = await _review(kit, "self_review")
    body = {**FOCUS, "questions": [{"text": f"Q{i}"} for i in range(5)]}
    response = await put_focus(kit, review_id, body, _people(kit)["lead"])
    assert response.status_code == 200, response.text
    assert [q["text"] for q in response.json()["questions"]] == [f"Q{i}" for i in range(5)]


async def test_stale_if_match_is_412(kit: Kit) -> None:
    head = _people(kit)["head"]
    review_id = await _review(kit, "self_review")
    assert (await put_focus(kit, review_id, FOCUS, head)).status_code == 200
    stale = await kit.client.put(
        f"/v1/reviews/{review_id}/focus",
        json={**FOCUS, "text": "Writing"},
        headers={**head, "If-Match": '"99"'},
    )
    assert_problem(stale, 412)
    current = await kit.client.get(f"/v1/reviews/{review_id}/focus", headers=head)
    assert current.json()["text"] == FOCUS["text"]


async def test_challenges_are_kept_in_order(kit: Kit) -> None:
    people = _people(kit)
    review_id = await _review(kit, "self_review")
    url = f"/v1/reviews/{review_id}/focus/challenges"
    # Nothing to challenge yet.
    assert_problem(await kit.client.post(url, json={"text": "x"}, headers=people["reviewer"]), 409)
    assert (await put_focus(kit, review_id, FOCUS, people["head"])).status_code == 200
    for who, text in [("reviewer", "Too safe"), ("lead", "Sharpen question 2")]:
        response = await kit.client.post(url, json={"text": text}, headers=people[who])
        assert response.status_code == 201, response.text
    assert_problem(await kit.client.post(url, json={"text": "x"}, headers=people["head"]), 403)
    assert_problem(await kit.client.post(url, json={"text": ""}, headers=people["lead"]), 422)
    listed = (await kit.client.get(url, headers=people["head"])).json()["data"]
    assert [c["text"] for c in listed] == ["Too safe", "Sharpen question 2"]
    assert listed[0]["author_person_id"] == str(REVIEWER)
    actions = [h["action"] for h in await _history(kit, review_id)]
    assert actions.count("focus_challenged") == 2
    await _walk_to(kit, review_id, "review_day")
    assert_problem(await kit.client.post(url, json={"text": "x"}, headers=people["lead"]), 409)


async def test_challenges_cannot_be_changed(kit: Kit) -> None:
    import sqlalchemy as sa

    from reviews.focus.models import AppendOnlyError, FocusChallenge

    people = _people(kit)
    review_id = await _review(kit, "self_review")
    assert (await put_focus(kit, review_id, FOCUS, people["head"])).status_code == 200
    url = f"/v1/reviews/{review_id}/focus/challenges"
    assert (
        await kit.client.post(url, json={"text": "a"}, headers=people["lead"])
    ).status_code == 201
    async with kit.db.session() as session:
        note = await session.scalar(sa.select(FocusChallenge))
        assert note is not None
        note.text = "forged"
        with pytest.raises(AppendOnlyError):
            await session.flush()
    for statement in (
        "UPDATE focus_challenges SET text = 'forged'",
        "DELETE FROM focus_challenges",
    ):
        async with kit.db.session() as session:
            with pytest.raises(sa.exc.DBAPIError):
                await session.execute(sa.text(statement))
    listed = await kit.client.get(url, headers=people["head"])
    assert [c["text"] for c in listed.json()["data"]] == ["a"]
