"""Review use cases: apply the schedule, move through the lifecycle, read, read the history.

Commits here only (event handlers run inside the consumer's transaction and do not commit).
Every change to a review appends one row to its history in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version
from common.http.pagination import (
    AfterParams,
    PageParams,
    SyncParams,
    paginate_after,
    paginate_synced,
)
from common.http.problems import ProblemError
from common.logging import get_logger
from contracts.reviews import ReviewState
from contracts.schedule import ReviewCancelledPayload, ReviewPlanPayload
from reviews.review import tenancy
from reviews.review.access import diff, get_review, record
from reviews.review.history import publish_transition
from reviews.review.models import (
    DEDICATED_MOVES,
    PRECONDITIONS,
    Review,
    ReviewHistory,
    ReviewTeamMember,
    TeamRole,
    allowed_next,
    roles_for,
)
from reviews.review.repository import HistoryRepository, ReviewRepository, replace_reminders
from reviews.review.schemas import TransitionIn

log = get_logger(__name__)

__all__ = ["get_review"]  # for the router; the other parts reach a review through access
_FINAL = (ReviewState.CLOSED, ReviewState.CANCELLED)


def today() -> date:
    return utcnow().date()


# --- From the schedule ---------------------------------------------------------------------


#: A team member as the schedule sends it: person, role, home school and name.
Member = tuple[uuid.UUID, TeamRole, int | None, str | None]


def _team(payload: ReviewPlanPayload) -> set[Member]:
    members = {(m.person_id, TeamRole(m.role.value), m.home_urn, m.name) for m in payload.team}
    champion = payload.improvement_champion
    if champion is not None:
        members.add(
            (champion.person_id, TeamRole.IMPROVEMENT_CHAMPION, champion.home_urn, champion.name)
        )
        if champion.assistant_person_id is not None:
            assistant = (champion.assistant_person_id, TeamRole.ASSISTANT_IMPROVEMENT_CHAMPION)
            members.add((*assistant, champion.assistant_home_urn, champion.assistant_name))
    return members


def _plan_values(payload: ReviewPlanPayload) -> dict[str, Any]:
    milestones = payload.milestones
    return {
        "cycle_id": payload.cycle_id,
        "partnership_id": payload.partnership_id,
        "la_code": payload.la_code,
        "urn": payload.urn,
        "academic_year": payload.academic_year,
        "mode": payload.mode,
        "first_day": min(payload.days),
        "days": [d.isoformat() for d in sorted(payload.days)],
        "focus_areas": list(payload.focus_areas),
        "self_review_due": milestones.self_review_due,
        "pre_review_meeting": milestones.pre_review_meeting,
        "report_due": milestones.report_due,
        "workshop_window_start": milestones.workshop_window_start,
        "workshop_window_end": milestones.workshop_window_end,
        "progress_review_due": milestones.progress_review_due,
        "triangulation_min_kinds": payload.triangulation_min_kinds,
    }


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, StrEnum):
        return value.value
    return value


def _snapshot(review: Review | None) -> dict[str, Any]:
    """What a history diff compares: the plan, the team and the state, as JSON values."""
    if review is None:
        return {}
    values = {column: _json(getattr(review, column)) for column in _PLAN_COLUMNS}
    values["team"] = sorted(
        (
            {"person_id": str(m.person_id), "role": m.role.value, "home_urn": m.home_urn}
            for m in review.team
        ),
        key=lambda m: (str(m["role"]), str(m["person_id"])),
    )
    values["state"] = review.state.value
    values["cancellation_reason"] = review.cancellation_reason
    return values


_PLAN_COLUMNS = (
    "cycle_id",
    "partnership_id",
    "la_code",
    "urn",
    "academic_year",
    "mode",
    "days",
    "focus_areas",
    "self_review_due",
    "pre_review_meeting",
    "report_due",
    "workshop_window_start",
    "workshop_window_end",
    "progress_review_due",
    "triangulation_min_kinds",
    "plan_version",
)


def _replace_team(review: Review, wanted: set[Member]) -> None:
    by_key = {(m.person_id, m.role): m for m in review.team}
    wanted_keys = {(person, role) for person, role, _, _ in wanted}
    for key, member in by_key.items():
        if key not in wanted_keys:
            review.team.remove(member)
    for person, role, home_urn, name in wanted:
        existing = by_key.get((person, role))
        if existing is None:
            review.team.append(
                ReviewTeamMember(person_id=person, role=role, home_urn=home_urn, name=name)
            )
            continue
        if existing.home_urn != home_urn:
            existing.home_urn = home_urn
        if name is not None and existing.name != name:  # an older event carries no name
            existing.name = name


async def apply_plan(
    session: AsyncSession, payload: ReviewPlanPayload, *, event_id: str, action: str
) -> bool:
    """Create or update the review from the schedule's full plan; an older or equal
    ``version`` (a replay, a duplicate) changes nothing. False when nothing changed."""
    review = await ReviewRepository(session).get(payload.review_id)
    if review is not None and review.plan_version >= payload.version:
        return False
    before = _snapshot(review)
    values = _plan_values(payload)
    if review is None:
        review = Review(
            id=payload.review_id,
            state=ReviewState.PLANNED,
            state_changed_at=utcnow(),
            plan_version=payload.version,
            team=[],
            **values,
        )
        ReviewRepository(session).add(review)
    else:
        for field, value in values.items():
            if getattr(review, field) != value:
                setattr(review, field, value)
        review.plan_version = payload.version
    _replace_team(review, _team(payload))
    await session.flush()
    await replace_reminders(session, review.id, payload.reminders)
    record(session, review, action, diff(before, _snapshot(review)), event_id=event_id)
    return True


async def apply_cancelled(
    session: AsyncSession, payload: ReviewCancelledPayload, *, event_id: str
) -> bool:
    """The schedule cancelled the review. A review we never heard of is left alone (its plan,
    older in the same partition, would have come first)."""
    review = await ReviewRepository(session).get(payload.review_id)
    if review is None:
        log.warning("cancelled_unknown_review", review_id=str(payload.review_id))
        return False
    if review.plan_version >= payload.version:
        return False
    before = _snapshot(review)
    review.plan_version = payload.version
    origin = review.state
    if origin not in _FINAL:
        review.state = ReviewState.CANCELLED
        review.state_changed_at = utcnow()
        review.cancellation_reason = payload.reason
    await session.flush()
    record(
        session,
        review,
        "cancelled",
        diff(before, _snapshot(review)),
        event_id=event_id,
        reason=payload.reason,
    )
    if review.state != origin:
        publish_transition(session, review, origin, person=None)
    return True


# --- Requests ------------------------------------------------------------------------------


async def list_reviews(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    partnership_id: uuid.UUID | None,
    urn: int | None,
    state: ReviewState | None,
    academic_year: str | None,
    overdue: bool | None,
    sync: SyncParams,
) -> tuple[Sequence[Review], str | None]:
    statement = ReviewRepository(session).visible(
        tenancy.review_visible(principal),
        partnership_id=partnership_id,
        urn=urn,
        state=state,
        academic_year=academic_year,
        overdue_on=today(),
        overdue_wanted=overdue,
    )
    return await paginate_synced(
        session, statement, sync=sync, updated_at=Review.updated_at, id_=Review.id, params=params
    )


def check_move(principal: Principal, review: Review, target: ReviewState) -> None:
    """409 (with the ``allowed`` next states) if ``target`` is no move from here, 403 if the
    caller's roles may not make it."""
    origin = review.state
    needed = roles_for(origin, target)
    if needed is None:
        raise ProblemError(
            409,
            "Not a possible transition",
            detail=f"A review in state {origin.value!r} cannot move to {target.value!r}.",
            type_="impossible-transition",
            extensions={"state": origin.value, "allowed": [s.value for s in allowed_next(origin)]},
        )
    if not needed & tenancy.roles(principal, review):
        raise ProblemError(
            403,
            "Not your move",
            detail=f"Only the {', '.join(sorted(r.value for r in needed))} may move a review "
            f"from {origin.value!r} to {target.value!r}.",
            type_="transition-not-allowed-for-role",
            extensions={"required_roles": sorted(r.value for r in needed)},
        )


async def move(
    session: AsyncSession,
    principal: Principal,
    review: Review,
    target: ReviewState,
    reason: str | None,
) -> None:
    """Make a checked move (see :func:`check_move`) in the caller's transaction: the state, its
    history row and the transition event. Does not commit."""
    origin = review.state
    review.state = target
    review.state_changed_at = utcnow()
    if target == ReviewState.CANCELLED:
        review.cancellation_reason = reason
    await session.flush()
    person = tenancy.person_id(principal)
    changes: dict[str, Any] = {"state": {"from": origin.value, "to": target.value}}
    if target == ReviewState.CANCELLED:
        changes["cancellation_reason"] = {"from": None, "to": reason}
    record(
        session,
        review,
        "transitioned",
        changes,
        subject=principal.subject,
        person=person,
        reason=reason,
    )
    publish_transition(session, review, origin, person=person)


async def transition(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: TransitionIn,
    expected_version: int,
) -> Review:
    """Move the review: 404 if the caller cannot see it, 412 on a stale ETag, 409 if it is no
    move from here, 403 if the caller's roles may not make it, 409 if the move is made by its
    own use case (publishing the report, agreeing the action plan) or its precondition is not
    met (closing needs the 90-day review)."""
    review = await get_review(session, principal, review_id)
    check_version(review.version, expected_version)
    check_move(principal, review, request.to)
    move_key = (review.state, request.to)
    if (route := DEDICATED_MOVES.get(move_key)) is not None:
        raise ProblemError(
            409,
            "Made by its own request",
            detail=f"A review moves from {review.state.value!r} to {request.to.value!r} by "
            f"{route}, not by a transition.",
            type_="transition-has-its-own-route",
            extensions={"state": review.state.value, "use": route},
        )
    if (column := PRECONDITIONS.get(move_key)) is not None and getattr(review, column) is None:
        raise ProblemError(
            409,
            "Not ready to move",
            detail=f"A review moves to {request.to.value!r} only once its {column} is set.",
            type_="transition-precondition",
            extensions={"state": review.state.value, "missing": column},
        )
    await move(session, principal, review, request.to, request.reason)
    await session.commit()
    return review


async def history(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    params: PageParams,
    after: AfterParams,
) -> tuple[Sequence[ReviewHistory], str | None]:
    await get_review(session, principal, review_id)
    statement = HistoryRepository(session).of(review_id)
    order = (ReviewHistory.id,)
    return await paginate_after(
        session, statement, after=after, id_=ReviewHistory.id, order_by=order, params=params
    )
