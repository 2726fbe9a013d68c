"""Has the stream a consumer reads kept its history? Checked before every (re)subscription.

A stream recreated empty (its only replica's node replaced with a blank disk, or deleted and
created again at start-up) starts again at sequence 1, and its durable consumers are gone with
it: a runner that simply created its consumer again would read the new stream from 1 as if
nothing had happened, while every event of the old one is lost to it and every integrator's
``Last-Event-ID`` points into a stream that no longer exists. So the runner refuses
(:class:`StreamHistoryLostError`, logged as an error, ``/readyz`` says ``consumers: false``)
when:

- the consumer exists and has acknowledged past the stream's last sequence (the stream lost
  its tail), or
- the consumer is gone but the inbox shows it applied events before: from a sequence the
  stream has not reached, or before the stream was created (a recreated stream).

A consumer that is gone from a stream that still has its history (an operator deleted it) is
created again from the start: harmless, the inbox drops what was applied already.

A stream with an age limit removes an event when it reaches that age, whether or not every
consumer applied it, and JetStream then moves the consumer on without a word. That cannot be
seen after the fact (a consumer reads only its subjects, so gaps in the stream's sequence are
normal); it is prevented instead: :func:`oldest_pending_age` is in the backlog (``/readyz``,
``cf_consumer_oldest_pending_age_seconds``), beside the stream's ``max_age``, and an alert fires
when the oldest event a consumer has still to apply reaches half of it. A consumer found gone
whose inbox shows it applied events the stream no longer holds is logged as an error too.

An operator who accepts the loss sets ``NATS_ACCEPT_HISTORY_LOSS=<STREAM>`` for one start: a
marker row in the inbox (``stream-reset:<stream>:<created>``) records it, and the checks then
look only at what was applied after the marker. The inbox is only read when the consumer is
missing (at its first creation, or after a loss), so the check costs one consumer-info request
otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from nats.js.api import ConsumerInfo, StreamInfo
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import func, select

from common.clock import utcnow
from common.db.engine import Database
from common.logging import get_logger
from common.messaging.inbox import InboxStatus

log = get_logger(__name__)

RESET_MARKER_PREFIX = "stream-reset:"


class StreamHistoryLostError(RuntimeError):
    """The stream lost events this consumer had applied (or was recreated): not consuming."""


async def _consumer(js: JetStreamContext, stream: str, durable: str) -> ConsumerInfo | None:
    try:
        info: ConsumerInfo = await js.consumer_info(stream, durable)
    except NotFoundError:
        return None
    return info


async def _applied_since_reset(
    database: Database, inbox_model: Any, durable: str
) -> tuple[int | None, datetime | None]:
    """The highest stream sequence and the latest time this consumer applied an event, since
    the last accepted reset (None, None: never)."""
    marker = inbox_model.event_id.like(f"{RESET_MARKER_PREFIX}%")
    async with database.read_sessions() as session:
        reset_at = await session.scalar(
            select(func.max(inbox_model.received_at)).where(inbox_model.consumer == durable, marker)
        )
        query = select(func.max(inbox_model.stream_seq), func.max(inbox_model.received_at)).where(
            inbox_model.consumer == durable, ~marker
        )
        if reset_at is not None:
            query = query.where(inbox_model.received_at > reset_at)
        high, last = (await session.execute(query)).one()
    return high, last


async def record_reset(
    database: Database, inbox_model: Any, durable: str, stream: str, info: StreamInfo
) -> None:
    """Accept the loss: what was applied before now no longer counts against the stream."""
    created = info.created.isoformat() if info.created else "unknown"
    event_id = f"{RESET_MARKER_PREFIX}{stream}:{created}"[:64]
    async with database.session() as session, session.begin():
        existing = await session.get(inbox_model, (durable, event_id))
        if existing is None:
            session.add(
                inbox_model(
                    consumer=durable,
                    event_id=event_id,
                    status=InboxStatus.APPLIED,
                    received_at=utcnow(),
                )
            )


async def history_problem(
    js: JetStreamContext, database: Database, inbox_model: Any, stream: str, durable: str
) -> tuple[StreamInfo, str | None]:
    """The stream's info, and why its history cannot be trusted by ``durable`` (None: fine).
    Raises NotFoundError while the stream does not exist (its producer has not started)."""
    info = await js.stream_info(stream)
    last_seq = info.state.last_seq
    consumer = await _consumer(js, stream, durable)
    if consumer is not None:
        floor = consumer.ack_floor.stream_seq if consumer.ack_floor else 0
        if floor > last_seq:
            return info, (
                f"{durable} acknowledged {stream} up to sequence {floor}, but the stream ends "
                f"at {last_seq}: it lost its latest events"
            )
        return info, None
    high, last_applied = await _applied_since_reset(database, inbox_model, durable)
    if high is None and last_applied is None:
        return info, None  # never consumed: a first start
    if high is not None and high <= last_seq and high + 1 < info.state.first_seq:
        log.error(
            "stream_removed_events_since_consumer",
            stream=stream,
            consumer=durable,
            last_applied_seq=high,
            first_seq=info.state.first_seq,
            hint="events of its subjects between the two, if any, were removed by the stream's "
            "limits before it read them; replay them from their source (docs/runbooks.md)",
        )
    if high is not None and high > last_seq:
        return info, (
            f"{durable} applied {stream} up to sequence {high}, but the stream ends at "
            f"{last_seq} and its consumer is gone: the stream lost its history or was recreated"
        )
    if info.created is not None and last_applied is not None and info.created > last_applied:
        return info, (
            f"{stream} was created at {info.created.isoformat()}, after {durable} last applied "
            f"one of its events ({last_applied.isoformat()}): the stream was recreated"
        )
    log.warning("consumer_recreated", stream=stream, consumer=durable)
    return info, None


async def oldest_pending_age(
    js: JetStreamContext, stream: str, subjects: Sequence[str], *, after: int
) -> float | None:
    """Seconds since the oldest message of ``subjects`` after sequence ``after`` (a consumer's
    ack floor) was stored: the oldest event the consumer has still to apply (None: none)."""
    oldest: datetime | None = None
    for subject in subjects:
        try:
            message = await js.get_msg(stream, seq=after + 1, subject=subject, next=True)
        except NotFoundError:
            continue
        stored = _stored_at(message.time)
        if stored is not None and (oldest is None or stored < oldest):
            oldest = stored
    return None if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())


def _stored_at(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        head, _, fraction = value.rstrip("Z").partition(".")
        return datetime.fromisoformat(f"{head}.{fraction[:6] or '0'}+00:00")
    return None


async def check_history(
    js: JetStreamContext,
    database: Database,
    inbox_model: Any,
    stream: str,
    durable: str,
    *,
    accept_loss: bool = False,
) -> StreamInfo:
    """Raise :class:`StreamHistoryLostError` unless the stream kept what ``durable`` read (or
    ``accept_loss``: record the reset and go on). Returns the stream's info."""
    info, problem = await history_problem(js, database, inbox_model, stream, durable)
    if problem is None:
        return info
    if not accept_loss:
        raise StreamHistoryLostError(problem)
    log.warning("stream_history_loss_accepted", stream=stream, consumer=durable, problem=problem)
    await record_reset(database, inbox_model, durable, stream, info)
    return info
