"""The milestone sweeps, run periodically by :func:`run_sweeper`, which the service's lifespan
starts (``REVIEWS_MILESTONE_SWEEP_SECONDS``):

- due soon: a reminder of the plan (the policy's lead time, counted in school days by
  scheduling) has come and the milestone has neither passed nor been reached: announced once
  per (review, milestone, due date, lead time) (``reviews.milestone.due_soon``), with its row in
  ``due_soon_milestones`` in the same transaction as the outbox row;
- overdue: a milestone's date has passed before the review reached its stage: announced once
  (``reviews.milestone.overdue``), with its row in ``overdue_milestones`` likewise.
"""

from __future__ import annotations

import asyncio
from datetime import date

from common.clock import utcnow
from common.db import Database
from common.logging import get_logger
from contracts.reviews import (
    MILESTONE_DUE_SOON,
    MILESTONE_OVERDUE,
    MilestoneDueSoonPayload,
    MilestoneOverduePayload,
)
from reviews.milestone.repository import DueSoonRepository, OverdueRepository
from reviews.review.access import publish_about
from reviews.review.history import reference
from reviews.review.models import MILESTONE_STAGES, states_before

log = get_logger(__name__)

BATCH = 200


async def sweep_overdue(database: Database, *, today: date | None = None) -> int:
    """One pass over every milestone; returns how many were announced by this pass."""
    today = today or utcnow().date()
    announced = 0
    for column, stage in MILESTONE_STAGES.items():
        while True:
            async with database.session() as session:
                repository = OverdueRepository(session)
                statement = repository.unannounced(column, states_before(stage), today, BATCH)
                reviews = list((await session.scalars(statement)).all())
                if not reviews:
                    break
                detected_at = utcnow()
                for review in reviews:
                    due: date = getattr(review, column)
                    if not await repository.claim(review.id, column, due, detected_at):
                        continue  # another sweeper announced it first
                    payload = MilestoneOverduePayload(
                        **reference(review),
                        milestone=column,
                        due_date=due,
                        expected_state=stage,
                        state=review.state,
                        detected_at=detected_at,
                    )
                    publish_about(session, review, MILESTONE_OVERDUE, payload)
                    announced += 1
                await session.commit()
            if len(reviews) < BATCH:
                break
    return announced


async def sweep_due_soon(database: Database, *, today: date | None = None) -> int:
    """One pass over every milestone's reminders; returns how many this pass announced. When
    several lead times of one milestone are due at once, only the nearest is announced."""
    today = today or utcnow().date()
    announced = 0
    for column, stage in MILESTONE_STAGES.items():
        while True:
            async with database.session() as session:
                repository = DueSoonRepository(session)
                statement = repository.unsettled(column, states_before(stage), today, BATCH)
                reviews = list((await session.scalars(statement)).all())
                if not reviews:
                    break
                due_reminders = await repository.due_reminders(
                    [r.id for r in reviews], column, today
                )
                detected_at = utcnow()
                for review in reviews:
                    due: date = getattr(review, column)
                    for i, reminder in enumerate(due_reminders.get(review.id, [])):
                        nearest = i == 0
                        lead = reminder.lead_school_days
                        settled = await repository.settle(
                            review.id, column, due, lead, sent=nearest, detected_at=detected_at
                        )
                        if not (settled and nearest):
                            continue  # settled before, by another sweeper, or overtaken
                        payload = MilestoneDueSoonPayload(
                            **reference(review),
                            milestone=column,
                            due_date=due,
                            lead_school_days=lead,
                            remind_on=reminder.remind_on,
                            expected_state=stage,
                            state=review.state,
                            detected_at=detected_at,
                        )
                        publish_about(session, review, MILESTONE_DUE_SOON, payload)
                        announced += 1
                await session.commit()
            if len(reviews) < BATCH:
                break
    return announced


async def run_sweeper(database: Database, interval_seconds: float) -> None:
    """Sweep now and every ``interval_seconds`` until cancelled; a failed pass (the database
    away, say) is retried at the next one."""
    while True:
        try:
            if announced := await sweep_due_soon(database):
                log.info("due_soon_milestones_announced", count=announced)
            if announced := await sweep_overdue(database):
                log.info("overdue_milestones_announced", count=announced)
        except Exception:
            log.exception("milestone_sweep_failed")
        await asyncio.sleep(interval_seconds)
