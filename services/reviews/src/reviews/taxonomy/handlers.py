"""Handler of the knowledge service's taxonomy events: parse the payload, call the service."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.messaging import CloudEvent, HandlerTable
from contracts.knowledge import TAXONOMY_UPDATED, TaxonomyPayload
from reviews.taxonomy import service


async def _taxonomy(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_taxonomy(session, TaxonomyPayload.model_validate(event.data))


HANDLERS: HandlerTable = {TAXONOMY_UPDATED: _taxonomy}
