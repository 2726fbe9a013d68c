"""Publish an event: build its CloudEvent and add it to the outbox in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import correlation_id_var
from common.messaging import CloudEvent, add_event, outbox_model_for
from contracts.events import EventDefinition, TenancyPath


@dataclass(frozen=True)
class Outgoing:
    """One event of a :func:`publish_many`."""

    definition: EventDefinition[Any]
    payload: BaseModel
    tenancy: TenancyPath
    subject: str
    partition_key: str


def _event(item: Outgoing) -> CloudEvent:
    return CloudEvent(
        source=item.definition.source,
        type=item.definition.type,
        subject=item.subject,
        data=item.payload.model_dump(mode="json"),
        partitionkey=item.partition_key,
    )


def publish(
    session: AsyncSession,
    definition: EventDefinition[Any],
    payload: BaseModel,
    *,
    tenancy: TenancyPath,
    subject: str,
    partition_key: str,
) -> None:
    item = Outgoing(definition, payload, tenancy, subject, partition_key)
    add_event(session, _event(item), nats_subject=definition.subject(tenancy))


async def publish_many(session: AsyncSession, items: Sequence[Outgoing]) -> None:
    """Publish many events in the caller's transaction, in order, with one executemany INSERT
    (an ORM flush of thousands of outbox rows fetches their ids one by one on SQLite).

    The rows are the ones :func:`common.messaging.add_event` writes; the last event goes through
    ``add_event`` itself (flushed after the bulk rows, so it keeps the order) so that the commit
    wakes the relay as for any other event.
    """
    if not items:
        return
    *bulk, last = items
    if bulk:
        model = outbox_model_for(session)
        correlation_id = correlation_id_var.get()
        rows = []
        for item in bulk:
            event = _event(item)
            rows.append(
                {
                    "event_id": event.id,
                    "nats_subject": item.definition.subject(item.tenancy),
                    "payload": event.model_copy(
                        update={"correlationid": event.correlationid or correlation_id}
                    )
                    .to_bytes()
                    .decode(),
                    "partition_key": event.partitionkey,
                    "correlation_id": event.correlationid or correlation_id,
                }
            )
        await session.execute(insert(cast(Any, model)), rows)
    publish(
        session,
        last.definition,
        last.payload,
        tenancy=last.tenancy,
        subject=last.subject,
        partition_key=last.partition_key,
    )
