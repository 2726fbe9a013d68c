"""The database side of a consumer: apply an event exactly once, or park it, or give up on it.

Every outcome is committed before the message is acknowledged to JetStream, and each is a row
of the inbox (see :mod:`common.messaging.inbox`):

- applied: the inbox row and the handler's changes commit in one transaction;
- parked: the handler failed (the row keeps the payload and the next attempt time), or an
  earlier event of the same partition key is parked, so this one waits behind it;
- dead: unparseable, or failed ``max_attempts`` times: published to the dead-letter stream.

:meth:`InboxProcessor.receive_batch` applies several consecutive deliveries in one transaction
(a consumer that opts in with ``transaction_batch``); when any of them would not simply be
applied, it commits nothing and they go through :meth:`InboxProcessor.receive` one by one.

Parked events are retried by :meth:`InboxProcessor.retry_parked`, oldest first, and only the
oldest parked event of a key is tried, so a key's order holds while other keys flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

import structlog
from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.db.engine import Database
from common.logging import correlation_id_var, get_logger
from common.messaging.deadletter import DeadLetter
from common.messaging.envelope import CloudEvent, MalformedEvent
from common.messaging.inbox import InboxMixin, InboxStatus
from common.observability.metrics import count_consumer_outcome
from common.observability.tracing import consumer_span

log = get_logger(__name__)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
DeadLetterSink = Callable[[DeadLetter], Awaitable[None]]
RETRY_BATCH = 100


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    PARKED = "parked"
    DEAD = "dead"


@dataclass(frozen=True)
class Delivery:
    """One message as read from the stream."""

    subject: str
    stream_seq: int
    payload: bytes


@dataclass(frozen=True)
class _Parked:
    event_id: str
    partition_key: str | None
    next_attempt_at: datetime | None
    attempts: int
    payload: str
    nats_subject: str | None
    stream_seq: int | None


class InboxProcessor:
    def __init__(
        self,
        database: Database,
        model: type[InboxMixin],
        *,
        stream: str,
        consumer: str,
        handler: Handler,
        dead_letter: DeadLetterSink,
        max_attempts: int,
        backoff: Sequence[float],
    ) -> None:
        self._database = database
        self._model: Any = model  # mapped class: its columns are SQL expressions
        self._stream = stream
        self._consumer = consumer
        self._handler = handler
        self._dead_letter = dead_letter
        self._max_attempts = max(1, max_attempts)
        self._backoff = list(backoff) or [0.0]

    async def receive(self, delivery: Delivery) -> Outcome:
        """Decide and commit the outcome of a delivery. Raises, with nothing committed, when the
        database (or the dead-letter stream) is unavailable: deliver it again later."""
        try:
            event = CloudEvent.from_bytes(delivery.payload)
        except MalformedEvent as exc:
            return await self._reject(delivery, str(exc))
        try:
            async with self._database.session() as session, session.begin():
                seen, key_parked = await self._lookup(session, event)
                if seen:
                    return Outcome.DUPLICATE
                if key_parked:
                    session.add(self._row(event, delivery, InboxStatus.PARKED, utcnow()))
                    log.info("event_parked_behind", event_id=event.id, key=event.partitionkey)
                    return Outcome.PARKED
                session.add(self._row(event, delivery, InboxStatus.APPLIED, None))
                await session.flush()  # claim (consumer, event id) before the handler runs
                await self._call_handler(session, event)
            return Outcome.APPLIED
        except Exception as exc:  # the handler's failure is recorded below
            error = f"{type(exc).__name__}: {exc}"
        return await self._first_failure(event, delivery, error)

    async def receive_batch(self, deliveries: Sequence[Delivery]) -> list[Outcome] | None:
        """Apply consecutive deliveries in one transaction (one commit for the lot, then the
        caller acks them all), or commit nothing and return None when they must go one at a
        time instead: a malformed message, a parked partition key, or a failing handler (the
        whole batch is rolled back, so the one-at-a-time pass records exactly what happened).
        Duplicates in the batch are skipped as in :meth:`receive`."""
        try:
            events = [CloudEvent.from_bytes(d.payload) for d in deliveries]
        except MalformedEvent:
            return None
        model = self._model
        try:
            async with self._database.session() as session, session.begin():
                ids = [event.id for event in events]
                seen = set(
                    await session.scalars(
                        select(model.event_id).where(
                            model.consumer == self._consumer, model.event_id.in_(ids)
                        )
                    )
                )
                keys = sorted({e.partitionkey for e in events if e.partitionkey is not None})
                if keys:
                    parked = await session.scalar(
                        select(model.event_id)
                        .where(
                            model.consumer == self._consumer,
                            model.status == InboxStatus.PARKED,
                            model.partition_key.in_(keys),
                        )
                        .limit(1)
                    )
                    if parked is not None:
                        return None  # nothing written: the commit on the way out is empty
                outcomes: list[Outcome] = []
                for delivery, event in zip(deliveries, events, strict=True):
                    if event.id in seen:
                        outcomes.append(Outcome.DUPLICATE)
                        continue
                    seen.add(event.id)
                    session.add(self._row(event, delivery, InboxStatus.APPLIED, None))
                    outcomes.append(Outcome.APPLIED)
                await session.flush()  # claim them all in one statement, then apply in order
                for event, outcome in zip(events, outcomes, strict=True):
                    if outcome is Outcome.APPLIED:
                        await self._call_handler(session, event)
        except Exception as exc:  # rolled back: the messages go one at a time
            log.info(
                "batch_rolled_back", size=len(deliveries), error=f"{type(exc).__name__}: {exc}"
            )
            return None
        return outcomes

    async def retry_parked(self, limit: int = RETRY_BATCH) -> float | None:
        """Retry the due parked events, each key's oldest first. Returns the seconds until the
        next parked event is due, or None when none is parked."""
        model = self._model
        async with self._database.session() as session:
            found = await session.execute(
                select(
                    model.event_id,
                    model.partition_key,
                    model.next_attempt_at,
                    model.attempts,
                    model.payload,
                    model.nats_subject,
                    model.stream_seq,
                )
                .where(model.consumer == self._consumer, model.status == InboxStatus.PARKED)
                .order_by(model.stream_seq)
            )
            rows = [_Parked(*row) for row in found.all()]
        blocked: set[str] = set()
        next_due: datetime | None = None
        tried = 0
        for row in rows:
            if row.partition_key in blocked:
                continue
            due_at: datetime | None = row.next_attempt_at or utcnow()
            if due_at is not None and due_at <= utcnow() and tried < limit:
                tried += 1
                due_at = await self._retry(row)
            if due_at is not None:  # still parked: the rest of its key waits
                next_due = due_at if next_due is None else min(next_due, due_at)
                if row.partition_key is not None:
                    blocked.add(row.partition_key)
        if next_due is None:
            return None
        return max(0.0, (next_due - utcnow()).total_seconds())

    async def _retry(self, parked: _Parked) -> datetime | None:
        """One more attempt at a parked event; the time of the next one, or None if resolved."""
        key = (self._consumer, parked.event_id)
        try:
            async with self._database.session() as session, session.begin():
                # Locked, so that a second runner (a rolling deploy) cannot apply it as well.
                row = await session.get(self._model, key, with_for_update=True)
                if row is None or row.status != InboxStatus.PARKED:
                    return None
                await self._call_handler(session, CloudEvent.from_bytes(parked.payload))
                row.status = InboxStatus.APPLIED
                row.payload = None
                row.next_attempt_at = None
            log.info("parked_event_applied", event_id=parked.event_id, attempts=parked.attempts)
            count_consumer_outcome(self._consumer, "applied_after_parking")
            return None
        except Exception as exc:  # recorded as a failed attempt below
            error = f"{type(exc).__name__}: {exc}"
        attempts = parked.attempts + 1
        dead = attempts >= self._max_attempts
        if dead:  # published outside any transaction: NATS may be slow to answer
            await self._dead_letter(
                self._letter(
                    parked.event_id,
                    Delivery(
                        parked.nats_subject or "", parked.stream_seq or 0, parked.payload.encode()
                    ),
                    error,
                    attempts,
                )
            )
        async with self._database.session() as session, session.begin():
            row = await session.get(self._model, key, with_for_update=True)
            if row is None or row.status != InboxStatus.PARKED:
                return None
            row.status = InboxStatus.DEAD if dead else InboxStatus.PARKED
            row.payload = None if dead else row.payload
            row.next_attempt_at = None if dead else self._next_attempt(attempts)
            row.attempts = attempts
            row.last_error = error
            next_attempt: datetime | None = row.next_attempt_at
        log.warning("event_retry_failed", event_id=parked.event_id, attempts=attempts, error=error)
        return next_attempt

    async def _first_failure(self, event: CloudEvent, delivery: Delivery, error: str) -> Outcome:
        """Park the event for a retry, or dead-letter it when one attempt is all it gets."""
        dead = self._max_attempts <= 1
        status = InboxStatus.DEAD if dead else InboxStatus.PARKED
        row = self._row(event, delivery, status, None if dead else self._next_attempt(1))
        row.attempts = 1
        row.last_error = error
        if dead:
            await self._dead_letter(self._letter(event.id, delivery, error, 1))
        async with self._database.session() as session, session.begin():
            session.add(row)
        log.warning("event_failed", event_id=event.id, outcome=status, error=error)
        return Outcome.DEAD if dead else Outcome.PARKED

    async def _reject(self, delivery: Delivery, error: str) -> Outcome:
        """Dead-letter a message that is not an event at all, once (keyed by its position)."""
        stand_in = f"{self._stream}#{delivery.stream_seq}"
        async with self._database.session() as session:
            if await session.get(self._model, (self._consumer, stand_in)) is not None:
                return Outcome.DUPLICATE
        await self._dead_letter(self._letter(stand_in, delivery, error, 0))
        async with self._database.session() as session, session.begin():
            row = cast(Any, self._model)(
                consumer=self._consumer,
                event_id=stand_in,
                status=InboxStatus.DEAD,
                stream_seq=delivery.stream_seq,
                nats_subject=delivery.subject,
                last_error=error,
            )
            session.add(row)
        log.error("malformed_event_dead_lettered", subject=delivery.subject, error=error)
        return Outcome.DEAD

    async def _lookup(self, session: AsyncSession, event: CloudEvent) -> tuple[bool, bool]:
        """(already in the inbox, an event of its key is parked), in one round trip."""
        model = self._model
        condition = model.event_id == event.id
        if event.partitionkey is not None:
            parked = (model.partition_key == event.partitionkey) & (
                model.status == InboxStatus.PARKED
            )
            condition = condition | parked
        own_row_first = case((model.event_id == event.id, 0), else_=1)
        found = await session.scalar(
            select(model.event_id)
            .where(model.consumer == self._consumer, condition)
            .order_by(own_row_first)
            .limit(1)
        )
        return found == event.id, found is not None and found != event.id

    async def _call_handler(self, session: AsyncSession, event: CloudEvent) -> None:
        # Events the handler publishes carry the same correlation id (add_event reads it).
        token = correlation_id_var.set(event.correlationid or event.id)
        try:
            with (
                structlog.contextvars.bound_contextvars(event_id=event.id, event_type=event.type),
                consumer_span(
                    self._consumer, event.id, event.type, event.traceparent, event.tracestate
                ),
            ):
                await self._handler(session, event)
        finally:
            correlation_id_var.reset(token)

    def _row(
        self, event: CloudEvent, delivery: Delivery, status: str, next_attempt: datetime | None
    ) -> Any:
        parked = status == InboxStatus.PARKED
        return cast(Any, self._model)(
            consumer=self._consumer,
            event_id=event.id,
            status=status,
            partition_key=event.partitionkey,
            stream_seq=delivery.stream_seq,
            nats_subject=delivery.subject,
            payload=delivery.payload.decode() if parked else None,
            attempts=0,
            next_attempt_at=next_attempt,
        )

    def _next_attempt(self, attempts: int) -> datetime:
        delay = self._backoff[min(attempts, len(self._backoff)) - 1]
        return utcnow() + timedelta(seconds=delay)

    def _letter(self, key: str, delivery: Delivery, error: str, attempts: int) -> DeadLetter:
        try:
            correlation_id = CloudEvent.from_bytes(delivery.payload).correlationid
        except MalformedEvent:
            correlation_id = None
        return DeadLetter(
            stream=self._stream,
            durable=self._consumer,
            stream_seq=delivery.stream_seq,
            subject=delivery.subject,
            payload=delivery.payload,
            error=error,
            attempts=attempts,
            message_key=key,
            correlation_id=correlation_id,
        )
