"""Periodic clean-up of tables that would otherwise only grow: idempotency records past their
retention, and outbox rows long since published (JetStream and the consumers' inboxes keep what
matters after that). Inbox rows are kept: they are what makes a late redelivery harmless."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import CursorResult, delete

from common.clock import utcnow
from common.db import Database
from common.http.idempotency import IdempotencyStore
from common.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Retention:
    idempotency_keys: timedelta = timedelta(hours=24)
    published_outbox_rows: timedelta = timedelta(days=7)
    interval_seconds: float = 3600.0


async def sweep(
    database: Database,
    *,
    outbox_model: Any,
    idempotency_model: Any | None,
    retention: Retention,
) -> dict[str, int]:
    """One pass; returns how many rows each table lost."""
    removed: dict[str, int] = {}
    async with database.session() as session:
        now = utcnow()
        if idempotency_model is not None:
            store = IdempotencyStore(idempotency_model)
            removed["idempotency_keys"] = await store.purge(
                session, older_than=now - retention.idempotency_keys
            )
        result = await session.execute(
            delete(outbox_model).where(
                outbox_model.published_at.is_not(None),
                outbox_model.published_at < now - retention.published_outbox_rows,
            )
        )
        assert isinstance(result, CursorResult)
        removed["outbox"] = result.rowcount
        await session.commit()
    return removed


async def run_forever(
    database: Database,
    *,
    outbox_model: Any,
    idempotency_model: Any | None,
    retention: Retention,
) -> None:
    while True:
        with contextlib.suppress(Exception):  # a failed sweep is retried next interval
            removed = await sweep(
                database,
                outbox_model=outbox_model,
                idempotency_model=idempotency_model,
                retention=retention,
            )
            if any(removed.values()):
                log.info("housekeeping_swept", **removed)
        await asyncio.sleep(retention.interval_seconds)
