"""The processes of ``python -m bench events``: each role runs in its own process (spawned by
:mod:`bench.events`) and hands its timings back through a queue.

Ours: a writer committing outbox rows through ``add_event`` (one transaction per event at a
steady rate, or one transaction for a burst), the real :class:`~common.messaging.OutboxRelay`,
and two real :class:`~common.messaging.ConsumerRunner` whose handler writes a row per event in
its own database (as a directory read model does). The ceiling: one process publishing the
same payloads straight to JetStream, two pull consumers fetching and acking them.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as StopFlag
from pathlib import Path
from typing import Any

from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import String, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from common.db import TYPE_ANNOTATION_MAP, create_database, service_metadata
from common.logging import configure_logging
from common.messaging import (
    MSG_ID_HEADER,
    Broker,
    CloudEvent,
    ConsumerRunner,
    InboxMixin,
    OutboxMixin,
    OutboxRelay,
    add_event,
    bind_outbox,
)

STREAM = "BENCH"
SUBJECT = "bench.directory.school"
RAW_STREAM = "RAW"
RAW_SUBJECT = "raw.directory.school"
KEYS = 5_000  # schools: a burst has several events per key, so keys are kept in order
_APPLIED = "bench.applied"
WRITERS = 16  # concurrent write transactions at most (requests in flight)


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class OutboxMessage(OutboxMixin, Base):
    __tablename__ = "outbox"


class InboxMessage(InboxMixin, Base):
    __tablename__ = "inbox"


class SchoolCopy(Base):
    """What a consumer applies: one row per event (a directory read model's upsert)."""

    __tablename__ = "school_copy"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    urn: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))


def school_event(n: int) -> CloudEvent:
    """A school-registered event of a realistic size (~700 bytes on the wire)."""
    urn = f"{100000 + n % KEYS}"
    return CloudEvent(
        source="/scheduling",
        type="org.criticalfriend.directory.school.registered.v1",
        subject=f"schools/{urn}",
        partitionkey=urn,
        data={
            "id": f"0192f0c4-0000-7000-8000-{n:012d}",
            "urn": urn,
            "name": f"Bench Primary School {n}",
            "phase": "primary",
            "local_authority": "Bench County",
            "trust_id": None,
            "address": {"street": f"{n} School Lane", "town": "Benchton", "postcode": "BE1 1CH"},
            "headteacher": "A. Head",
            "pupils": 200 + n % 400,
            "version": 1 + n // KEYS,
            "tenancy": {"la": "bench", "trust": None, "school": urn},
        },
    )


def _quiet_logs(log_dir: str, role: str) -> None:
    """INFO logging, as in production, to a file rather than the terminal."""
    sys.stderr = Path(log_dir, f"{role}.log").open("a")  # noqa: SIM115 - lives with the process
    configure_logging(f"bench-{role}", "INFO")


async def _wait(stop: StopFlag) -> None:
    await asyncio.to_thread(stop.wait)  # a multiprocessing flag: a thread waits on it


# --- ours -------------------------------------------------------------------------------------


def writer(url: str, phase: str, count: int, rate: float, log_dir: str, out: Queue[Any]) -> None:
    _quiet_logs(log_dir, f"writer-{phase}")
    out.put(asyncio.run(_write(url, phase, count, rate)))


async def _write(url: str, phase: str, count: int, rate: float) -> dict[str, float]:
    database = create_database(url)
    bind_outbox(database, OutboxMessage)
    offset = 0 if phase == "steady" else 1_000_000
    try:
        if phase == "burst":  # every row in one transaction: a national import's commit
            events = [school_event(offset + n) for n in range(count)]
            async with database.session() as session, session.begin():
                for one in events:
                    add_event(session, one, nats_subject=SUBJECT)
            now = time.time()
            return {one.id: now for one in events}
        committed: dict[str, float] = {}
        slots = asyncio.Semaphore(WRITERS)

        async def put(n: int) -> None:  # one transaction per event, as a school PUT
            one = school_event(offset + n)
            async with database.session() as session, session.begin():
                add_event(session, one, nats_subject=SUBJECT)
            committed[one.id] = time.time()
            slots.release()

        writes: list[asyncio.Task[None]] = []
        started = time.monotonic()
        for n in range(count):  # paced; concurrent like requests, so a slow commit lags none
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await slots.acquire()
            writes.append(asyncio.create_task(put(n)))
        await asyncio.gather(*writes)
        return committed
    finally:
        await database.dispose()


def relay(url: str, nats_url: str, stop: StopFlag, log_dir: str) -> None:
    _quiet_logs(log_dir, "relay")
    asyncio.run(_relay(url, nats_url, stop))


async def _relay(url: str, nats_url: str, stop: StopFlag) -> None:
    database = create_database(url)
    bind_outbox(database, OutboxMessage)
    broker = await Broker.connect(nats_url, name="bench-relay")
    outbox_relay = OutboxRelay(database, OutboxMessage, broker.js)
    task = asyncio.create_task(outbox_relay.run())
    await _wait(stop)
    await outbox_relay.stop()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await broker.close()
    await database.dispose()


def consumer(
    url: str,
    nats_url: str,
    durable: str,
    transaction_batch: int,
    fetch_batch: int,
    stop: StopFlag,
    out: Queue[Any],
    log_dir: str,
) -> None:
    _quiet_logs(log_dir, durable)
    applied = asyncio.run(_consume(url, nats_url, durable, (transaction_batch, fetch_batch), stop))
    out.put((durable, applied))


async def _consume(
    url: str, nats_url: str, durable: str, batches: tuple[int, int], stop: StopFlag
) -> dict[str, float]:
    applied: dict[str, float] = {}

    @event.listens_for(Session, "after_commit")
    def _stamp(session: Session) -> None:  # applied = committed in the consumer's database
        ids = session.info.pop(_APPLIED, None)
        if ids:
            now = time.time()
            for event_id in ids:
                applied[event_id] = now

    @event.listens_for(Session, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_APPLIED, None)

    async def handle(session: AsyncSession, received: CloudEvent) -> None:
        data = received.data
        session.add(SchoolCopy(event_id=received.id, urn=data["urn"], name=data["name"]))
        session.info.setdefault(_APPLIED, []).append(received.id)

    database = create_database(url)
    broker = await Broker.connect(nats_url, name=f"bench-{durable}")
    runner = ConsumerRunner(
        database,
        InboxMessage,
        broker.js,
        stream=STREAM,
        durable=durable,
        filter_subjects=[f"{STREAM.lower()}.>"],
        handler=handle,
        transaction_batch=batches[0],
        batch_size=batches[1],
    )
    task = asyncio.create_task(runner.run())
    await _wait(stop)
    await runner.stop()
    with contextlib.suppress(asyncio.CancelledError):  # stop() cancels a runner in a fetch
        await task
    await broker.close()
    await database.dispose()
    return applied


# --- the ceiling: NATS alone ------------------------------------------------------------------


def raw_publisher(nats_url: str, phase: str, count: int, rate: float, out: Queue[Any]) -> None:
    out.put(asyncio.run(_raw_publish(nats_url, phase, count, rate)))


async def _raw_publish(
    nats_url: str, phase: str, count: int, rate: float
) -> tuple[dict[str, float], float]:
    """The send time of every message, and the process's CPU time (it exits right after)."""
    broker = await Broker.connect(nats_url, name="bench-raw-publisher")
    offset = 0 if phase == "steady" else 1_000_000
    payloads = [school_event(offset + n) for n in range(count)]
    sent: dict[str, float] = {}
    acks: list[asyncio.Future[Any]] = []
    started = time.monotonic()
    for n, one in enumerate(payloads):
        if phase == "steady":
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        sent[one.id] = time.time()
        acks.append(
            await broker.js.publish_async(
                RAW_SUBJECT, one.to_bytes(), headers={MSG_ID_HEADER: one.id}, wait_stall=30
            )
        )
    await asyncio.wait_for(asyncio.gather(*acks), timeout=120)
    await broker.close()
    return sent, time.process_time()


def raw_consumer(nats_url: str, durable: str, stop: StopFlag, out: Queue[Any]) -> None:
    out.put((durable, asyncio.run(_raw_consume(nats_url, durable, stop))))


async def _raw_consume(nats_url: str, durable: str, stop: StopFlag) -> dict[str, float]:
    broker = await Broker.connect(nats_url, name=f"bench-{durable}")
    config = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT)
    subscription = await broker.js.pull_subscribe(
        RAW_SUBJECT, durable=durable, stream=RAW_STREAM, config=config
    )
    received: dict[str, float] = {}
    while not stop.is_set():
        try:
            messages = await subscription.fetch(64, timeout=0.5)
        except TimeoutError:
            continue
        for message in messages:
            await message.ack()
        now = time.time()
        for message in messages:
            received[(message.headers or {})[MSG_ID_HEADER]] = now
    await broker.close()
    return received
