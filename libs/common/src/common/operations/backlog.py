"""The backlog of a service: its outbox (rows waiting, the oldest one's age) and its consumers
(pending, waiting for an ack, redelivered), as the runbooks ask for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nats.js.client import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.sql import column, table

from common.clock import utcnow
from common.db import Database
from common.db.base import UTCDateTime

OUTBOX_TABLE = "outbox"


@dataclass(frozen=True)
class OutboxBacklog:
    waiting: int
    oldest_age_seconds: float


@dataclass(frozen=True)
class ConsumerBacklog:
    stream: str
    consumer: str
    pending: int  # in the stream, not yet delivered
    ack_pending: int  # delivered, not yet acknowledged
    redelivered: int
    last_active: str | None


async def outbox_backlog(database: Database, outbox: Any = None) -> OutboxBacklog:
    """Rows waiting and the oldest one's age, of ``outbox`` (a table; by default the table
    every service names ``outbox``, for tools that have no model)."""
    if outbox is None:
        outbox = table(
            OUTBOX_TABLE,
            column("published_at", UTCDateTime()),
            column("created_at", UTCDateTime()),
        )
    statement = select(func.count(), func.min(outbox.c.created_at)).where(
        outbox.c.published_at.is_(None)
    )
    async with database.read_sessions() as session:
        waiting, oldest = (await session.execute(statement)).one()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return OutboxBacklog(int(waiting), max(0.0, age))


async def consumer_backlogs(js: JetStreamContext) -> list[ConsumerBacklog]:
    """Every durable consumer of every stream."""
    found: list[ConsumerBacklog] = []
    for stream in await js.streams_info():
        for info in await js.consumers_info(stream.config.name or ""):
            delivered: Any = info.delivered
            found.append(
                ConsumerBacklog(
                    stream=stream.config.name or "",
                    consumer=info.name,
                    pending=info.num_pending or 0,
                    ack_pending=info.num_ack_pending or 0,
                    redelivered=info.num_redelivered or 0,
                    last_active=str(delivered.last_active) if delivered else None,
                )
            )
    return found
