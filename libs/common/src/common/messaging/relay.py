"""The outbox relay: publishes committed outbox rows to JetStream, in order, at least once.

Each row is published with ``Nats-Msg-Id: <event id>``. A batch is published pipelined (see
:mod:`common.messaging.window`): up to ``window`` publishes in flight, their acks collected
together, a key's next row sent only once its previous one is acked; then the acked rows are
marked sent in one statement. A crash between the ack and the mark re-publishes those rows
later: JetStream drops the copies inside the stream's duplicate window and the consumers' inbox
drops them beyond it. A publish that fails stops the batch there (nothing new is sent, the
key's later rows wait, so nothing is skipped or reordered) and the relay retries with backoff,
whether NATS or the database is the one that is down.

The relay wakes on commits of this process (``add_event``'s ``after_commit`` hook) and, on
PostgreSQL, on ``NOTIFY`` from any process (see :mod:`common.messaging.listener`); it polls
every ``poll_interval`` as well, in case a notification was lost.

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
(one statement takes the locks and reads those rows: its snapshot may predate a claimant's
commit, which only makes it hold back rows that were in fact free, until the next batch).
Whoever publishes a key therefore holds its lock and its oldest unsent rows; relays share the
keys between them, and rows without a partition key are ordered by nothing but the row locks.
Transaction-scoped locks are released by commit, rollback or a dropped connection: a crashed
relay strands none.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from typing import Any

from nats.js.api import PubAck
from nats.js.client import JetStreamContext
from sqlalchemy import BigInteger, TextClause, any_, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.db.engine import Database
from common.logging import get_logger
from common.messaging.envelope import CORRELATION_ID_HEADER, MSG_ID_HEADER
from common.messaging.listener import listen_for_commits
from common.messaging.outbox import (
    OutboxMixin,
    notify_channel,
    register_waker,
    unregister_waker,
)
from common.messaging.window import PendingRow, publish_window
from common.observability.metrics import count_published

log = get_logger(__name__)

__all__ = ["OutboxRelay", "PendingRow", "partition_lock_id"]

# Arrays keep the statements' text the same whatever the batch (asyncpg prepares each text).
_IDS = bindparam("ids", type_=ARRAY(BigInteger))


def _heads_query(table: str) -> TextClause:
    """Per claimed key: the advisory lock taken (or the key is absent) and the first unsent
    row of that key up to the batch's last id that this relay did not claim (or NULL)."""
    return text(  # the table's name comes from the model class, not from input
        "WITH held AS MATERIALIZED ("  # noqa: S608
        " SELECT key FROM unnest(CAST(:keys AS varchar[]), CAST(:locks AS bigint[]))"
        " AS t(key, lock_id) WHERE pg_try_advisory_xact_lock(lock_id))"
        f' SELECT held.key, min(o.id) FROM held LEFT JOIN "{table}" o'
        " ON o.partition_key = held.key AND o.published_at IS NULL AND o.id <= :last"
        " AND o.id <> ALL(CAST(:mine AS bigint[]))"
        " GROUP BY held.key"
    )


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
        batch_size: int = 512,
        window: int = 256,
        publish_timeout: float = 5.0,
        max_backoff: float = 1.0,  # a new stream leader is elected within seconds
    ) -> None:
        self._database = database
        self._model: Any = model  # mapped class: its columns are SQL expressions
        self._js = js
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._window = window
        self._heads_query = _heads_query(model.__tablename__)  # type: ignore[attr-defined]
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
        listener: asyncio.Task[None] | None = None
        if self._database.is_postgres:
            channel = notify_channel(self._model)
            listening = listen_for_commits(self._database, channel, self.wake)
            listener = asyncio.create_task(listening, name=f"listen-{channel}")
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
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener

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
        mine = [row.id for row in rows]
        found = await session.execute(
            self._heads_query,
            {
                "keys": keys,
                "locks": [partition_lock_id(table, key) for key in keys],
                "mine": mine,
                "last": max(mine),
            },
        )
        held: set[str] = set()
        first_foreign: dict[str, int] = {}
        for key, foreign in found.all():
            held.add(key)
            if foreign is not None:
                first_foreign[key] = foreign
        return [
            row
            for row in rows
            if row.partition_key is None
            or (
                row.partition_key in held
                and row.id < first_foreign.get(row.partition_key, row.id + 1)
            )
        ]

    async def _publish_in_order(self, rows: list[PendingRow]) -> tuple[list[int], Exception | None]:
        return await publish_window(
            rows, self._send, self._acked, window=self._window, ack_wait=self._publish_timeout
        )

    async def _send(self, row: PendingRow) -> asyncio.Future[PubAck]:
        """Send one row; the future resolves to JetStream's ack (which reports a duplicate)."""
        headers = {MSG_ID_HEADER: row.event_id}
        if row.correlation_id is not None:
            headers[CORRELATION_ID_HEADER] = row.correlation_id
        return await self._js.publish_async(
            row.nats_subject,
            row.payload.encode(),
            headers=headers,
            wait_stall=self._publish_timeout,
        )

    async def _acked(self, row: PendingRow, ack: PubAck) -> None:
        if ack.duplicate:
            log.info("outbox_republished_duplicate", event_id=row.event_id, seq=ack.seq)

    async def _mark(self, session: AsyncSession, ids: list[int]) -> None:
        model = self._model
        if self._database.is_postgres:
            await session.execute(
                update(model)
                .where(model.id == any_(_IDS))
                .values(published_at=utcnow())
                .execution_options(synchronize_session=False),
                {"ids": ids},
            )
            return
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
