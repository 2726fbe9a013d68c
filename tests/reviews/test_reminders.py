"""Due-soon reminders are announced once per (review, milestone, due date, lead time): on the
school day the plan names, by several replicas sweeping at once and across restarts; only the
nearest when several lead times come due together; never once the review reached the stage or
the milestone passed; again when a reschedule gives the milestone a new date."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from common.db import create_database
from common.testing.nats import NatsServer
from reviews.milestone.models import DueSoonMilestone
from reviews.milestone.service import sweep_due_soon
from tests.reviews.kit import HEAD, LEAD, OTHER_URN, RW, URN, Kit, plan, transition
from tests.reviews.walk import published_events

DAY = date(2027, 3, 10)  # a Wednesday; the kit's self-review is due 28 days before
SELF_REVIEW_DUE = DAY - timedelta(days=28)  # Wednesday 10 February 2027
# What scheduling would send: 5 and 2 school days before the self-review (a half-term week
# between them), 3 before the pre-review meeting.
REMINDERS = [
    ("self_review_due", 5, date(2027, 2, 3)),
    ("self_review_due", 2, date(2027, 2, 8)),
    ("pre_review_meeting", 3, date(2027, 2, 24)),
]


async def _share_self_review(kit: Kit, review_id: uuid.UUID, urn: int) -> None:
    head = kit.token(*RW, person=HEAD, schools=[str(urn)])
    for to in ("self_review", "pre_review"):
        moved = await transition(kit.client, review_id, to, head, head)
        assert moved.status_code == 200, moved.text


async def test_reminded_once_on_the_planned_day(kit: Kit, nats_server: NatsServer) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id, first_day=DAY, reminders=REMINDERS))
    db = kit.db
    assert await sweep_due_soon(db, today=date(2027, 2, 2)) == 0  # the day before
    assert await sweep_due_soon(db, today=date(2027, 2, 3)) == 1  # 5 school days before
    assert await sweep_due_soon(db, today=date(2027, 2, 5)) == 0
    assert await sweep_due_soon(db, today=date(2027, 2, 8)) == 1  # 2 school days before
    assert await sweep_due_soon(db, today=SELF_REVIEW_DUE) == 0  # due today: said already
    # The same plan again (a team change): nothing new.
    team = [(LEAD, "lead_reviewer")]
    same = plan(review_id, version=2, first_day=DAY, reminders=REMINDERS, team=team)
    await kit.plan(same, "team_changed")
    assert await sweep_due_soon(db, today=date(2027, 2, 9)) == 0
    # The school shares its self-review: the pre-review reminder still comes, once.
    await _share_self_review(kit, review_id, URN)
    assert await sweep_due_soon(db, today=date(2027, 2, 24)) == 1
    assert await sweep_due_soon(db, today=date(2027, 2, 25)) == 0

    events = await published_events(kit, nats_server, "reviews.milestone.>")
    seen = [
        (e["type"].rsplit(".", 2)[-2], e["data"]["milestone"], e["data"]["lead_school_days"])
        for _, e in events
    ]
    assert seen == [
        ("due_soon", "self_review_due", 5),
        ("due_soon", "self_review_due", 2),
        ("due_soon", "pre_review_meeting", 3),
    ]
    first = events[0][1]
    assert first["data"]["due_date"] == SELF_REVIEW_DUE.isoformat()
    assert first["data"]["remind_on"] == "2027-02-03"
    assert first["data"]["expected_state"] == "pre_review"
    assert first["partitionkey"] == f"review:{review_id}"


async def test_once_by_concurrent_sweeps_restarts_and_reschedules(
    kit: Kit, nats_server: NatsServer, database_url: str
) -> None:
    review_id, reached = uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(review_id, first_day=DAY, reminders=REMINDERS))
    # Another review already past its self-review: no reminder of it.
    await kit.plan(plan(reached, urn=OTHER_URN, first_day=DAY, reminders=REMINDERS[:2]))
    await _share_self_review(kit, reached, OTHER_URN)
    today = date(2027, 2, 9)  # both self-review reminders are due: only the nearest is sent
    replicas = [create_database(database_url) for _ in range(4)]
    try:
        announced = await asyncio.gather(*(sweep_due_soon(r, today=today) for r in replicas))
        assert sum(announced) == 1
    finally:
        for replica in replicas:
            await replica.dispose()
    restarted = create_database(database_url)
    try:
        assert await sweep_due_soon(restarted, today=today) == 0
        # Passed: overdue's business, not a reminder.
        assert await sweep_due_soon(restarted, today=SELF_REVIEW_DUE + timedelta(days=1)) == 0
        # Rescheduled a week later with its reminders: a new date, reminded again (once).
        later = DAY + timedelta(days=7)
        moved = [(m, lead, on + timedelta(days=7)) for m, lead, on in REMINDERS]
        await kit.plan(plan(review_id, version=2, first_day=later, reminders=moved), "rescheduled")
        again = [sweep_due_soon(restarted, today=date(2027, 2, 10)) for _ in range(2)]
        assert [await a for a in again] == [1, 0]
    finally:
        await restarted.dispose()

    async with kit.db.session() as session:
        rows = (await session.scalars(select(DueSoonMilestone))).all()
    settled = sorted((r.due_date.isoformat(), r.lead_school_days, r.sent) for r in rows)
    assert settled == [
        ("2027-02-10", 2, True),
        ("2027-02-10", 5, False),  # overtaken by the nearer one: settled without an event
        ("2027-02-17", 5, True),  # rescheduled: its 2-day reminder is still to come
    ]
    events = await published_events(kit, nats_server, "reviews.milestone.due_soon.>")
    assert [e["data"]["review_id"] for _, e in events] == [str(review_id)] * 2
