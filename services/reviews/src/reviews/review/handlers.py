"""Handlers of the schedule's review events: parse the payload, call one service function."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.messaging import CloudEvent, Handler, HandlerTable
from contracts.schedule import (
    REVIEW_CANCELLED,
    REVIEW_PLANNED,
    REVIEW_RESCHEDULED,
    REVIEW_TEAM_CHANGED,
    ReviewCancelledPayload,
    ReviewPlanPayload,
)
from reviews.review import service


def _plan(action: str) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        payload = ReviewPlanPayload.model_validate(event.data)
        await service.apply_plan(session, payload, event_id=event.id, action=action)

    return handle


async def _cancelled(session: AsyncSession, event: CloudEvent) -> None:
    payload = ReviewCancelledPayload.model_validate(event.data)
    await service.apply_cancelled(session, payload, event_id=event.id)


HANDLERS: HandlerTable = {
    REVIEW_PLANNED: _plan("planned"),
    REVIEW_RESCHEDULED: _plan("rescheduled"),
    REVIEW_TEAM_CHANGED: _plan("team_changed"),
    REVIEW_CANCELLED: _cancelled,
}
