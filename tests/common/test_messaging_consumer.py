"""ConsumerRunner: poison messages are parked, retried and dead-lettered without blocking other
keys; malformed messages are dead-lettered at once; duplicates are applied once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import Database
from common.messaging import (
    DEAD_LETTER_STREAM,
    MSG_ID_HEADER,
    Broker,
    CloudEvent,
    ConsumerRunner,
    InboxStatus,
    add_event,
    dead_letter_subject,
    ensure_stream,
)
from common.messaging.deadletter import (
    ATTEMPTS_HEADER,
    CONSUMER_HEADER,
    ERROR_HEADER,
    SEQUENCE_HEADER,
    STREAM_HEADER,
    SUBJECT_HEADER,
)
from tests.common.conftest import (
    STREAM,
    Applied,
    Background,
    InboxMessage,
    OutboxMessage,
    applied,
    assert_exactly_once_in_order,
    count,
    eventually,
    interleaved,
    make_event,
    record,
)

DURABLE = "applier"


def runner(database: Database, js: JetStreamContext, **options: Any) -> ConsumerRunner:
    settings: dict[str, Any] = {
        "stream": STREAM,
        "durable": DURABLE,
        "filter_subjects": ["test.>"],
        "handler": record,
        "max_deliver": 3,
        "backoff": [0.05],
        "ack_wait": 2.0,
        "fetch_wait": 0.2,
    } | options
    return ConsumerRunner(database, InboxMessage, js, **settings)


async def publish(js: JetStreamContext, events: list[CloudEvent], stream: str = STREAM) -> None:
    prefix = "test" if stream == STREAM else stream.lower()
    for event in events:
        await js.publish(
            f"{prefix}.thing.{event.data['key']}",
            event.to_bytes(),
            headers={MSG_ID_HEADER: event.id},
        )


async def settled(js: JetStreamContext, stream: str = STREAM) -> bool:
    try:
        info = await js.consumer_info(stream, DURABLE)
    except NotFoundError:  # the runner has not created it yet
        return False
    return bool(info.num_ack_pending == 0 and info.num_pending == 0)


def failing_on(poison: CloudEvent) -> Any:
    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        if event.id == poison.id:
            raise RuntimeError("boom")
        await record(session, event)

    return handler


@pytest.mark.parametrize("batch", [1, 16], ids=["one-per-transaction", "batches"])
async def test_poison_event_is_dead_lettered_and_its_key_flows_again(
    messaging_db: Database, broker: Broker, background: Background, batch: int
) -> None:
    events = interleaved(keys=2, per_key=10)
    poison = next(e for e in events if e.data == {"key": "k00", "seq": 3})
    await publish(broker.js, events)
    consumer = runner(messaging_db, broker.js, handler=failing_on(poison), transaction_batch=batch)
    background.start(consumer.run(), "runner")

    await eventually(lambda: _applied_count(messaging_db, 19), what="all but the poison applied")
    assert_exactly_once_in_order(await applied(messaging_db), [e for e in events if e != poison])

    dead = await broker.js.get_msg(DEAD_LETTER_STREAM, 1)
    assert dead.subject == dead_letter_subject(STREAM, DURABLE)
    assert dead.data == poison.to_bytes()
    headers = dead.headers or {}
    assert headers[STREAM_HEADER] == STREAM
    assert headers[CONSUMER_HEADER] == DURABLE
    assert headers[SEQUENCE_HEADER] == str(events.index(poison) + 1)
    assert headers[SUBJECT_HEADER] == "test.thing.k00"
    assert headers[ATTEMPTS_HEADER] == "3"
    assert "RuntimeError: boom" in headers[ERROR_HEADER]
    assert (await broker.js.stream_info(DEAD_LETTER_STREAM)).state.messages == 1
    async with messaging_db.session() as session:
        row = await session.get(InboxMessage, (DURABLE, poison.id))
        assert row is not None
        assert (row.status, row.attempts, row.payload) == (InboxStatus.DEAD, 3, None)
    await eventually(lambda: settled(broker.js), what="every message acked")


@pytest.mark.parametrize("batch", [1, 16], ids=["one-per-transaction", "batches"])
async def test_a_failing_event_holds_back_only_its_own_key(
    messaging_db: Database, broker: Broker, background: Background, batch: int
) -> None:
    events = interleaved(keys=2, per_key=10)
    poison = next(e for e in events if e.data == {"key": "k00", "seq": 3})
    await publish(broker.js, events)
    consumer = runner(
        messaging_db,
        broker.js,
        handler=failing_on(poison),
        backoff=[60.0],
        transaction_batch=batch,
    )
    background.start(consumer.run(), "runner")

    async def k01_done_k00_waiting() -> bool:
        parked = InboxMessage.status == InboxStatus.PARKED
        return await count(messaging_db, Applied) == 13 and (
            await count(messaging_db, InboxMessage, parked) == 7
        )

    await eventually(k01_done_k00_waiting, what="k01 applied, k00 parked from seq 3")
    rows = await applied(messaging_db)
    assert {(key, seq) for _, key, seq in rows if key == "k00"} == {("k00", s) for s in range(3)}
    await eventually(lambda: settled(broker.js), what="parked messages acked to JetStream")
    await consumer.stop()

    # The block is durable: a new runner keeps k00 waiting behind its parked head.
    later = [make_event("k00", 10), make_event("k01", 10)]
    await publish(broker.js, later)
    restarted = runner(messaging_db, broker.js, handler=failing_on(poison), backoff=[60.0])
    background.start(restarted.run(), "runner-2")

    async def only_k01_moved_on() -> bool:
        parked = InboxMessage.status == InboxStatus.PARKED
        return await count(messaging_db, Applied) == 14 and (
            await count(messaging_db, InboxMessage, parked) == 8
        )

    await eventually(only_k01_moved_on, what="k01 seq 10 applied, k00 seq 10 parked")
    assert ("k00", 10) not in {(key, seq) for _, key, seq in await applied(messaging_db)}
    await restarted.stop()


async def test_malformed_message_is_dead_lettered_at_once(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    await broker.js.publish("test.thing.x", b"this is not an event")
    good = make_event("k00", 0)
    await publish(broker.js, [good])
    background.start(runner(messaging_db, broker.js).run(), "runner")

    await eventually(lambda: _applied_count(messaging_db, 1), what="the good event applied")
    dead = await broker.js.get_msg(DEAD_LETTER_STREAM, 1)
    assert dead.data == b"this is not an event"
    assert (dead.headers or {})[ATTEMPTS_HEADER] == "0"
    await eventually(lambda: settled(broker.js), what="malformed message terminated")


async def _applied_count(database: Database, expected: int) -> bool:
    return await count(database, Applied) == expected


@pytest.mark.parametrize("batch", [1, 16], ids=["one-per-transaction", "batches"])
async def test_duplicates_inside_and_beyond_the_window_are_applied_once(
    messaging_db: Database, broker: Broker, background: Background, batch: int
) -> None:
    js = broker.js
    await ensure_stream(js, "SHORT", ["short.>"], duplicate_window=0.2)
    inside, beyond = make_event("k00", 0), make_event("k00", 1)
    await publish(js, [inside, inside], stream="SHORT")  # JetStream drops the second
    await publish(js, [beyond], stream="SHORT")
    await asyncio.sleep(0.5)  # past the 0.2 s duplicate window
    await publish(js, [beyond], stream="SHORT")  # stored again: only the inbox can tell
    assert (await js.stream_info("SHORT")).state.messages == 3

    consumer = runner(
        messaging_db, js, stream="SHORT", filter_subjects=["short.>"], transaction_batch=batch
    )
    background.start(consumer.run(), "runner")
    # Both applied first: just after the consumer is created, its info can briefly read as
    # nothing pending (seen once under load), which alone would end the wait too early.
    await eventually(lambda: _applied_count(messaging_db, 2), what="both events applied")
    await eventually(lambda: settled(js, "SHORT"), what="all delivered and acked")
    assert_exactly_once_in_order(await applied(messaging_db), [inside, beyond])


async def test_events_published_by_a_handler_carry_its_correlation_id(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    cause = make_event("k00", 0).model_copy(update={"correlationid": "req-7"})

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        await record(session, event)
        add_event(session, make_event("k09", event.data["seq"]), nats_subject="other.thing")

    await publish(broker.js, [cause])
    background.start(runner(messaging_db, broker.js, handler=handler).run(), "runner")
    await eventually(lambda: _applied_count(messaging_db, 1), what="the cause applied")
    async with messaging_db.session() as session:
        effect = (await session.execute(OutboxMessage.__table__.select())).one()
    assert effect.correlation_id == "req-7"
    assert CloudEvent.from_bytes(effect.payload.encode()).correlationid == "req-7"
