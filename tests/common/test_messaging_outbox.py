"""Outbox and relay: rows written with the change, published in order with JetStream dedupe
headers, under two relays, through a broker outage and dropped database connections."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

import pytest
from nats.js.api import PubAck
from nats.js.client import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from common.db import TYPE_ANNOTATION_MAP, Database, create_database, service_metadata
from common.logging import correlation_id_var
from common.messaging import (
    CORRELATION_ID_HEADER,
    MSG_ID_HEADER,
    Broker,
    CloudEvent,
    OutboxMixin,
    OutboxNotConfiguredError,
    OutboxRelay,
    add_event,
    bind_outbox,
    outbox_model_for,
)
from common.messaging.outbox import register_waker, unregister_waker
from common.messaging.relay import PendingRow
from common.testing.nats import NatsServer
from tests.common.conftest import (
    STREAM,
    Applied,
    Background,
    OutboxMessage,
    count,
    eventually,
    interleaved,
    make_event,
    produce,
)


async def stream_messages(js: JetStreamContext) -> list[tuple[CloudEvent, dict[str, str]]]:
    last = (await js.stream_info(STREAM)).state.last_seq
    messages = []
    for seq in range(1, last + 1):
        raw = await js.get_msg(STREAM, seq)
        messages.append((CloudEvent.from_bytes(raw.data or b""), dict(raw.headers or {})))
    return messages


class JitteryRelay(OutboxRelay):
    """Publishes at an uneven pace, so that two relays would overtake each other if they could."""

    async def _send(self, row: PendingRow) -> asyncio.Future[PubAck]:
        await asyncio.sleep(random.random() * 0.003)
        return await super()._send(row)


async def all_published(database: Database) -> bool:
    return await count(database, OutboxMessage, OutboxMessage.published_at.is_(None)) == 0


def assert_per_key_order(events: list[CloudEvent]) -> None:
    by_key: dict[str, list[int]] = defaultdict(list)
    for event in events:
        by_key[str(event.partitionkey)].append(event.data["seq"])
    for key, seqs in by_key.items():
        assert seqs == sorted(seqs), f"key {key} published out of order: {seqs}"


class OtherServiceBase(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class OtherServiceOutbox(OutboxMixin, OtherServiceBase):
    __tablename__ = "outbox"


async def test_outbox_model_is_found_from_the_binding_or_the_sessions_objects(
    messaging_db: Database,
) -> None:
    session = AsyncSession()
    with pytest.raises(OutboxNotConfiguredError, match="bind_outbox"):
        outbox_model_for(session)
    session.add(Applied(event_id="e", key="k", seq=0))
    assert outbox_model_for(session) is OutboxMessage  # Applied shares its MetaData
    async with messaging_db.session() as bound:
        assert outbox_model_for(bound) is OutboxMessage  # bind_outbox, with nothing added
    other = create_database("sqlite+aiosqlite://")
    bind_outbox(other, OtherServiceOutbox)
    async with other.session() as bound_elsewhere:
        bound_elsewhere.add(Applied(event_id="e", key="k", seq=0))
        assert outbox_model_for(bound_elsewhere) is OtherServiceOutbox  # the binding wins
    await other.dispose()


async def test_commit_wakes_the_relay_and_rollback_does_not(messaging_db: Database) -> None:
    woken: list[int] = []

    def wake() -> None:
        woken.append(1)

    register_waker(OutboxMessage, wake)
    try:
        async with messaging_db.session() as session:
            add_event(session, make_event("a", 0), nats_subject="test.thing.a")
            await session.rollback()
            assert woken == []
            add_event(session, make_event("a", 1), nats_subject="test.thing.a")
            await session.commit()
            assert woken == [1]
            session.add(Applied(event_id="x", key="a", seq=0))
            await session.commit()  # no event in this transaction: no wake-up
            assert woken == [1]
    finally:
        unregister_waker(OutboxMessage, wake)
    assert await count(messaging_db, OutboxMessage) == 1


async def test_relay_publishes_in_order_with_dedupe_and_correlation_headers(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    events = interleaved(keys=3, per_key=10)
    token = correlation_id_var.set("req-42")
    try:
        await produce(messaging_db, events)
    finally:
        correlation_id_var.reset(token)
    relay = OutboxRelay(messaging_db, OutboxMessage, broker.js, poll_interval=0.1)
    background.start(relay.run(), "relay")
    await eventually(lambda: all_published(messaging_db), what="all published")
    await relay.stop()

    published = await stream_messages(broker.js)
    assert [event.id for event, _ in published] == [event.id for event in events]
    for event, headers in published:
        assert headers[MSG_ID_HEADER] == event.id
        assert headers[CORRELATION_ID_HEADER] == "req-42" == event.correlationid


async def test_two_relays_keep_each_partition_key_in_order(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    events = interleaved(keys=8, per_key=40)
    relays = [
        JitteryRelay(messaging_db, OutboxMessage, broker.js, poll_interval=0.05, batch_size=7)
        for _ in range(2)
    ]
    await produce(messaging_db, events, max_per_tx=3)  # a backlog, so both relays claim rows
    for index, relay in enumerate(relays):
        background.start(relay.run(), f"relay-{index}")
    await eventually(lambda: all_published(messaging_db), what="all published")

    published = [event for event, _ in await stream_messages(broker.js)]
    assert sorted(event.id for event in published) == sorted(event.id for event in events)
    assert_per_key_order(published)


async def _drop_connections(database: Database) -> None:
    async with database.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )


async def test_relay_rides_out_a_broker_outage_and_dropped_db_connections(
    messaging_db: Database, broker: Broker, nats_server: NatsServer, background: Background
) -> None:
    relay = OutboxRelay(messaging_db, OutboxMessage, broker.js, poll_interval=0.1)
    background.start(relay.run(), "relay")
    first, second = interleaved(keys=2, per_key=5), interleaved(keys=2, per_key=10)[10:]
    await produce(messaging_db, first)
    await eventually(lambda: all_published(messaging_db), what="first batch published")

    nats_server.kill()
    await produce(messaging_db, second)  # committed while the broker is down
    if messaging_db.is_postgres:
        await _drop_connections(messaging_db)
    await asyncio.sleep(0.5)  # the relay tries, fails and backs off meanwhile
    assert not await all_published(messaging_db)
    await asyncio.to_thread(nats_server.restart)

    await eventually(lambda: all_published(messaging_db), what="second batch published")
    published = [event for event, _ in await stream_messages(broker.js)]
    assert [event.id for event in published] == [event.id for event in first + second]


class RelayLosingOneAck(OutboxRelay):
    """The first send of ``lost`` gets an error back (``error``) or no answer at all."""

    def __init__(self, *args: Any, lost: str, error: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lost: str | None = lost
        self.error = error

    async def _send(self, row: PendingRow) -> asyncio.Future[PubAck]:
        if row.event_id != self.lost:
            return await super()._send(row)
        self.lost = None
        future: asyncio.Future[PubAck] = asyncio.get_running_loop().create_future()
        if self.error:
            future.set_exception(RuntimeError("stream unavailable"))
        return future


@pytest.mark.parametrize("error", [True, False], ids=["error-ack", "no-ack"])
async def test_a_failed_publish_mid_window_holds_back_the_rest_of_its_key_only(
    messaging_db: Database, broker: Broker, error: bool
) -> None:
    events = interleaved(keys=4, per_key=6)
    await produce(messaging_db, events)
    failing = next(e for e in events if e.partitionkey == "k01" and e.data["seq"] == 2)
    relay = RelayLosingOneAck(
        messaging_db,
        OutboxMessage,
        broker.js,
        lost=failing.id,
        error=error,
        window=8,
        publish_timeout=0.5,
    )
    with pytest.raises((RuntimeError, TimeoutError)):
        await relay.publish_pending()

    first = [event for event, _ in await stream_messages(broker.js)]
    assert [e.data["seq"] for e in first if e.partitionkey == "k01"] == [0, 1]
    assert_per_key_order(first)
    unsent = await count(messaging_db, OutboxMessage, OutboxMessage.published_at.is_(None))
    assert unsent == len(events) - len(first)  # every stored message was marked sent

    while await relay.publish_pending():  # the next batches start at k01's row 2
        pass
    published = [event for event, _ in await stream_messages(broker.js)]
    assert sorted(e.id for e in published) == sorted(e.id for e in events)  # none twice
    assert_per_key_order(published)
    assert await all_published(messaging_db)


async def test_a_relay_of_another_database_object_wakes_on_notify(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    if not messaging_db.is_postgres:
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    elsewhere = create_database(messaging_db.engine.url.render_as_string(hide_password=False))
    relay = OutboxRelay(elsewhere, OutboxMessage, broker.js, poll_interval=60)
    background.start(relay.run(), "relay")

    async def listening() -> bool:
        async with messaging_db.session() as session:
            found = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                )
            )
        return bool(found)

    await eventually(listening, what="the relay listening")
    unregister_waker(OutboxMessage, relay.wake)  # as if it ran in another process
    await asyncio.sleep(0.2)  # its first (empty) batch is done: it now waits for a wake-up
    events = interleaved(keys=2, per_key=3)
    await produce(messaging_db, events)
    await eventually(lambda: all_published(messaging_db), within=10, what="all published")
    await relay.stop()
    await elsewhere.dispose()
