"""A review taken through every stage with each stage's content, by the tokens of the right
roles, each listed move first tried by a wrong one: the school's self-evaluation and focus, the
focus challenged and agreed, the day's evidence (the batch sent twice, as a tablet resends it),
a triangulated finding, the report, the workshop and a plan on that finding, the 90-day review,
closed. Shared by the reviews service's own walk and the end-to-end one (tests/e2e)."""

from __future__ import annotations

from typing import Any

from tests.reviews.test_evidence import _item
from tests.reviews.test_focus import FOCUS
from tests.reviews.test_self_evaluation import SEF
from tests.reviews.walk import WALK, ReviewId, Walker, ok
from tests.support import assert_problem

#: For each move, a role that may not make it (403) though it sees the review.
WRONG: dict[str, tuple[str, int]] = {
    "self_review": ("lead", 403),
    "pre_review": ("reviewer", 403),
    "review_day": ("head", 403),
    "feedback": ("ic", 403),
    "report_drafted": ("partnership_lead", 403),
    "workshop": ("lead", 403),
    "progress_review": ("head", 403),
    "closed": ("lead", 403),
}
EVIDENCE_KINDS = ("lesson_visit", "pupil_voice", "work_scrutiny", "learning_walk")
STRENGTH_TEXT = "Pupils choose books widely."


async def walk_every_stage(
    walker: Walker, review_id: ReviewId, wrong: dict[str, tuple[str, int]] = WRONG
) -> list[str]:
    """Walk the review from ``planned`` to ``closed``; ``wrong``: for a move, who tries it first
    and the problem they get (the review unchanged). Returns the findings' ids."""
    who = walker.who
    base = f"/v1/reviews/{review_id}"
    findings: list[str] = []
    for to, right in WALK:
        if to in wrong:
            role, status = wrong[to]
            before = (await walker.get(review_id)).json()
            assert_problem(await walker.move(review_id, to, who[role]), status)
            assert (await walker.get(review_id)).json() == before
        if to == "pre_review":  # the school's self-evaluation and focus, in self_review
            ok(
                await walker.put_whole(
                    review_id, "self-evaluation", {**SEF, "share": True}, who["head"]
                )
            )
            ok(await walker.put_whole(review_id, "focus", FOCUS, who["head"]))
        if to == "review_day":  # agreed at the pre-review meeting, challenged by a reviewer
            challenge = {"text": "Is reading for pleasure the real question?"}
            ok(
                await walker.client.post(
                    f"{base}/focus/challenges", json=challenge, headers=who["reviewer"]
                ),
                201,
            )
            ok(await walker.put_whole(review_id, "focus", {**FOCUS, "agreed": True}, who["lead"]))
        if to == "feedback":
            findings.append(await _evidence_and_finding(walker, review_id))
        moved = await walker.advance(review_id, to, right, findings=findings)
        assert moved.status_code == 200, (to, right, moved.text)
        assert (await walker.get(review_id)).json()["state"] == to
    return findings


async def _evidence_and_finding(walker: Walker, review_id: ReviewId) -> str:
    """The day's evidence, as many kinds as the plan's triangulation rule asks (the batch sent
    twice: recorded once), and a strength resting on it (triangulated)."""
    who = walker.who
    base = f"/v1/reviews/{review_id}"
    review = (await walker.get(review_id)).json()
    questions = ok(await walker.client.get(f"{base}/focus", headers=who["lead"]))["questions"]
    kinds = EVIDENCE_KINDS[: review["triangulation_min_kinds"]]
    batch: dict[str, Any] = {"items": [_item(questions[0]["id"], k) for k in kinds]}
    for outcome in ("created", "unchanged"):
        sent = ok(
            await walker.client.post(
                f"{base}/evidence/batches", json=batch, headers=who["reviewer"]
            )
        )
        assert [r["outcome"] for r in sent["results"]] == [outcome] * len(kinds)
    strength = {
        "kind": "strength",
        "text": STRENGTH_TEXT,
        "theme_codes": ["curriculum.reading"],
        "evidence_ids": [i["id"] for i in batch["items"]],
        "question_id": questions[0]["id"],
    }
    created = ok(
        await walker.client.post(f"{base}/findings", json=strength, headers=who["lead"]), 201
    )
    assert created["triangulated"] is True
    finding_id: str = created["id"]
    return finding_id
