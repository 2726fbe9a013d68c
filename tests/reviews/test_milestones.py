"""Overdue milestones are announced once per (review, milestone, due date): by several
replicas sweeping at once, across restarts, and again only when a reschedule gives the
milestone a new date that passes too."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from common.db import create_database
from common.testing.apps import eventually, running_app
from common.testing.nats import NatsServer
from reviews.config import ReviewsSettings
from reviews.main import create_app
from reviews.milestone.models import OverdueMilestone
from reviews.milestone.service import sweep_overdue
from tests.reviews.kit import LEAD, OTHER_URN, Kit, plan
from tests.reviews.walk import published_events

TODAY = date.today()


async def test_announced_once_by_concurrent_sweeps_and_restarts(
    kit: Kit, nats_server: NatsServer, database_url: str
) -> None:
    late, on_time = uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(late, first_day=TODAY - timedelta(days=7)))
    await kit.plan(plan(on_time, urn=OTHER_URN, first_day=TODAY + timedelta(days=90)))
    replicas = [create_database(database_url) for _ in range(4)]
    try:
        announced = await asyncio.gather(*(sweep_overdue(db) for db in replicas))
        assert sum(announced) == 2  # self_review_due and pre_review_meeting, once each
    finally:
        for db in replicas:
            await db.dispose()
    restarted = create_database(database_url)
    try:
        assert await sweep_overdue(restarted) == 0
        # Rescheduled later: nothing is late. Rescheduled to other dates that passed too: a
        # new lateness, announced once. The same dates again (a team change): nothing new.
        await kit.plan(plan(late, version=2, first_day=TODAY + timedelta(days=60)), "rescheduled")
        assert await sweep_overdue(restarted) == 0
        again = TODAY - timedelta(days=3)
        await kit.plan(plan(late, version=3, first_day=again), "rescheduled")
        assert await sweep_overdue(restarted) == 2
        same_dates = plan(late, version=4, first_day=again, team=[(LEAD, "lead_reviewer")])
        await kit.plan(same_dates, "team_changed")
        assert await sweep_overdue(restarted) == 0
    finally:
        await restarted.dispose()

    events = await published_events(kit, nats_server, "reviews.milestone.>")
    seen = sorted((e["data"]["milestone"], e["data"]["due_date"]) for _, e in events)
    first, second = TODAY - timedelta(days=7), again
    assert seen == sorted(
        [
            ("self_review_due", (first - timedelta(days=28)).isoformat()),
            ("pre_review_meeting", (first - timedelta(days=10)).isoformat()),
            ("self_review_due", (second - timedelta(days=28)).isoformat()),
            ("pre_review_meeting", (second - timedelta(days=10)).isoformat()),
        ]
    )
    data = events[0][1]["data"]
    assert (data["review_id"], data["state"]) == (str(late), "planned")
    assert data["expected_state"] in ("pre_review", "review_day")
    assert {e["partitionkey"] for _, e in events} == {f"review:{late}"}


async def test_replicas_sweep_in_the_background(
    kit: Kit, nats_server: NatsServer, database_url: str, dev_key_path: Path
) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id, first_day=TODAY - timedelta(days=7)))
    settings = ReviewsSettings(
        database_url=database_url,
        nats_url=nats_server.url,
        auth_dev_key_path=dev_key_path,
        milestone_sweep_seconds=0.05,
        consumers_enabled=False,
    )

    async def both_announced() -> bool:
        async with kit.db.session() as session:
            count = await session.scalar(select(func.count()).select_from(OverdueMilestone))
        return count == 2

    # Two replicas, each sweeping every 50 ms, for as long as it takes them to announce both.
    async with running_app(create_app(settings)), running_app(create_app(settings)):
        await eventually(both_announced, within=20)
    events = await published_events(kit, nats_server, "reviews.milestone.>")
    assert sorted(e["data"]["milestone"] for _, e in events) == [
        "pre_review_meeting",
        "self_review_due",
    ]
