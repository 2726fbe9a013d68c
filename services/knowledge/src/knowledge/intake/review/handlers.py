"""Event handlers for the ingest: parse the payload, call one service function. Two handler
tables: the ``knowledge-reviews`` consumer's on the REVIEWS stream (reports, action plans,
90-day reviews, lifecycle) and the ``knowledge-schedule`` consumer's on the SCHEDULING stream
(who runs a review's workshop)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.messaging import CloudEvent, HandlerTable
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
from knowledge.intake.review import service


def review_handlers(settings: KnowledgeSettings) -> HandlerTable:
    """The REVIEWS consumer's table (a report needs the emerging-theme settings)."""

    async def report(session: AsyncSession, event: CloudEvent) -> None:
        payload = ReportPublishedPayload.model_validate(event.data)
        await service.apply_report(session, payload, settings)

    return {
        REPORT_PUBLISHED: report,
        ACTION_PLAN_AGREED: _action_plan,
        PROGRESS_REVIEWED: _progress,
        REVIEW_CLOSED: _closed,
        REVIEW_TRANSITIONED: _transition,
    }


async def _action_plan(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_action_plan(session, ActionPlanAgreedPayload.model_validate(event.data))


async def _progress(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_progress(session, ProgressReviewedPayload.model_validate(event.data))


async def _closed(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_closed(session, ReviewClosedPayload.model_validate(event.data))


async def _transition(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_transition(session, ReviewTransitionedPayload.model_validate(event.data))


async def _plan(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_plan(session, schedule.ReviewPlanPayload.model_validate(event.data))


PLAN_HANDLERS: HandlerTable = {
    schedule.REVIEW_PLANNED: _plan,
    schedule.REVIEW_RESCHEDULED: _plan,
    schedule.REVIEW_TEAM_CHANGED: _plan,
}
