"""Findings: written by the team from the review day to the report (If-Match; two reviewers
editing one finding: one wins, the other gets 412 with the winner's version and loses
nothing), resting on this review's evidence, triangulated by the plan's rule; read by the
team, the school and the IC."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.reviews.kit import LEAD, REVIEWER, RW, Kit
from tests.reviews.test_evidence import _item, _ready
from tests.reviews.test_focus import _history
from tests.reviews.walk import people
from tests.support import assert_problem


async def day_with_evidence(
    kit: Kit, state: str = "review_day"
) -> tuple[uuid.UUID, list[str], dict[str, str]]:
    """A review on its day with one evidence item of each of three kinds: {kind: item id}."""
    review_id, questions = await _ready(kit)
    items = {k: _item(questions[0], k) for k in ("lesson_visit", "pupil_voice", "work_scrutiny")}
    recorded = await kit.client.post(
        f"/v1/reviews/{review_id}/evidence/batches",
        json={"items": list(items.values())},
        headers=people(kit)["reviewer"],
    )
    assert recorded.status_code == 200, recorded.text
    return review_id, questions, {k: v["id"] for k, v in items.items()}


def finding(evidence: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "kind": "strength",
        "text": "Pupils talk with enthusiasm about the books they choose.",
        "theme_codes": ["curriculum.reading"],
        "evidence_ids": evidence,
        **extra,
    }


def _url(review_id: uuid.UUID) -> str:
    return f"/v1/reviews/{review_id}/findings"


async def test_findings_rest_on_evidence_and_are_triangulated(kit: Kit) -> None:
    review_id, questions, items = await day_with_evidence(kit)
    who = people(kit)
    lead = who["lead"]
    two_kinds = finding([items["lesson_visit"], items["pupil_voice"]], question_id=questions[0])
    created = await kit.client.post(
        _url(review_id), json=two_kinds, headers={**lead, "Idempotency-Key": "f-1"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["evidence_count"], body["triangulated"]) == (2, True)
    assert body["evidence_kinds"] == ["lesson_visit", "pupil_voice"]
    assert created.headers["location"] == f"{_url(review_id)}/{body['id']}"
    # The same key and body replays; nothing new.
    again = await kit.client.post(
        _url(review_id), json=two_kinds, headers={**lead, "Idempotency-Key": "f-1"}
    )
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == body["id"]
    one_kind = finding([items["work_scrutiny"]], kind="area_for_development")
    weak = await kit.client.post(_url(review_id), json=one_kind, headers=who["reviewer"])
    assert weak.json()["triangulated"] is False
    listed = await kit.client.get(_url(review_id), headers=who["head"])
    assert [f["id"] for f in listed.json()["data"]] == [body["id"], weak.json()["id"]]

    # Evidence of another review, an unknown item, a question not of this review, bad codes.
    _, _, other_items = await day_with_evidence(kit)
    for bad in (
        finding([other_items["lesson_visit"]]),
        finding([str(uuid.uuid4())]),
        finding([], question_id=str(uuid.uuid4())),
        finding([], theme_codes=["Not A Code"]),
        finding([], theme_codes=[]),
        finding([items["pupil_voice"], items["pupil_voice"]]),
        {**finding([]), "author_person_id": str(REVIEWER)},
    ):
        assert_problem(await kit.client.post(_url(review_id), json=bad, headers=lead), 422)
    await kit.taxonomy(1, {"curriculum": False, "curriculum.reading": False})
    retired = finding([], theme_codes=["curriculum.oracy"])
    problem = assert_problem(
        await kit.client.post(_url(review_id), json=retired, headers=lead), 422
    )
    assert "curriculum.oracy" in problem["errors"][0]["message"]

    # Readers: the team, the school and the IC; the partnership lead is 403; strangers 404.
    for reader in ("head", "ic", "reviewer"):
        got = await kit.client.get(f"{_url(review_id)}/{body['id']}", headers=who[reader])
        assert got.status_code == 200, (reader, got.text)
    assert_problem(await kit.client.get(_url(review_id), headers=kit.admin), 403)
    assert_problem(await kit.client.post(_url(review_id), json=two_kinds, headers=who["head"]), 403)
    stranger = kit.token(*RW, person=uuid.uuid4())
    assert_problem(await kit.client.get(_url(review_id), headers=stranger), 404)
    assert len((await kit.client.get(_url(review_id), headers=lead)).json()["data"]) == 2


async def test_two_reviewers_edit_one_finding(kit: Kit) -> None:
    review_id, _, items = await day_with_evidence(kit)
    who = people(kit)
    created = await kit.client.post(
        _url(review_id), json=finding([items["lesson_visit"]]), headers=who["lead"]
    )
    finding_id, etag = created.json()["id"], created.headers["etag"]
    url = f"{_url(review_id)}/{finding_id}"
    edits = {
        "lead": {"text": "Pupils choose books widely.", "evidence_ids": [items["pupil_voice"]]},
        "reviewer": {"text": "Most pupils choose books beyond the class reader."},
    }

    async def edit(person: str) -> Any:
        headers = {**who[person], "If-Match": etag}
        return person, await kit.client.patch(url, json=edits[person], headers=headers)

    outcomes = dict(await asyncio.gather(edit("lead"), edit("reviewer")))
    statuses = sorted(r.status_code for r in outcomes.values())
    assert statuses == [200, 412], [r.text for r in outcomes.values()]
    winner = next(p for p, r in outcomes.items() if r.status_code == 200)
    loser = "reviewer" if winner == "lead" else "lead"
    lost = assert_problem(outcomes[loser], 412)
    # The loser is given the winner's version, so nothing of either edit is lost.
    assert lost["current"]["text"] == edits[winner]["text"]
    stored = await kit.client.get(url, headers=who["lead"])
    assert stored.json()["text"] == edits[winner]["text"]
    assert stored.headers["etag"] == lost["current_etag"]
    retried = await kit.client.patch(
        url, json=edits[loser], headers={**who[loser], "If-Match": lost["current_etag"]}
    )
    assert retried.status_code == 200, retried.text
    final = retried.json()
    assert final["text"] == edits[loser]["text"]
    if winner == "lead":  # the lead's evidence change survives the reviewer's text edit
        assert final["evidence_ids"] == [items["pupil_voice"]]
    edited = [h for h in await _history(kit, review_id) if h["action"] == "finding_edited"]
    assert [h["actor_person_id"] for h in edited] == [
        str(LEAD if winner == "lead" else REVIEWER),
        str(REVIEWER if winner == "lead" else LEAD),
    ]
    # An evidence-only edit moves the ETag too.
    moved = await kit.client.patch(
        url,
        json={"evidence_ids": [items["lesson_visit"], items["work_scrutiny"]]},
        headers={**who["lead"], "If-Match": retried.headers["etag"]},
    )
    assert moved.headers["etag"] != retried.headers["etag"]
    assert moved.json()["triangulated"] is True
    # Bad patches; a stale withdrawal; a withdrawal.
    for bad in ({}, {"text": None}, {"evidence_ids": [str(uuid.uuid4())]}, {"kind": "opinion"}):
        response = await kit.client.patch(
            url, json=bad, headers={**who["lead"], "If-Match": moved.headers["etag"]}
        )
        assert_problem(response, 422)
    assert_problem(await kit.client.delete(url, headers={**who["lead"], "If-Match": etag}), 412)
    gone = await kit.client.delete(url, headers={**who["lead"], "If-Match": moved.headers["etag"]})
    assert gone.status_code == 204, gone.text
    assert_problem(await kit.client.get(url, headers=who["lead"]), 404)
    actions = [h["action"] for h in await _history(kit, review_id)]
    assert actions.count("finding_created") == 1
    assert actions.count("finding_withdrawn") == 1


async def test_findings_are_written_only_from_the_day(kit: Kit) -> None:
    review_id, _ = await _ready(kit, "pre_review")
    response = await kit.client.post(_url(review_id), json=finding([]), headers=people(kit)["lead"])
    assert assert_problem(response, 409)["writing_states"] == [
        "review_day",
        "feedback",
        "report_drafted",
    ]
