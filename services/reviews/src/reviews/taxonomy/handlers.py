"""Handler of the knowledge service's taxonomy events: parse the payload, call the service."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import get_logger
from common.messaging import CloudEvent
from contracts.knowledge import TAXONOMY_UPDATED, TaxonomyPayload
from reviews.taxonomy import service

log = get_logger(__name__)

SUBJECT_FILTERS = [TAXONOMY_UPDATED.subject_filter]


async def handle_taxonomy_event(session: AsyncSession, event: CloudEvent) -> None:
    if event.type != TAXONOMY_UPDATED.type:
        log.info("knowledge_event_ignored", type=event.type, id=event.id)
        return
    await service.apply_taxonomy(session, TaxonomyPayload.model_validate(event.data))
