"""The operator's tools on a real NATS server and both databases: a dead letter is listed,
shown and replayed into its consumer exactly once; a consumer replayed from a stream sequence
re-applies what its (restored) database lost and nothing twice; the backlog reads true."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import Database
from common.messaging import Broker, CloudEvent, InboxStatus
from common.operations.backlog import consumer_backlogs, outbox_backlog
from common.operations.deadletters import (
    ReplayRefusedError,
    get_dead_letter,
    list_dead_letters,
    pretty_payload,
    replay_dead_letter,
)
from common.operations.replay import replay_consumer
from tests.common.conftest import (
    STREAM,
    Applied,
    Background,
    InboxMessage,
    applied,
    assert_exactly_once_in_order,
    eventually,
    interleaved,
    produce,
    record,
)
from tests.common.test_messaging_consumer import DURABLE, publish, runner, settled


async def test_a_dead_letter_is_listed_shown_and_replayed_once(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    events = interleaved(keys=2, per_key=3)
    poison = events[2]
    broken = {"yes": True}

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        if event.id == poison.id and broken["yes"]:
            raise RuntimeError("the read model is missing a partnership")
        await record(session, event)

    await publish(broker.js, events)
    consumer = runner(
        messaging_db, broker.js, handler=handler, max_deliver=1, parked_look_seconds=0.2
    )
    background.start(consumer.run(), "runner")
    await eventually(lambda: settled(broker.js), what="the stream consumed")

    [letter] = await list_dead_letters(broker.js, consumer=DURABLE)
    assert (letter.consumer, letter.stream, letter.event_id) == (DURABLE, STREAM, poison.id)
    assert "missing a partnership" in letter.error
    assert await list_dead_letters(broker.js, consumer="someone-else") == []
    shown = await get_dead_letter(broker.js, letter.seq)
    assert json.loads(pretty_payload(shown))["id"] == poison.id

    broken["yes"] = False  # the operator fixed the cause
    assert await replay_dead_letter(broker.js, messaging_db, letter.seq) == poison.id

    async def poison_applied() -> bool:
        return any(event_id == poison.id for event_id, _, _ in await applied(messaging_db))

    await eventually(poison_applied, what="the replayed event applied")
    assert_exactly_once_in_order(
        [row for row in await applied(messaging_db) if row[0] != poison.id],
        [e for e in events if e != poison],
    )
    assert [row[0] for row in await applied(messaging_db)].count(poison.id) == 1
    async with messaging_db.session() as session:
        row = await session.get(InboxMessage, (DURABLE, poison.id))
    assert row is not None
    assert row.status == InboxStatus.APPLIED
    try:  # a second replay of the same letter finds nothing dead: refused, nothing applied
        await replay_dead_letter(broker.js, messaging_db, letter.seq)
        raise AssertionError("a second replay was accepted")
    except ReplayRefusedError:
        pass


async def test_a_consumer_replayed_from_a_sequence_reapplies_only_what_was_lost(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    events = interleaved(keys=3, per_key=4)
    await publish(broker.js, events)
    consumer = runner(messaging_db, broker.js)
    background.start(consumer.run(), "runner")
    await eventually(lambda: _applied_count(messaging_db, len(events)), what="all applied")

    # The consumer's database comes back from a backup taken before the last five events.
    lost = events[-5:]
    async with messaging_db.session() as session, session.begin():
        lost_ids = [e.id for e in lost]
        await session.execute(delete(Applied).where(Applied.event_id.in_(lost_ids)))
        await session.execute(delete(InboxMessage).where(InboxMessage.event_id.in_(lost_ids)))

    await replay_consumer(broker.js, STREAM, DURABLE, from_seq=len(events) - 6)
    await eventually(lambda: _applied_count(messaging_db, len(events)), what="re-applied")
    await eventually(lambda: settled(broker.js), what="the replay consumed")
    rows = await applied(messaging_db)
    assert sorted(r[0] for r in rows) == sorted(e.id for e in events)  # each exactly once
    info = await broker.js.consumer_info(STREAM, DURABLE)
    assert info.config.opt_start_seq == len(events) - 6  # the runner kept the operator's start


async def test_the_backlog_counts_waiting_rows_and_consumer_lag(
    messaging_db: Database, broker: Broker, background: Background
) -> None:
    events = interleaved(keys=1, per_key=4)
    await produce(messaging_db, events)  # committed to the outbox; no relay runs
    backlog = await outbox_backlog(messaging_db)
    assert backlog.waiting == 4
    assert backlog.oldest_age_seconds >= 0
    await publish(broker.js, events)
    runner_with_no_start: Any = runner(messaging_db, broker.js)
    background.start(runner_with_no_start.run(), "runner")
    await eventually(lambda: settled(broker.js), what="consumed")
    [mine] = [c for c in await consumer_backlogs(broker.js) if c.consumer == DURABLE]
    assert (mine.stream, mine.pending, mine.ack_pending) == (STREAM, 0, 0)


async def _applied_count(database: Database, expected: int) -> bool:
    return len(await applied(database)) == expected
