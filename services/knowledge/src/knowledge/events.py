"""Publish an event: build its CloudEvent and add it to the outbox in the caller's transaction."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from common.messaging import CloudEvent, add_event
from contracts.events import EventDefinition, TenancyPath


def publish(
    session: AsyncSession,
    definition: EventDefinition[Any],
    payload: BaseModel,
    *,
    tenancy: TenancyPath,
    subject: str,
    partition_key: str,
) -> None:
    event = CloudEvent(
        source=definition.source,
        type=definition.type,
        subject=subject,
        data=payload.model_dump(mode="json"),
        partitionkey=partition_key,
    )
    add_event(session, event, nats_subject=definition.subject(tenancy))
