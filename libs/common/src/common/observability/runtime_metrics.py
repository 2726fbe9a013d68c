"""The scrape-time figures of a service process: outbox backlog, consumer lag, the pool.

:mod:`common.runtime` reads its backlog (the same figures ``/readyz`` shows) at each scrape and
hands them to :func:`record_backlog`; the pool is read from the engine. A process that runs no
consumers (the API role) reports none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from sqlalchemy.pool import QueuePool

from common.db import Database
from common.observability.metrics import (
    CONSUMER_ACK_PENDING,
    CONSUMER_OLDEST_PENDING_AGE,
    CONSUMER_PENDING,
    CONSUMER_STREAM_MAX_AGE,
    DB_POOL_IN_USE,
    DB_POOL_OVERFLOW,
    OUTBOX_OLDEST_AGE,
    OUTBOX_WAITING,
    Refresher,
)


class ConsumerGauges(NamedTuple):
    """One durable consumer's figures at a scrape."""

    pending: int
    ack_pending: int
    oldest_pending_age_seconds: float | None
    stream_max_age_seconds: float | None


def record_backlog(
    service: str,
    *,
    outbox_waiting: int | None,
    outbox_oldest_age: float | None,
    consumers: Mapping[str, ConsumerGauges],
) -> None:
    """Set the backlog gauges: the outbox's (when the database answered) and each durable
    consumer's (when NATS answered)."""
    if outbox_waiting is not None:
        OUTBOX_WAITING.labels(service).set(outbox_waiting)
        OUTBOX_OLDEST_AGE.labels(service).set(max(outbox_oldest_age or 0.0, 0.0))
    for durable, gauges in consumers.items():
        CONSUMER_PENDING.labels(service, durable).set(gauges.pending)
        CONSUMER_ACK_PENDING.labels(service, durable).set(gauges.ack_pending)
        CONSUMER_OLDEST_PENDING_AGE.labels(service, durable).set(
            gauges.oldest_pending_age_seconds or 0.0
        )
        CONSUMER_STREAM_MAX_AGE.labels(service, durable).set(gauges.stream_max_age_seconds or 0.0)


def pool_refresher(service: str, database: Database) -> Refresher:
    async def refresh() -> None:
        pool = database.engine.sync_engine.pool
        if isinstance(pool, QueuePool):  # SQLite's pool keeps no such counts
            DB_POOL_IN_USE.labels(service).set(pool.checkedout())
            DB_POOL_OVERFLOW.labels(service).set(pool.overflow())

    return refresh
