"""Handlers of the schedule's review events: parse the payload, call one service function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import get_logger
from common.messaging import CloudEvent
from contracts.schedule import (
    EVENTS,
    REVIEW_CANCELLED,
    REVIEW_PLANNED,
    REVIEW_RESCHEDULED,
    REVIEW_TEAM_CHANGED,
    ReviewCancelledPayload,
    ReviewPlanPayload,
)
from reviews.review import service

log = get_logger(__name__)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]

SUBJECT_FILTERS = [definition.subject_filter for definition in EVENTS]


def _plan(action: str) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        payload = ReviewPlanPayload.model_validate(event.data)
        await service.apply_plan(session, payload, event_id=event.id, action=action)

    return handle


async def _cancelled(session: AsyncSession, event: CloudEvent) -> None:
    payload = ReviewCancelledPayload.model_validate(event.data)
    await service.apply_cancelled(session, payload, event_id=event.id)


HANDLERS: dict[str, Handler] = {
    REVIEW_PLANNED.type: _plan("planned"),
    REVIEW_RESCHEDULED.type: _plan("rescheduled"),
    REVIEW_TEAM_CHANGED.type: _plan("team_changed"),
    REVIEW_CANCELLED.type: _cancelled,
}


async def handle_schedule_event(session: AsyncSession, event: CloudEvent) -> None:
    handler = HANDLERS.get(event.type)
    if handler is None:
        log.info("schedule_event_ignored", type=event.type, id=event.id)
        return
    await handler(session, event)
