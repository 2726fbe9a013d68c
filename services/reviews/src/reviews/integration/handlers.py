"""The fan-out consumer of ``REVIEW_EVENTS``: each event becomes the webhook deliveries of the
subscriptions that may receive it, once (the consumer's inbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import get_logger
from common.messaging import CloudEvent
from reviews.integration import service

log = get_logger(__name__)


async def handle_review_event(session: AsyncSession, event: CloudEvent) -> None:
    added = await service.fan_out_event(session, event)
    if added:
        log.info("webhook_fan_out", type=event.type, id=event.id, deliveries=added)
