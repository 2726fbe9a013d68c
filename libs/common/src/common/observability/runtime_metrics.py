"""The scrape-time figures of a service process: outbox backlog, consumer lag, the pool.

Each refresher reads the present (one small query, one consumer-info call per consumer) and sets
its gauges; :mod:`common.runtime` registers them for the process's own database, outbox and
consumers. The processes that run no consumers report none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.pool import QueuePool

from common.clock import utcnow
from common.db import Database
from common.observability.metrics import (
    CONSUMER_ACK_PENDING,
    CONSUMER_PENDING,
    DB_POOL_IN_USE,
    DB_POOL_OVERFLOW,
    OUTBOX_OLDEST_AGE,
    OUTBOX_WAITING,
    Refresher,
)


class _Consumer(Protocol):
    @property
    def stream(self) -> str: ...
    @property
    def durable(self) -> str: ...


def outbox_refresher(service: str, database: Database, outbox_model: Any) -> Refresher:
    async def refresh() -> None:
        waiting = select(func.count(), func.min(outbox_model.created_at)).where(
            outbox_model.published_at.is_(None)
        )
        async with database.read_sessions() as session:
            count, oldest = (await session.execute(waiting)).one()
        OUTBOX_WAITING.labels(service).set(count)
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        OUTBOX_OLDEST_AGE.labels(service).set(max(age, 0.0))

    return refresh


def pool_refresher(service: str, database: Database) -> Refresher:
    async def refresh() -> None:
        pool = database.engine.sync_engine.pool
        if isinstance(pool, QueuePool):  # SQLite's pool keeps no such counts
            DB_POOL_IN_USE.labels(service).set(pool.checkedout())
            DB_POOL_OVERFLOW.labels(service).set(pool.overflow())

    return refresh


def consumer_refresher(
    service: str, jetstream: Callable[[], Any | None], consumers: Sequence[_Consumer]
) -> Refresher:
    """``jetstream`` returns the JetStream context once NATS is connected (None before)."""

    async def refresh() -> None:
        js = jetstream()
        if js is None:
            return
        for spec in consumers:
            info = await js.consumer_info(spec.stream, spec.durable, timeout=2)
            CONSUMER_PENDING.labels(service, spec.durable).set(info.num_pending or 0)
            CONSUMER_ACK_PENDING.labels(service, spec.durable).set(info.num_ack_pending or 0)

    return refresh
