"""Messaging test kit: a test service's tables (outbox, inbox, an "applied" log), a database
with them, a broker with a TEST stream, and helpers to produce events and check the result."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import TYPE_ANNOTATION_MAP, Database, service_metadata
from common.messaging import (
    Broker,
    CloudEvent,
    InboxMixin,
    OutboxMixin,
    add_event,
    bind_outbox,
    ensure_dead_letter_stream,
    ensure_stream,
)
from common.testing.databases import database_with_tables

STREAM = "TEST"
SUBJECTS = ["test.>"]


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class OutboxMessage(OutboxMixin, Base):
    __tablename__ = "outbox"


class InboxMessage(InboxMixin, Base):
    __tablename__ = "inbox"


class Applied(Base):
    """What the test handler does: one row per application, in application order."""

    __tablename__ = "applied"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str]
    key: Mapped[str]
    seq: Mapped[int]


async def record(session: AsyncSession, event: CloudEvent) -> None:
    session.add(Applied(event_id=event.id, key=event.data["key"], seq=event.data["seq"]))


def make_event(key: str, seq: int) -> CloudEvent:
    return CloudEvent(
        source="/test",
        type="org.criticalfriend.test.thing.happened.v1",
        subject=f"things/{key}",
        data={"key": key, "seq": seq},
        partitionkey=key,
    )


def interleaved(keys: int, per_key: int) -> list[CloudEvent]:
    return [make_event(f"k{k:02d}", seq) for seq in range(per_key) for k in range(keys)]


async def produce(
    database: Database, events: Iterable[CloudEvent], *, max_per_tx: int = 5, seed: int = 7
) -> None:
    """Commit the events through ``add_event`` in transactions of 1..max_per_tx events."""
    rng = random.Random(seed)
    pending = list(events)
    while pending:
        size = rng.randint(1, max_per_tx)
        chunk, pending = pending[:size], pending[size:]
        async with database.session() as session, session.begin():
            for event in chunk:
                add_event(session, event, nats_subject=f"test.thing.{event.data['key']}")
        await asyncio.sleep(0)  # let the relay and consumer interleave with the producer


async def eventually(
    probe: Callable[[], Awaitable[bool]], *, within: float = 120.0, what: str = "condition"
) -> None:
    """Poll ``probe`` until true; fail the test after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{what} not met within {within}s")
        await asyncio.sleep(0.05)


async def count(database: Database, model: type[Any], *where: Any) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def applied(database: Database) -> list[tuple[str, str, int]]:
    async with database.session() as session:
        rows = await session.execute(
            select(Applied.event_id, Applied.key, Applied.seq).order_by(Applied.id)
        )
        return [(event_id, key, seq) for event_id, key, seq in rows.all()]


def assert_exactly_once_in_order(
    rows: list[tuple[str, str, int]], expected: Iterable[CloudEvent]
) -> None:
    expected_ids = {event.id for event in expected}
    times = Counter(event_id for event_id, _, _ in rows)
    assert [eid for eid, n in times.items() if n > 1] == [], "applied more than once"
    assert expected_ids - set(times) == set(), "never applied"
    assert set(times) - expected_ids == set(), "applied but never produced"
    by_key: dict[str, list[int]] = defaultdict(list)
    for _, key, seq in rows:
        by_key[key].append(seq)
    for key, seqs in by_key.items():
        assert seqs == sorted(seqs), f"key {key} applied out of order: {seqs}"


@pytest.fixture
async def messaging_db(database_url: str) -> AsyncIterator[Database]:
    database = await database_with_tables(database_url, Base.metadata)
    bind_outbox(database, OutboxMessage)
    yield database
    await database.dispose()


@pytest.fixture
async def broker(nats_url: str) -> AsyncIterator[Broker]:
    broker = await Broker.connect(nats_url, name="test")
    await ensure_stream(broker.js, STREAM, SUBJECTS)
    await ensure_dead_letter_stream(broker.js)
    yield broker
    await broker.close()


class Background:
    """Tasks a test starts; whatever is still running is cancelled at teardown."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[Any]] = []

    def start(self, coro: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self.tasks.append(task)
        return task

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@pytest.fixture
async def background() -> AsyncIterator[Background]:
    tasks = Background()
    yield tasks
    await tasks.close()
