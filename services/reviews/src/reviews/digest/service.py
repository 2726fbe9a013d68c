"""The weekly digest of one partnership for its lead: the week's and next week's milestones
still to reach, the overdue ones, and the reviews held this week and next. Only a token whose
``partnerships`` claim names the partnership reads it; anyone else gets 404. Overdue is judged
by where each review is now (a past week's digest shows today's lateness)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import not_found, validation_failed
from reviews.digest.repository import DigestRepository
from reviews.digest.schemas import DigestMilestone, DigestOut, DigestReview
from reviews.review import tenancy
from reviews.review.models import MILESTONE_STAGES, Review, states_before


def week_start(week: str | None) -> date:
    """Monday of the ISO week ``YYYY-Www`` (this week when None); 422 for a week the year lacks."""
    if week is None:
        today = utcnow().date()
        return today - timedelta(days=today.weekday())
    year, number = week.split("-W")
    try:
        return date.fromisocalendar(int(year), int(number), 1)
    except ValueError as exc:
        raise validation_failed(
            [{"field": "week", "message": f"{year} has no week {number}."}]
        ) from exc


def _outstanding(
    reviews: list[Review], names: dict[int, str], first: date, last: date
) -> list[DigestMilestone]:
    """Milestones due from ``first`` to ``last`` whose review has not reached their stage."""
    found = []
    for review in reviews:
        for column, stage in MILESTONE_STAGES.items():
            due: date = getattr(review, column)
            if first <= due <= last and review.state in states_before(stage):
                found.append(
                    DigestMilestone(
                        review_id=review.id,
                        urn=review.urn,
                        school_name=names.get(review.urn),
                        milestone=column,
                        due_date=due,
                        expected_state=stage,
                        state=review.state,
                    )
                )
    return sorted(found, key=lambda m: (m.due_date, m.urn, m.milestone))


def _held(
    reviews: list[Review], names: dict[int, str], first: date, last: date
) -> list[DigestReview]:
    return [
        DigestReview(
            review_id=review.id,
            urn=review.urn,
            school_name=names.get(review.urn),
            days=[date.fromisoformat(d) for d in review.days],
            mode=review.mode,
            state=review.state,
        )
        for review in reviews
        if any(first <= date.fromisoformat(d) <= last for d in review.days)
    ]


async def digest(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID, week: str | None
) -> DigestOut:
    repository = DigestRepository(session)
    partnership = None
    if partnership_id in tenancy.partnership_ids(principal):
        partnership = await repository.partnership(partnership_id)
    if partnership is None:
        raise not_found(f"No partnership {partnership_id}.")
    monday = week_start(week)
    sunday, next_monday = monday + timedelta(days=6), monday + timedelta(days=7)
    next_sunday = next_monday + timedelta(days=6)
    reviews = await repository.reviews(partnership_id, monday)
    names = await repository.school_names(r.urn for r in reviews)
    year, number, _ = monday.isocalendar()
    return DigestOut(
        partnership_id=partnership_id,
        partnership_name=partnership.name,
        week=f"{year}-W{number:02d}",
        starts_on=monday,
        ends_on=sunday,
        due_this_week=_outstanding(reviews, names, monday, sunday),
        due_next_week=_outstanding(reviews, names, next_monday, next_sunday),
        overdue=_outstanding(reviews, names, date.min, monday - timedelta(days=1)),
        reviews_this_week=_held(reviews, names, monday, sunday),
        reviews_next_week=_held(reviews, names, next_monday, next_sunday),
    )
