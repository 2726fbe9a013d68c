"""Publish an event: build its CloudEvent and add it to the outbox in the caller's transaction.

``common`` knows no contract: an event's definition is anything shaped like
``contracts.events.EventDefinition`` (:class:`EventKind`), and the tenancy is whatever that
definition turns into a NATS subject. The payload must be an instance of the definition's
payload model; anything else is a programming error, raised before it reaches the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import correlation_id_var
from common.messaging.envelope import CloudEvent
from common.messaging.outbox import add_event, outbox_model_for

PayloadT = TypeVar("PayloadT", bound=BaseModel)
PayloadT_co = TypeVar("PayloadT_co", bound=BaseModel, covariant=True)
TenancyT = TypeVar("TenancyT")
TenancyT_contra = TypeVar("TenancyT_contra", contravariant=True)


class EventKind(Protocol):
    """What a consumer needs of an event's definition: its CloudEvents type and the NATS
    subject filter that matches it for every tenant."""

    @property
    def type(self) -> str: ...

    @property
    def subject_filter(self) -> str: ...


class PublishedKind(EventKind, Protocol[PayloadT_co, TenancyT_contra]):
    """What a producer needs of an event's definition: its payload model, its source, and the
    subject of one tenancy."""

    @property
    def payload(self) -> type[PayloadT_co]: ...

    @property
    def source(self) -> str: ...

    def subject(self, tenancy: TenancyT_contra) -> str: ...


@dataclass(frozen=True)
class Outgoing:
    """One event of a :func:`publish_many` (its payload is checked against the definition when
    the event is built)."""

    definition: PublishedKind[BaseModel, Any]
    payload: BaseModel
    tenancy: Any
    subject: str
    partition_key: str


def _event(item: Outgoing) -> CloudEvent:
    if not isinstance(item.payload, item.definition.payload):
        raise TypeError(
            f"{item.definition.type} carries {item.definition.payload.__name__}, "
            f"not {type(item.payload).__name__}"
        )
    return CloudEvent(
        source=item.definition.source,
        type=item.definition.type,
        subject=item.subject,
        data=item.payload.model_dump(mode="json"),
        partitionkey=item.partition_key,
    )


def publish(
    session: AsyncSession,
    definition: PublishedKind[PayloadT, TenancyT],
    payload: PayloadT,
    *,
    tenancy: TenancyT,
    subject: str,
    partition_key: str,
) -> None:
    """Add the event to the outbox; the relay sends it after the caller's commit.

    ``subject`` is the CloudEvents subject (the aggregate's URN-like name); the NATS subject is
    the definition's, for ``tenancy``. ``partition_key`` keeps the events of one key in order.
    """
    item = Outgoing(definition, payload, tenancy, subject, partition_key)
    add_event(session, _event(item), nats_subject=definition.subject(tenancy))


async def publish_many(session: AsyncSession, items: Sequence[Outgoing]) -> None:
    """Publish many events in the caller's transaction, in order, with one executemany INSERT
    (an ORM flush of thousands of outbox rows fetches their ids one by one on SQLite).

    The rows are the ones :func:`~common.messaging.outbox.add_event` writes; the last event goes
    through ``add_event`` itself (flushed after the bulk rows, so it keeps the order) so that
    the commit wakes the relay as for any other event.
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
