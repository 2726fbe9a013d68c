"""The self-evaluation: written by the school in self-review (If-Match), aggregates only, every
figure checked against its range and the cohort; read by the school, and by the team and IC
once shared (explicitly, or from pre-review on); every change in the review's history."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx

from tests.reviews.kit import IC, Kit
from tests.reviews.test_focus import _history, _review, _walk_to
from tests.reviews.test_lifecycle import _people
from tests.support import assert_problem


def _ks2_reading() -> dict[str, Any]:
    return {
        "assessment": "ks2",
        "subject": "reading",
        "groups": [
            {
                "group": "all",
                "cohort": 30,
                "counts": {"below_expected": 6, "expected": 15, "higher": 9},
                "expected_pct": 80,
                "higher_pct": 30,
                "average_score": 106.2,
            },
            {
                "group": "disadvantaged",
                "cohort": 8,
                "counts": {"below_expected": 3, "expected": 4, "higher": 1},
            },
            {
                "group": "not_disadvantaged",
                "cohort": 22,
                "counts": {"below_expected": 3, "expected": 11, "higher": 8},
            },
        ],
    }


SEF: dict[str, Any] = {
    "data_summary": {
        "data_year": "2025-26",
        "results": [
            _ks2_reading(),
            {
                "assessment": "in_school",
                "subject": "maths",
                "year_group": 4,
                "groups": [{"group": "all", "cohort": 28, "expected_pct": 71.4}],
            },
            {
                "assessment": "multiplication_check",
                "subject": "multiplication",
                "groups": [{"group": "all", "cohort": 28, "average_score": 21.3}],
            },
        ],
    },
    "strengths": [{"text": "Phonics from Reception.", "theme_codes": ["curriculum.reading"]}],
    "weaknesses": [{"text": "Disadvantaged pupils read less widely."}],
}


def _url(review_id: uuid.UUID) -> str:
    return f"/v1/reviews/{review_id}/self-evaluation"


async def put_sef(
    kit: Kit, review_id: uuid.UUID, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    current = await kit.client.get(_url(review_id), headers=_people(kit)["head"])
    if current.status_code == 404:
        current = await kit.get(review_id)
    etag = current.headers["etag"]
    return await kit.client.put(_url(review_id), json=body, headers={**headers, "If-Match": etag})


def _broken(change: Any) -> dict[str, Any]:
    body = copy.deepcopy(SEF)
    change(body["data_summary"]["results"][0])
    return body


def _group(name: str) -> Any:
    def pick(result: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = next(g for g in result["groups"] if g["group"] == name)
        return found

    return pick


BAD_SUMMARIES = {
    "percentage over 100": lambda r: _group("all")(r).update(expected_pct=101),
    "higher above expected": lambda r: _group("all")(r).update(higher_pct=90),
    "counts not the cohort": lambda r: _group("all")(r).update(cohort=31),
    "percentage not the counts": lambda r: _group("all")(r).update(expected_pct=60),
    "scaled score out of range": lambda r: _group("all")(r).update(average_score=121),
    "groups not adding up": lambda r: _group("disadvantaged")(r).update(
        cohort=9, counts={"below_expected": 4, "expected": 4, "higher": 1}
    ),
    "group counts not adding up": lambda r: _group("disadvantaged")(r).update(
        counts={"below_expected": 2, "expected": 5, "higher": 1}
    ),
    "a single pupil": lambda r: r["groups"].append(
        {"group": "ehc_plan", "cohort": 1, "expected_pct": 100}
    ),
    "no whole cohort": lambda r: r["groups"].pop(0),
    "subject of another assessment": lambda r: r.update(subject="attainment_8"),
    "pupil-level field": lambda r: _group("all")(r).update(pupils=[{"name": "A. Pupil"}]),
    "a group twice": lambda r: r["groups"].append(dict(r["groups"][1])),
    "statutory with a year group": lambda r: r.update(year_group=6),
    "no measure": lambda r: r["groups"].__setitem__(0, {"group": "all", "cohort": 30}),
}


async def test_the_school_writes_and_shares_the_team_reads(kit: Kit) -> None:
    people = _people(kit)
    head, lead = people["head"], people["lead"]
    review_id = await _review(kit, "planned")
    assert_problem(await put_sef(kit, review_id, SEF, head), 409)  # not before self_review
    await _walk_to(kit, review_id, "self_review")
    assert_problem(await kit.client.get(_url(review_id), headers=head), 404)
    assert_problem(await put_sef(kit, review_id, SEF, lead), 403)  # the school's alone

    written = await put_sef(kit, review_id, SEF, head)
    assert written.status_code == 200, written.text
    assert written.json()["shared_with_team"] is False
    assert written.headers["etag"] == f'"{written.json()["version"]}"'
    assert written.json()["data_summary"]["results"][0]["groups"][0]["average_score"] == 106.2
    # Not shared yet: the team cannot read it; the partnership lead never does.
    for who in ("lead", "reviewer", "ic"):
        assert_problem(await kit.client.get(_url(review_id), headers=people[who]), 404)
    assert_problem(await kit.client.get(_url(review_id), headers=kit.admin), 403)

    # Bad figures: 422 and nothing changes.
    for name, change in BAD_SUMMARIES.items():
        response = await put_sef(kit, review_id, _broken(change), head)
        assert response.status_code == 422, (name, response.text)
        assert_problem(response, 422)
    unknown_code = {**SEF, "strengths": [{"text": "x", "theme_codes": ["Not A Code"]}]}
    assert_problem(await put_sef(kit, review_id, unknown_code, head), 422)
    stored = await kit.client.get(_url(review_id), headers=head)
    assert stored.json()["version"] == written.json()["version"]

    # Stale If-Match: 412.
    stale = await kit.client.put(_url(review_id), json=SEF, headers={**head, "If-Match": '"99"'})
    assert_problem(stale, 412)

    shared = await put_sef(kit, review_id, {**SEF, "share": True}, head)
    assert shared.status_code == 200, shared.text
    assert shared.json()["shared_with_team"] is True
    for who in ("lead", "reviewer", "ic"):
        seen = await kit.client.get(_url(review_id), headers=people[who])
        assert seen.status_code == 200, seen.text
        assert seen.json()["weaknesses"] == [
            {"text": "Disadvantaged pupils read less widely.", "theme_codes": []}
        ]
    assert (
        await kit.client.get(_url(review_id), headers=kit.token("reviews:read", person=IC))
    ).status_code == 200

    # After self-review it is frozen.
    await _walk_to(kit, review_id, "pre_review")
    assert_problem(await put_sef(kit, review_id, SEF, head), 409)
    actions = [h["action"] for h in await _history(kit, review_id)]
    assert actions.count("self_evaluation_set") == 1
    assert actions.count("self_evaluation_shared") == 1
    [entry] = [h for h in await _history(kit, review_id) if h["action"] == "self_evaluation_shared"]
    assert list(entry["changes"]) == ["shared_at"]


async def test_pre_review_shares_it(kit: Kit) -> None:
    people = _people(kit)
    review_id = await _review(kit, "self_review")
    assert (await put_sef(kit, review_id, SEF, people["head"])).status_code == 200
    assert_problem(await kit.client.get(_url(review_id), headers=people["reviewer"]), 404)
    await _walk_to(kit, review_id, "pre_review")
    seen = await kit.client.get(_url(review_id), headers=people["reviewer"])
    assert seen.status_code == 200, seen.text
    assert seen.json()["shared_with_team"] is True
    assert seen.json()["shared_at"] is None
