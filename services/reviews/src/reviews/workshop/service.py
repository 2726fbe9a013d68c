"""Workshop and action plan use cases: the IC and the school record the workshop and write the
plan during the workshop state (If-Match); the IC agrees it, which moves the review to
action_plan_agreed and emits ``reviews.action_plan.agreed``. Read by the school, the team and
the IC. Every change appends to the review's history in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version
from common.http.problems import ProblemError, not_found, validation_failed
from contracts.reviews import (
    ACTION_PLAN_AGREED,
    SUPPORT_REQUESTED,
    ActionPlanAgreedPayload,
    AgreedAction,
    ReviewState,
    SupportRequestedPayload,
    SupportStatus,
)
from reviews.review import tenancy
from reviews.review.access import Part, diff, get_review, publish_about, record
from reviews.review.history import reference
from reviews.review.models import Review, Role
from reviews.review.service import check_move, move
from reviews.workshop.models import WORKSHOP_STATE, ActionPlan, PlannedAction, Workshop
from reviews.workshop.repository import WorkshopRepository
from reviews.workshop.schemas import ActionPlanIn, AgreementIn, WorkshopIn

EDITORS = frozenset({Role.IMPROVEMENT_CHAMPION, Role.SCHOOL})
READERS = frozenset({Role.IMPROVEMENT_CHAMPION, Role.SCHOOL, Role.TEAM_MEMBER})

PART = Part("workshop")


def _not_now(review: Review, what: str) -> ProblemError:
    return ProblemError(
        409,
        f"The {what} cannot change now",
        detail=f"The {what} is written while the review is in {WORKSHOP_STATE.value!r}, not "
        f"{review.state.value!r}.",
        type_="workshop-not-editable",
        extensions={"state": review.state.value, "editing_state": WORKSHOP_STATE.value},
    )


async def _editable(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, what: str
) -> Review:
    review = await get_review(session, principal, review_id)
    if not tenancy.roles(principal, review) & EDITORS:
        raise PART.forbidden(f"The IC and the school write the {what}.", EDITORS)
    if review.state != WORKSHOP_STATE:
        raise _not_now(review, what)
    return review


async def _readable(session: AsyncSession, principal: Principal, review_id: uuid.UUID) -> Review:
    review = await get_review(session, principal, review_id)
    if not tenancy.roles(principal, review) & READERS:
        raise PART.forbidden(
            "The workshop and its plan are read by the school, team and IC.", READERS
        )
    return review


# --- The workshop ----------------------------------------------------------------------------


async def get_workshop(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> Workshop:
    await _readable(session, principal, review_id)
    workshop = await WorkshopRepository(session).workshop(review_id)
    if workshop is None:
        raise not_found(f"Review {review_id} has no workshop recorded yet.")
    return workshop


def _workshop_values(workshop: Workshop | None) -> dict[str, Any]:
    if workshop is None:
        return {}
    return {
        "held_on": workshop.held_on.isoformat(),
        "led_by": None if workshop.led_by is None else str(workshop.led_by),
        "attendance": workshop.attendance,
        "grow": workshop.grow,
    }


async def set_workshop(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: WorkshopIn,
    expected_version: int,
) -> Workshop:
    """403 unless the IC or the school, 409 outside the workshop state, 412 on a stale ETag
    (the review's before the first record, then the workshop's)."""
    review = await _editable(session, principal, review_id, "workshop")
    repository = WorkshopRepository(session)
    workshop = await repository.workshop(review_id)
    check_version(review.version if workshop is None else workshop.version, expected_version)
    before = _workshop_values(workshop)
    if workshop is None:
        workshop = Workshop(review_id=review.id)
        repository.add(workshop)
    person = tenancy.person_id(principal)
    workshop.held_on = request.held_on
    workshop.attendance = [a.model_dump() for a in request.attendance]
    workshop.grow = request.grow.model_dump()
    if Role.IMPROVEMENT_CHAMPION in tenancy.roles(principal, review):
        workshop.led_by = person
    changes = diff(before, _workshop_values(workshop), prefix="workshop.")
    if changes:
        await session.flush()
        record(
            session, review, "workshop_recorded", changes, subject=principal.subject, person=person
        )
        await session.commit()
    return workshop


# --- The action plan -------------------------------------------------------------------------


async def action_theme_codes(
    session: AsyncSession, review_id: uuid.UUID, actions: Iterable[PlannedAction]
) -> dict[uuid.UUID, list[str]]:
    """An action's theme codes: those of the findings it addresses."""
    actions = list(actions)
    ids = {uuid.UUID(i) for a in actions for i in a.finding_ids}
    findings = await WorkshopRepository(session).findings(review_id, ids)
    return {
        a.id: sorted(
            {
                c
                for i in a.finding_ids
                if uuid.UUID(i) in findings
                for c in findings[uuid.UUID(i)].theme_codes
            }
        )
        for a in actions
    }


async def get_plan(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> tuple[ActionPlan, dict[uuid.UUID, list[str]]]:
    await _readable(session, principal, review_id)
    plan = await WorkshopRepository(session).plan(review_id)
    if plan is None:
        raise not_found(f"Review {review_id} has no action plan yet.")
    return plan, await action_theme_codes(session, review_id, plan.actions)


def _plan_values(plan: ActionPlan | None) -> dict[str, Any]:
    if plan is None:
        return {}
    return {
        "actions": [
            {
                "id": str(a.id),
                "what": a.what,
                "kind": a.kind.value,
                "owner_role": a.owner_role,
                "due_date": a.due_date.isoformat(),
                "success_criteria": a.success_criteria,
                "finding_ids": a.finding_ids,
                "research_source_ids": a.research_source_ids,
                "support_urn": a.support_urn,
            }
            for a in plan.actions
        ]
    }


async def _check_plan(
    session: AsyncSession, review: Review, plan: ActionPlan | None, request: ActionPlanIn
) -> None:
    held = set() if plan is None else {a.id for a in plan.actions}
    wanted = {i for a in request.actions for i in a.finding_ids}
    findings = await WorkshopRepository(session).findings(review.id, wanted)
    errors: list[dict[str, str]] = []
    for n, action in enumerate(request.actions):
        field = f"body.actions.{n}"
        if action.id is not None and action.id not in held:
            errors.append({"field": f"{field}.id", "message": "Not an action of this plan"})
        for m, finding_id in enumerate(action.finding_ids):
            if finding_id not in findings:
                message = "Not a finding of this review"
                errors.append({"field": f"{field}.finding_ids.{m}", "message": message})
        if action.support_urn == review.urn:
            message = "Support comes from a partner school, not the school itself"
            errors.append({"field": f"{field}.support_urn", "message": message})
    if errors:
        raise validation_failed(errors, "The plan's actions must address this review's findings.")


async def set_plan(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: ActionPlanIn,
    expected_version: int,
) -> tuple[ActionPlan, dict[uuid.UUID, list[str]]]:
    """Replace the whole plan: 403 unless the IC or the school, 409 outside the workshop
    state, 412 on a stale ETag (the review's before the first plan, then the plan's), 422 for
    findings of another review or the school supporting itself."""
    review = await _editable(session, principal, review_id, "action plan")
    repository = WorkshopRepository(session)
    plan = await repository.plan(review_id)
    check_version(review.version if plan is None else plan.version, expected_version)
    await _check_plan(session, review, plan, request)
    before = _plan_values(plan)
    if plan is None:
        plan = ActionPlan(review_id=review.id, actions=[])
        repository.add(plan)
    existing = {a.id: a for a in plan.actions}
    actions = []
    for position, incoming in enumerate(request.actions, start=1):
        action = existing.get(incoming.id) if incoming.id is not None else None
        action = action or PlannedAction(review_id=review.id)
        action.position = position
        action.what, action.kind = incoming.what, incoming.kind
        action.owner_role, action.due_date = incoming.owner_role, incoming.due_date
        action.success_criteria = incoming.success_criteria
        action.finding_ids = [str(i) for i in incoming.finding_ids]
        action.research_source_ids = [str(i) for i in incoming.research_source_ids]
        action.support_urn = incoming.support_urn
        actions.append(action)
    plan.actions = actions
    plan.updated_at = utcnow()  # the plan's version moves with its actions
    await session.flush()
    changes = diff(before, _plan_values(plan), prefix="action_plan.")
    if changes:
        person = tenancy.person_id(principal)
        record(
            session, review, "action_plan_set", changes, subject=principal.subject, person=person
        )
    await session.commit()
    return plan, await action_theme_codes(session, review_id, plan.actions)


async def agree_plan(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: AgreementIn,
    expected_version: int,
) -> tuple[Review, ActionPlan, dict[uuid.UUID, list[str]]]:
    """The IC agrees the plan: the review's If-Match (412), the move's rules (409, 403), and a
    recorded workshop and plan (409). Moves the review to action_plan_agreed and emits
    ``reviews.action_plan.agreed`` (the actions' words only as the agreement allows)."""
    review = await get_review(session, principal, review_id)
    check_version(review.version, expected_version)
    check_move(principal, review, ReviewState.ACTION_PLAN_AGREED)
    repository = WorkshopRepository(session)
    workshop, plan = await repository.workshop(review_id), await repository.plan(review_id)
    if workshop is None or plan is None or not plan.actions:
        missing = "workshop" if workshop is None else "action plan"
        raise ProblemError(
            409,
            "Nothing to agree yet",
            detail=f"Record the {missing} before agreeing the plan.",
            type_="action-plan-incomplete",
            extensions={"missing": missing},
        )
    person = tenancy.person_id(principal)
    plan.agreed_at, plan.agreed_by = utcnow(), person
    await session.flush()
    record(
        session,
        review,
        "action_plan_agreed",
        {"action_plan.agreed_at": {"from": None, "to": plan.agreed_at.isoformat()}},
        subject=principal.subject,
        person=person,
        reason=request.note,
    )
    await move(session, principal, review, ReviewState.ACTION_PLAN_AGREED, request.note)
    codes = await action_theme_codes(session, review_id, plan.actions)
    shared = await tenancy.text_may_leave_school(session, review)
    payload = ActionPlanAgreedPayload(
        **reference(review),
        workshop_date=workshop.held_on,
        agreed_at=plan.agreed_at,
        actions=[
            AgreedAction(
                action_id=a.id,
                kind=a.kind,
                theme_codes=codes[a.id],
                finding_ids=[uuid.UUID(i) for i in a.finding_ids],
                owner_role=a.owner_role,
                due_date=a.due_date,
                research_source_ids=[uuid.UUID(i) for i in a.research_source_ids],
                support_urn=a.support_urn,
                text=a.what if shared else None,
            )
            for a in plan.actions
        ],
        text_shared=shared,
    )
    publish_about(session, review, ACTION_PLAN_AGREED, payload)
    _ask_for_support(session, review, plan, codes, shared)
    await session.commit()
    return review, plan, codes


def _ask_for_support(
    session: AsyncSession,
    review: Review,
    plan: ActionPlan,
    codes: dict[uuid.UUID, list[str]],
    shared: bool,
) -> None:
    """Each action naming a partner school asks it: ``reviews.support.requested`` reaches that
    school (see ``reviews.integration.service``), which accepts or declines."""
    for action in plan.actions:
        if action.support_urn is None:
            continue
        action.support_status = SupportStatus.ASKED
        payload = SupportRequestedPayload(
            **reference(review),
            action_id=action.id,
            kind=action.kind,
            support_urn=action.support_urn,
            due_date=action.due_date,
            theme_codes=codes[action.id],
            text=action.what if shared else None,
            text_shared=shared,
        )
        publish_about(session, review, SUPPORT_REQUESTED, payload)
