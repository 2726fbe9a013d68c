"""The whole backbone under faults: 1,000 events over 20 partition keys go through add_event,
the relay, JetStream and a consumer, while the relay dies between a publish and marking it
sent, the consumer dies between its commit and its ack, and the broker is killed and
restarted (and, on PostgreSQL, every database connection is dropped). Every event must be
applied exactly once, in order per key; with one transaction per message and with batches of
consecutive deliveries in one transaction."""

from __future__ import annotations

import asyncio
from typing import Any, NoReturn

import pytest
from nats.aio.msg import Msg
from nats.js.api import PubAck
from nats.js.errors import NotFoundError
from sqlalchemy import text

from common.db import Database
from common.messaging import DEAD_LETTER_STREAM, Broker, ConsumerRunner, OutboxRelay
from common.messaging.relay import PendingRow
from common.testing.nats import NatsServer
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
    produce,
    record,
)

DURABLE = "applier"


async def die() -> NoReturn:
    """End the current task here, as a killed process would: no cleanup of our own runs."""
    task = asyncio.current_task()
    assert task is not None
    task.cancel()
    await asyncio.sleep(0)
    raise AssertionError("unreachable")


class RelayDyingAfterPublish(OutboxRelay):
    def __init__(self, *args: Any, publishes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publishes_left = publishes

    async def _acked(self, row: PendingRow, ack: PubAck) -> None:
        await super()._acked(row, ack)
        self.publishes_left -= 1
        if self.publishes_left == 0:
            await die()  # JetStream has it; the row is not marked sent


class RunnerDyingBeforeAck(ConsumerRunner):
    def __init__(self, *args: Any, acks: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acks_left = acks

    async def _ack(self, msg: Msg) -> None:
        self.acks_left -= 1
        if self.acks_left == 0:
            await die()  # the handler's transaction is committed; JetStream never hears of it
        await super()._ack(msg)


async def drop_connections(database: Database) -> None:
    async with database.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )


@pytest.mark.parametrize("transaction_batch", [1, 16], ids=["one-per-transaction", "batches"])
async def test_every_event_is_applied_once_in_order_through_crashes_and_a_broker_restart(
    messaging_db: Database,
    broker: Broker,
    nats_server: NatsServer,
    background: Background,
    transaction_batch: int,
) -> None:
    js = broker.js
    events = interleaved(keys=20, per_key=50)
    relay_options: dict[str, Any] = {"poll_interval": 0.2}
    consumer_options: dict[str, Any] = {
        "stream": STREAM,
        "durable": DURABLE,
        "filter_subjects": ["test.>"],
        "handler": record,
        "ack_wait": 1.0,  # so that unacked messages come back quickly
        "fetch_wait": 0.2,
        "transaction_batch": transaction_batch,
    }
    first_relay = background.start(
        RelayDyingAfterPublish(
            messaging_db, OutboxMessage, js, publishes=150, **relay_options
        ).run(),
        "relay-1",
    )
    first_runner = background.start(
        RunnerDyingBeforeAck(messaging_db, InboxMessage, js, acks=300, **consumer_options).run(),
        "runner-1",
    )
    producer = background.start(produce(messaging_db, events), "producer")

    async def ended(task: asyncio.Task[Any]) -> bool:
        return task.done()

    await eventually(lambda: ended(first_relay), what="the first relay's crash")
    assert first_relay.cancelled()
    relay = OutboxRelay(messaging_db, OutboxMessage, js, **relay_options)
    background.start(relay.run(), "relay-2")

    await eventually(lambda: ended(first_runner), what="the first consumer's crash")
    assert first_runner.cancelled()
    runner = ConsumerRunner(messaging_db, InboxMessage, js, **consumer_options)
    background.start(runner.run(), "runner-2")

    async def half_applied() -> bool:
        return await count(messaging_db, Applied) >= 500

    await eventually(half_applied, within=60, what="half the events applied")
    nats_server.kill()
    await asyncio.sleep(0.3)
    await asyncio.to_thread(nats_server.restart)
    await producer
    if messaging_db.is_postgres:
        await drop_connections(messaging_db)

    async def all_applied() -> bool:
        return await count(messaging_db, Applied) >= len(events)

    async def all_acked() -> bool:
        try:
            info = await js.consumer_info(STREAM, DURABLE)
        except NotFoundError:
            return False
        return bool(info.num_ack_pending == 0 and info.num_pending == 0)

    await eventually(all_applied, within=90, what="every event applied")
    await eventually(all_acked, within=30, what="every delivery acked")  # redeliveries seen too
    assert_exactly_once_in_order(await applied(messaging_db), events)

    async def all_marked_sent() -> bool:
        # A publish whose ack the restart lost is published again (a duplicate JetStream
        # drops) and only then marked: that may come after the consumer applied it.
        unsent = OutboxMessage.published_at.is_(None)
        return await count(messaging_db, OutboxMessage, unsent) == 0

    await eventually(all_marked_sent, within=30, what="every outbox row marked sent")
    assert (await js.stream_info(DEAD_LETTER_STREAM)).state.messages == 0
    await relay.stop()
    await runner.stop()
