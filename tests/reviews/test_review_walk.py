"""The reviews part of the end-to-end walk: a review planned on the schedule's stream is taken
through every stage by the tokens of the right roles (each move first tried by a wrong one),
with its self-evaluation, focus, evidence, findings, report, workshop, plan and 90-day review,
to closed; every event on the REVIEWS stream exactly once. tests/e2e/test_review_lifecycle.py
walks the same way a review published by the real scheduling service."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta

from common.testing.nats import NatsServer
from contracts.events import TenancyPath
from contracts.schedule import REVIEW_PLANNED
from tests.reviews.full_walk import walk_every_stage
from tests.reviews.kit import LA, PARTNERSHIP, URN, Kit, plan
from tests.reviews.walk import WALK, published_events, walker


async def test_a_review_walked_to_closed(kit: Kit, nats_server: NatsServer) -> None:
    await kit.agreement(partnership="named")
    review_id = uuid.uuid4()
    planned = plan(review_id, first_day=date.today() + timedelta(days=40))
    event = await kit.plan(planned)
    walk = walker(kit)
    findings = await walk_every_stage(walk, review_id)

    # Every step by the right person, in the history.
    history = await walk.history(review_id)
    moves = [h["changes"]["state"]["to"] for h in history if h["action"] == "transitioned"]
    assert moves == [to for to, _ in WALK]
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
    assert len(await walk.history(review_id)) == count
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
