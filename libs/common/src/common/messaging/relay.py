"""The outbox relay: publishes committed outbox rows to JetStream, in order, at least once.

Each row is published with ``Nats-Msg-Id: <event id>`` and the relay waits for its PubAck
before publishing the next one, then marks the published rows sent. A crash between the ack
and the mark re-publishes those rows later: JetStream drops the copies inside the stream's
duplicate window and the consumers' inbox drops them beyond it. A publish that fails stops the
batch there (the rows after it wait, so nothing is skipped or reordered) and the relay retries
with backoff, whether NATS or the database is the one that is down.

"In order" means in outbox ``id`` order per partition key. Ids are taken at insert, so two
transactions that write events of one key at the same time could commit against id order;
the writers of one aggregate are serialised by its version column, which rules that out.

Claiming, and order with several relays on one database
--------------------------------------------------------
*SQLite* (one process per database file): the relay reads a batch in a short transaction and
publishes outside it, because SQLite has a single writer lock and publishing may wait on NATS.
Two relays on one file would publish the same rows twice, in the same order: harmless.

*PostgreSQL* (many replicas): one transaction per batch claims the oldest unsent rows with
``SELECT ... FOR UPDATE SKIP LOCKED``, publishes and marks them. Row locks alone would let a
second relay publish a later row of a partition key while the first is still publishing an
earlier one, so per key the relay also takes ``pg_try_advisory_xact_lock(hash(table, key))``
and then publishes a key's rows only below the first unsent row of that key it does not hold
(read after taking the lock, so it sees every earlier claimant's commit). Whoever publishes a
key therefore holds its lock and its oldest unsent rows; relays share the keys between them,
and rows without a partition key are ordered by nothing but the row locks. Transaction-scoped
locks are released by commit, rollback or a dropped connection: a crashed relay strands none.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nats.js.client import JetStreamContext
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.db.engine import Database
from common.logging import get_logger
from common.messaging.envelope import CORRELATION_ID_HEADER, MSG_ID_HEADER
from common.messaging.outbox import OutboxMixin, register_waker, unregister_waker
from common.observability.metrics import count_published

log = get_logger(__name__)


@dataclass(frozen=True)
class PendingRow:
    id: int
    event_id: str
    nats_subject: str
    payload: str
    partition_key: str | None
    correlation_id: str | None


def partition_lock_id(table: str, key: str) -> int:
    """A signed 64-bit advisory lock id for one partition key of one outbox table."""
    digest = hashlib.blake2b(f"{table}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class OutboxRelay:
    """Publishes ``model``'s unsent rows. ``run()`` until ``stop()``; ``wake()`` after a commit
    (done for you by the ``after_commit`` hook of :func:`~common.messaging.add_event`)."""

    def __init__(
        self,
        database: Database,
        model: type[OutboxMixin],
        js: JetStreamContext,
        *,
        poll_interval: float = 1.0,
        batch_size: int = 100,
        publish_timeout: float = 5.0,
        max_backoff: float = 1.0,  # a new stream leader is elected within seconds
    ) -> None:
        self._database = database
        self._model: Any = model  # mapped class: its columns are SQL expressions
        self._js = js
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._publish_timeout = publish_timeout
        self._max_backoff = max_backoff
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[Any] | None = None
        self._batch_was_full = False  # more rows may be waiting: no pause before the next

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        self._task = asyncio.current_task()
        register_waker(self._model, self.wake)
        failures = 0
        try:
            while not self._stopping.is_set():
                self._wakeup.clear()  # before reading, so a commit during the batch re-runs it
                try:
                    published = await self.publish_pending()
                except Exception as exc:  # NATS or the database: retry later
                    failures += 1
                    delay = min(self._max_backoff, 0.1 * 2 ** min(failures, 10))
                    log.warning("outbox_relay_retry", error=repr(exc), retry_in=delay)
                    await self._sleep(self._stopping, delay)
                    continue
                failures = 0
                if not (published and self._batch_was_full):
                    await self._sleep(self._wakeup, self._poll_interval)
        finally:
            unregister_waker(self._model, self.wake)

    async def stop(self, grace: float = 2.0) -> None:
        """Finish the batch in hand (up to ``grace`` seconds), then stop."""
        self._stopping.set()
        self._wakeup.set()
        task = self._task
        if task is None or task.done() or task is asyncio.current_task():
            return
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were published. Raises (after
        marking the rows published before it) when a publish or the database fails."""
        if self._database.is_postgres:
            return await self._claim_and_publish()
        async with self._database.session() as session:
            rows = await self._unsent(session, lock=False)
        published, error = await self._publish_in_order(rows)
        if published:
            async with self._database.session() as session, session.begin():
                await self._mark(session, published)
            count_published(len(published))  # after the commit: marked as sent
        if error is not None:
            raise error
        return len(published)

    async def _claim_and_publish(self) -> int:
        async with self._database.session() as session, session.begin():
            rows = await self._unsent(session, lock=True)
            rows = await self._partition_heads(session, rows)
            published, error = await self._publish_in_order(rows)
            if published:
                await self._mark(session, published)
        count_published(len(published))  # after the commit: marked as sent
        if error is not None:
            raise error
        return len(published)

    async def _unsent(self, session: AsyncSession, *, lock: bool) -> list[PendingRow]:
        rows = await self._select_unsent(session, lock=lock)
        self._batch_was_full = len(rows) == self._batch_size
        return rows

    async def _select_unsent(self, session: AsyncSession, *, lock: bool) -> list[PendingRow]:
        model = self._model
        query = (
            select(
                model.id,
                model.event_id,
                model.nats_subject,
                model.payload,
                model.partition_key,
                model.correlation_id,
            )
            .where(model.published_at.is_(None))
            .order_by(model.id)
            .limit(self._batch_size)
        )
        if lock:
            query = query.with_for_update(skip_locked=True)
        return [PendingRow(*row) for row in (await session.execute(query)).all()]

    async def _partition_heads(
        self, session: AsyncSession, rows: list[PendingRow]
    ) -> list[PendingRow]:
        """The claimed rows this relay may publish now without overtaking another relay."""
        keys = sorted({row.partition_key for row in rows if row.partition_key is not None})
        if not keys:
            return rows
        table = self._model.__tablename__
        lock_calls = [func.pg_try_advisory_xact_lock(partition_lock_id(table, k)) for k in keys]
        granted = (await session.execute(select(*lock_calls))).one()
        held = {key for key, ok in zip(keys, granted, strict=True) if ok}
        mine = {row.id for row in rows}
        first_foreign: dict[str, int] = {}
        if held:
            model = self._model
            others = await session.execute(
                select(model.partition_key, model.id)
                .where(model.published_at.is_(None))
                .where(model.partition_key.in_(held))
                .where(model.id <= max(mine))
                .order_by(model.id)
            )
            for key, row_id in others.all():
                if row_id not in mine:
                    first_foreign.setdefault(key, row_id)
        return [
            row
            for row in rows
            if row.partition_key is None
            or (
                row.partition_key in held
                and row.id < first_foreign.get(row.partition_key, row.id + 1)
            )
        ]

    async def _publish_in_order(
        self, rows: Sequence[PendingRow]
    ) -> tuple[list[int], Exception | None]:
        published: list[int] = []
        for row in rows:
            try:
                await self._publish(row)
            except Exception as exc:  # reported to run() after marking the rest
                return published, exc
            published.append(row.id)
        return published, None

    async def _publish(self, row: PendingRow) -> None:
        """Publish one row and wait for JetStream's ack (which also reports a duplicate)."""
        headers = {MSG_ID_HEADER: row.event_id}
        if row.correlation_id is not None:
            headers[CORRELATION_ID_HEADER] = row.correlation_id
        ack = await self._js.publish(
            row.nats_subject, row.payload.encode(), headers=headers, timeout=self._publish_timeout
        )
        if ack.duplicate:
            log.info("outbox_republished_duplicate", event_id=row.event_id, seq=ack.seq)

    async def _mark(self, session: AsyncSession, ids: list[int]) -> None:
        model = self._model
        await session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(published_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    @staticmethod
    async def _sleep(event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds)
