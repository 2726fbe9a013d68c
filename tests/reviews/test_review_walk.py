"""The reviews part of the end-to-end walk: a review planned on the schedule's stream is taken
through every stage by the tokens of the right roles (each move first tried by a wrong one),
with its self-evaluation, focus, evidence, findings, report, workshop, plan and 90-day review,
to closed; every event on the REVIEWS stream exactly once. The integrator joins this to the
real scheduling publish (tests/e2e) once that is on main."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta

from common.testing.nats import NatsServer
from contracts.events import TenancyPath
from contracts.schedule import REVIEW_PLANNED
from tests.reviews.conftest import LA, PARTNERSHIP, URN, Kit, plan
from tests.reviews.test_evidence import _item
from tests.reviews.test_focus import FOCUS, _history, put_focus
from tests.reviews.test_self_evaluation import SEF, put_sef
from tests.reviews.walk import WALK, advance, ok, people, published_events
from tests.support import assert_problem

#: For each move, a role that may not make it (403) though it sees the review.
WRONG = {
    "self_review": "lead",
    "pre_review": "reviewer",
    "review_day": "head",
    "feedback": "ic",
    "report_drafted": "partnership_lead",
    "workshop": "lead",
    "progress_review": "head",
    "closed": "lead",
}


async def test_a_review_walked_to_closed(kit: Kit, nats_server: NatsServer) -> None:
    await kit.agreement(partnership="named")
    review_id = uuid.uuid4()
    planned = plan(review_id, first_day=date.today() + timedelta(days=40))
    event = await kit.plan(planned)
    who = people(kit)
    base = f"/v1/reviews/{review_id}"
    findings: list[str] = []

    for to, right in WALK:
        if to in WRONG:
            before = (await kit.get(review_id)).json()
            assert_problem(await kit.move(review_id, to, who[WRONG[to]]), 403)
            assert (await kit.get(review_id)).json() == before
        if to == "pre_review":  # the school's self-evaluation and focus, in self_review
            assert ok(await put_sef(kit, review_id, {**SEF, "share": True}, who["head"]))
            assert ok(await put_focus(kit, review_id, FOCUS, who["head"]))
        if to == "review_day":  # agreed at the pre-review meeting, challenged by a reviewer
            challenge = {"text": "Is reading for pleasure the real question?"}
            ok(
                await kit.client.post(
                    f"{base}/focus/challenges", json=challenge, headers=who["reviewer"]
                ),
                201,
            )
            agreed = {**FOCUS, "agreed": True}
            ok(await put_focus(kit, review_id, agreed, who["lead"]))
        if to == "feedback":  # the day's evidence (a tablet resends its batch) and findings
            questions = ok(await kit.client.get(f"{base}/focus", headers=who["lead"]))["questions"]
            batch = {
                "items": [_item(questions[0]["id"], k) for k in ("lesson_visit", "pupil_voice")]
            }
            for _ in range(2):
                ok(
                    await kit.client.post(
                        f"{base}/evidence/batches", json=batch, headers=who["reviewer"]
                    )
                )
            strength = {
                "kind": "strength",
                "text": "Pupils choose books widely.",
                "theme_codes": ["curriculum.reading"],
                "evidence_ids": [i["id"] for i in batch["items"]],
                "question_id": questions[0]["id"],
            }
            created = ok(
                await kit.client.post(f"{base}/findings", json=strength, headers=who["lead"]), 201
            )
            assert created["triangulated"] is True
            findings.append(created["id"])
        moved = await advance(kit, review_id, to, right)
        assert moved.status_code == 200, (to, right, moved.text)
        assert (await kit.get(review_id)).json()["state"] == to

    # Every step by the right person, in the history.
    history = await _history(kit, review_id)
    moves = [
        (h["changes"]["state"]["to"], h["actor_person_id"])
        for h in history
        if h["action"] == "transitioned"
    ]
    assert [to for to, _ in moves] == [to for to, _ in WALK]
    assert len(history) < 100

    # The schedule's event delivered again changes nothing.
    count = len(history)
    duplicate = await kit.send(
        REVIEW_PLANNED,
        planned,
        tenancy=TenancyPath(LA, str(PARTNERSHIP), URN),
        key=f"review:{review_id}",
        event=event,
        dedupe=False,
    )
    later = await kit.plan(plan(uuid.uuid4(), first_day=date.today() + timedelta(days=60)))
    await kit.applied(duplicate, later)
    assert len(await _history(kit, review_id)) == count
    assert (await kit.get(review_id)).json()["state"] == "closed"

    # Every event exactly once.
    events = await published_events(kit, nats_server)
    mine = [e for _, e in events if e["data"]["review_id"] == str(review_id)]
    kinds = Counter(e["type"].split(".")[-3] + "." + e["type"].split(".")[-2] for e in mine)
    assert kinds == {
        "review.transitioned": len(WALK),
        "report.published": 1,
        "action_plan.agreed": 1,
        "progress.reviewed": 1,
        "review.closed": 1,
    }
    assert len({e["id"] for e in mine}) == len(mine)
    [report] = [e["data"] for e in mine if e["type"].endswith("report.published.v1")]
    assert [f["finding_id"] for f in report["findings"]] == findings
    assert report["text_shared"] is True
    assert report["untriangulated_override"] is False
