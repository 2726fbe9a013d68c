"""Event handlers for the ingest: parse the payload, call one service function. Two durable
consumers: ``knowledge-reviews`` on the REVIEWS stream (reports, action plans, 90-day reviews,
lifecycle) and ``knowledge-schedule`` on the SCHEDULING stream (who runs a review's workshop)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import get_logger
from common.messaging import CloudEvent
from contracts import schedule
from contracts.reviews import (
    ACTION_PLAN_AGREED,
    PROGRESS_REVIEWED,
    REPORT_PUBLISHED,
    REVIEW_CLOSED,
    REVIEW_TRANSITIONED,
    ActionPlanAgreedPayload,
    ProgressReviewedPayload,
    ReportPublishedPayload,
    ReviewClosedPayload,
    ReviewTransitionedPayload,
)
from knowledge.config import KnowledgeSettings
from knowledge.review import service

log = get_logger(__name__)

REVIEW_EVENTS = (
    REPORT_PUBLISHED,
    ACTION_PLAN_AGREED,
    PROGRESS_REVIEWED,
    REVIEW_CLOSED,
    REVIEW_TRANSITIONED,
)
REVIEW_SUBJECT_FILTERS = [definition.subject_filter for definition in REVIEW_EVENTS]
PLAN_EVENTS = (schedule.REVIEW_PLANNED, schedule.REVIEW_RESCHEDULED, schedule.REVIEW_TEAM_CHANGED)
PLAN_SUBJECT_FILTERS = [definition.subject_filter for definition in PLAN_EVENTS]

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


@dataclass(frozen=True)
class ReviewEventHandler:
    """The REVIEWS consumer's handler (it needs the emerging-theme settings)."""

    settings: KnowledgeSettings

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        data = event.data
        if event.type == REPORT_PUBLISHED.type:
            payload = ReportPublishedPayload.model_validate(data)
            await service.apply_report(session, payload, self.settings)
        elif event.type == ACTION_PLAN_AGREED.type:
            await service.apply_action_plan(session, ActionPlanAgreedPayload.model_validate(data))
        elif event.type == PROGRESS_REVIEWED.type:
            await service.apply_progress(session, ProgressReviewedPayload.model_validate(data))
        elif event.type == REVIEW_CLOSED.type:
            await service.apply_closed(session, ReviewClosedPayload.model_validate(data))
        elif event.type == REVIEW_TRANSITIONED.type:
            await service.apply_transition(session, ReviewTransitionedPayload.model_validate(data))
        else:  # a newer producer's event we do not know yet: skipping it is safe
            log.info("review_event_ignored", type=event.type, id=event.id)


async def handle_plan_event(session: AsyncSession, event: CloudEvent) -> None:
    if event.type not in {definition.type for definition in PLAN_EVENTS}:
        log.info("plan_event_ignored", type=event.type, id=event.id)
        return
    await service.apply_plan(session, schedule.ReviewPlanPayload.model_validate(event.data))
