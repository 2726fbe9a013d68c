"""A stream recreated empty (a lost disk) is not consumed from sequence 1 as if nothing
happened: the runner refuses with an error until an operator accepts the loss."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest
from nats.js.client import JetStreamContext

from common.db import Database
from common.messaging import Broker, ConsumerRunner, ensure_stream
from common.messaging.continuity import (
    StreamHistoryLostError,
    check_history,
    history_problem,
    oldest_pending_age,
)
from common.messaging.envelope import MSG_ID_HEADER
from tests.common.conftest import (
    STREAM,
    SUBJECTS,
    Applied,
    Background,
    InboxMessage,
    count,
    eventually,
    make_event,
    record,
)

DURABLE = "continuity"


async def publish(js: JetStreamContext, key: str, seqs: range) -> None:
    for seq in seqs:
        event = make_event(key, seq)
        await js.publish(f"test.thing.{key}", event.to_bytes(), headers={MSG_ID_HEADER: event.id})


def runner(database: Database, broker: Broker, *, accept: bool = False) -> ConsumerRunner:
    async def guard() -> int | None:
        info = await check_history(
            broker.js, database, InboxMessage, STREAM, DURABLE, accept_loss=accept
        )
        return info.config.num_replicas or None

    return ConsumerRunner(
        database,
        InboxMessage,
        broker.js,
        stream=STREAM,
        durable=DURABLE,
        filter_subjects=SUBJECTS,
        handler=record,
        fetch_wait=0.2,
        guard=guard,
    )


async def test_a_recreated_stream_is_refused_until_the_loss_is_accepted(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    js = broker.js
    await publish(js, "a", range(5))
    first = runner(messaging_db, broker)
    background.start(first.run(), "first")
    applied = partial(count, messaging_db, Applied)

    async def five() -> bool:
        return await applied() == 5

    await eventually(five, what="the first five events applied")
    await first.stop()

    # The node with the only copy comes back empty: the stream is created again, from 1.
    await js.delete_stream(STREAM)
    await ensure_stream(js, STREAM, SUBJECTS)
    await publish(js, "b", range(2))
    _, problem = await history_problem(js, messaging_db, InboxMessage, STREAM, DURABLE)
    assert problem is not None
    assert "recreated" in problem or "lost" in problem

    refusing = runner(messaging_db, broker)
    background.start(refusing.run(), "refusing")

    async def refused() -> bool:
        return refusing.refused is not None

    await eventually(refused, what="the runner refusing the stream")
    await asyncio.sleep(0.5)
    assert await applied() == 5  # nothing of the new stream applied
    await refusing.stop()

    accepting = runner(messaging_db, broker, accept=True)
    background.start(accepting.run(), "accepting")

    async def seven() -> bool:
        return await applied() == 7

    await eventually(seven, what="the new stream consumed once the loss is accepted")
    assert accepting.refused is None
    await accepting.stop()
    # Accepted once, remembered: a later start without the setting consumes on.
    info = await check_history(js, messaging_db, InboxMessage, STREAM, DURABLE)
    assert info.state.last_seq == 2


async def test_a_consumer_whose_stream_lost_its_tail_is_refused(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    js = broker.js
    await publish(js, "a", range(4))
    first = runner(messaging_db, broker)
    background.start(first.run(), "first")

    async def four() -> bool:
        return await count(messaging_db, Applied) == 4

    await eventually(four, what="four events applied")
    await first.stop()
    await js.delete_stream(STREAM)
    await ensure_stream(js, STREAM, SUBJECTS)
    await publish(js, "b", range(1))  # sequence 1 < the 4 this consumer applied
    with pytest.raises(StreamHistoryLostError, match="sequence 4"):
        await check_history(js, messaging_db, InboxMessage, STREAM, DURABLE)


async def test_the_oldest_pending_age_is_that_of_the_first_event_of_its_subjects_after_the_floor(
    broker: Broker,
) -> None:
    """What the age-limit alert compares with the stream's max_age: the age of the oldest
    event a consumer has still to apply, among its own subjects only."""
    js = broker.js
    await publish(js, "a", range(2))  # sequences 1 and 2
    first_published = await js.stream_info(STREAM)
    assert first_published.state.last_seq == 2
    await asyncio.sleep(0.2)
    await publish(js, "b", range(1))  # sequence 3

    only_b = await oldest_pending_age(js, STREAM, ["test.thing.b"], after=0)
    from_start = await oldest_pending_age(js, STREAM, ["test.thing.a"], after=0)  # read later
    assert from_start is not None
    assert from_start >= 0.2
    assert only_b is not None
    assert only_b < from_start
    assert await oldest_pending_age(js, STREAM, ["test.thing.a"], after=2) is None  # caught up
