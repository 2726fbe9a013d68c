"""What every service runs beside its routes: the database, the broker connection, the outbox
relay and the event consumers, started and stopped by the app's lifespan.

Roles (``<SERVICE>_ROLE``, :class:`~common.settings.Role`): an ``api`` process serves HTTP
and connects to NATS only for the routes that read streams; a ``worker`` creates and updates
the streams, relays the outbox, runs the consumers and the housekeeping; ``all`` does both.

The broker is connected in the background: a service starts (and answers ``/livez``) while
NATS is still coming up. ``/readyz`` is 200 for an API once its database answers, whatever
NATS does (writes land in the outbox and wait); for a worker (or ``all``) once NATS answers
too and no consumer refuses its stream (see :mod:`common.messaging.continuity`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from nats.js.api import StreamInfo, StreamSource
from nats.js.client import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from common.db import Database, create_database
from common.db.engine import READ_ONLY_OPTION
from common.housekeeping import Retention, run_forever
from common.http.health import Backlog, ConsumerBacklog, OutboxBacklog
from common.logging import configure_logging, get_logger
from common.messaging import (
    Broker,
    CloudEvent,
    ConsumerRunner,
    Dispatcher,
    HandlerTable,
    OutboxRelay,
    bind_outbox,
    ensure_copying_stream,
    ensure_dead_letter_stream,
    ensure_stream,
    subject_filters,
)
from common.messaging.continuity import check_history, oldest_pending_age
from common.messaging.streams import DEAD_LETTER_STREAM, StreamLimits
from common.observability.metrics import Refresher
from common.observability.runtime_metrics import (
    ConsumerGauges,
    pool_refresher,
    record_backlog,
)
from common.observability.tracing import instrument_engine
from common.operations.backlog import outbox_backlog
from common.settings import ServiceSettings

log = get_logger(__name__)

# Clocks of the services and NATS may differ a little: a stream created within this margin of
# our oldest publish is not called recreated.
RECREATED_MARGIN = timedelta(seconds=60)

EventHandler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


@dataclass(frozen=True)
class StreamSpec:
    """A stream this service owns and creates at start-up: its subjects, or the streams it
    copies (``sources``, for readers that want one sequence over several streams). How it is
    kept (replicas, limits) comes from the settings: :func:`stream_limits`."""

    name: str
    subjects: Sequence[str] = ()
    sources: Sequence[StreamSource] = ()


def stream_limits(settings: ServiceSettings, name: str) -> StreamLimits:
    """The ``NATS_STREAM_*`` settings, with ``NATS_STREAMS[name]``'s overrides applied."""
    override = settings.nats_streams.get(name)
    limits = StreamLimits(
        replicas=settings.nats_stream_replicas,
        storage=settings.nats_stream_storage,
        max_age_seconds=settings.nats_stream_max_age_seconds,
        max_bytes=settings.nats_stream_max_bytes,
        discard=settings.nats_stream_discard,
        duplicate_window_seconds=settings.nats_stream_duplicate_window_seconds,
    )
    if override is None:
        return limits
    changes = {key: value for key, value in override.model_dump().items() if value is not None}
    return dataclasses.replace(limits, **changes)


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable consumer of another service's stream."""

    stream: str
    durable: str
    filter_subjects: Sequence[str]
    handler: EventHandler
    max_deliver: int = 8
    backoff: Sequence[float] = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
    transaction_batch: int = 1  # >1: apply consecutive deliveries in one transaction

    @classmethod
    def dispatching(
        cls,
        *,
        stream: str,
        durable: str,
        handlers: HandlerTable,
        transaction_batch: int = 1,
    ) -> ConsumerSpec:
        """A consumer of exactly the events its handler table names (see
        :mod:`common.messaging.dispatch`)."""
        return cls(
            stream=stream,
            durable=durable,
            filter_subjects=subject_filters(handlers),
            handler=Dispatcher.of(durable, handlers),
            transaction_batch=transaction_batch,
        )


@dataclass
class ServiceRuntime:
    """Builds and owns the moving parts of one service process."""

    settings: ServiceSettings
    outbox_model: type[Any]
    inbox_model: type[Any]
    streams: Sequence[StreamSpec] = ()
    consumers: Sequence[ConsumerSpec] = ()
    idempotency_model: type[Any] | None = None
    retention: Retention = field(default_factory=Retention)
    database: Database | None = None
    broker: Broker | None = None
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _relay: OutboxRelay | None = None
    _runners: list[ConsumerRunner] = field(default_factory=list)
    _messaging_ready: bool = False

    async def start(self) -> None:
        self.database = create_database(
            self.settings.resolved_database_url(), pool=self.settings.database_pool()
        )
        instrument_engine(self.database.engine)
        bind_outbox(self.database, self.outbox_model)
        self._tasks.append(asyncio.create_task(self._start_messaging(), name="messaging"))
        if not self.settings.runs_worker:
            return
        housekeeping = run_forever(
            self.database,
            outbox_model=self.outbox_model,
            idempotency_model=self.idempotency_model,
            retention=self.retention,
        )
        self._tasks.append(asyncio.create_task(housekeeping, name="housekeeping"))

    async def _start_messaging(self) -> None:
        assert self.database is not None
        self.broker = await Broker.connect(self.settings.nats_url, name=self.settings.service_name)
        js = self.broker.js
        if not self.settings.runs_worker:  # an API reads streams (event feeds), nothing more
            self._messaging_ready = True
            log.info("messaging_started", role=str(self.settings.role), consumers=[])
            return
        await self._ensure_streams(js)
        for stream in self.streams:
            if stream.sources:
                limits = stream_limits(self.settings, stream.name)
                copying = ensure_copying_stream(js, stream.name, stream.sources, limits=limits)
                task = asyncio.create_task(copying, name=stream.name)
                self._tasks.append(task)
        self._relay = OutboxRelay(
            self.database, self.outbox_model, js, poll_interval=self.settings.outbox_poll_seconds
        )
        self._tasks.append(asyncio.create_task(self._relay.run(), name="outbox-relay"))
        if self.settings.consumers_enabled:
            for spec in self.consumers:
                runner = ConsumerRunner(
                    self.database,
                    self.inbox_model,
                    js,
                    stream=spec.stream,
                    durable=spec.durable,
                    filter_subjects=list(spec.filter_subjects),
                    handler=spec.handler,
                    max_deliver=spec.max_deliver,
                    backoff=list(spec.backoff),
                    transaction_batch=spec.transaction_batch,
                    guard=self._history_guard(spec.stream, spec.durable),
                )
                self._runners.append(runner)
                self._tasks.append(asyncio.create_task(runner.run(), name=spec.durable))
        self._messaging_ready = True
        log.info(
            "messaging_started",
            role=str(self.settings.role),
            consumers=[runner.durable for runner in self._runners],
        )

    async def _ensure_streams(self, js: JetStreamContext) -> None:
        """Create or update this service's streams and the dead-letter stream; retried while
        the cluster cannot (a node down refuses a new 3-replica stream)."""
        delay = 0.2
        while True:
            try:
                for stream in self.streams:
                    if not stream.sources:
                        limits = stream_limits(self.settings, stream.name)
                        info = await ensure_stream(
                            js, stream.name, list(stream.subjects), limits=limits
                        )
                        await self._check_recreated(info)
                limits = stream_limits(self.settings, DEAD_LETTER_STREAM)
                await ensure_dead_letter_stream(js, limits=limits)
                return
            except Exception as exc:
                log.warning("streams_retry", error=repr(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _check_recreated(self, info: StreamInfo) -> None:
        """An error in the log when our own stream is younger than events we published to it
        (kept in the outbox for a week): it was recreated and lost them."""
        assert self.database is not None
        if info.created is None:
            return
        model: Any = self.outbox_model
        async with self.database.read_sessions() as session:
            oldest = await session.scalar(
                select(func.min(model.published_at)).where(model.published_at.is_not(None))
            )
        if oldest is not None and info.created - oldest > RECREATED_MARGIN:
            log.error(
                "stream_recreated",
                stream=info.config.name,
                created=info.created.isoformat(),
                published_before=oldest.isoformat(),
                first_seq=info.state.first_seq,
                last_seq=info.state.last_seq,
            )

    def _history_guard(self, stream: str, durable: str) -> Callable[[], Awaitable[int | None]]:
        """Before each subscription: the stream still has what ``durable`` applied; the
        consumer gets the stream's replica count."""

        async def guard() -> int | None:
            assert self.database is not None
            assert self.broker is not None
            info = await check_history(
                self.broker.js,
                self.database,
                self.inbox_model,
                stream,
                durable,
                accept_loss=self.settings.accepts_history_loss(stream),
            )
            return info.config.num_replicas or None

        return guard

    async def stop(self) -> None:
        stopping = [runner.stop() for runner in self._runners]
        if self._relay is not None:
            stopping.append(self._relay.stop())
        await asyncio.gather(*stopping)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.broker is not None:
            await self.broker.close()
        if self.database is not None:
            await self.database.dispose()

    async def readiness(self) -> dict[str, bool]:
        """By role: an API is ready when its database answers (NATS may be away: writes wait
        in the outbox); a worker when NATS answers too and no consumer refuses its stream."""
        database_ok = False
        if self.database is not None:
            try:
                await asyncio.wait_for(self.database.ping(), timeout=2)
                database_ok = True
            except Exception:
                database_ok = False
        if not self.settings.runs_worker:
            return {"database": database_ok}
        nats_ok = self._messaging_ready and self.broker is not None and self.broker.nc.is_connected
        checks = {"database": database_ok, "nats": nats_ok}
        if self._runners:
            checks["consumers"] = not any(runner.refused for runner in self._runners)
        return checks

    async def backlog(self) -> Backlog:
        """What waits: unsent outbox rows (the database is shared by every role, so an API
        sees them too) and, once NATS answers, each consumer's pending messages and lag."""
        backlog = Backlog()
        if self.database is not None:
            backlog.outbox = await self._outbox_backlog(self.database)
        if self.broker is None or not self.broker.is_connected:
            return backlog
        for runner in self._runners:
            backlog.consumers[runner.durable] = await self._consumer_backlog(runner)
        return backlog

    async def _outbox_backlog(self, database: Database) -> OutboxBacklog:
        found = await outbox_backlog(database, self.outbox_model.__table__)
        age = found.oldest_age_seconds if found.waiting else None
        return OutboxBacklog(waiting=found.waiting, oldest_age_seconds=age)

    async def _consumer_backlog(self, runner: ConsumerRunner) -> ConsumerBacklog:
        assert self.broker is not None
        found = ConsumerBacklog(stream=runner.stream, refused=runner.refused)
        try:
            info = await self.broker.js.consumer_info(runner.stream, runner.durable, timeout=2)
        except Exception:  # not created yet, or NATS busy: unknown
            return found
        found.pending = info.num_pending or 0
        found.ack_pending = info.num_ack_pending or 0
        found.lag = found.pending + found.ack_pending
        with contextlib.suppress(Exception):  # NATS busy: the rest is still worth showing
            stream = await self.broker.js.stream_info(runner.stream)
            found.stream_max_age_seconds = stream.config.max_age or None
            if found.lag:
                floor = info.ack_floor.stream_seq if info.ack_floor else 0
                found.oldest_pending_age_seconds = await oldest_pending_age(
                    self.broker.js, runner.stream, runner.filter_subjects, after=floor
                )
        return found

    def metrics_refreshers(self) -> list[Refresher]:
        """What ``/metrics`` reads at each scrape: this process's backlog and pool."""
        assert self.database is not None
        service = self.settings.service_name

        async def backlog() -> None:
            found = await self.backlog()
            outbox = found.outbox
            record_backlog(
                service,
                outbox_waiting=outbox.waiting if outbox else None,
                outbox_oldest_age=(outbox.oldest_age_seconds or 0.0) if outbox else None,
                consumers={
                    durable: ConsumerGauges(
                        c.pending,
                        c.ack_pending or 0,
                        c.oldest_pending_age_seconds,
                        c.stream_max_age_seconds,
                    )
                    for durable, c in found.consumers.items()
                    if c.pending is not None
                },
            )

        return [backlog, pool_refresher(service, self.database)]

    def lifespan(self) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
        @contextlib.asynccontextmanager
        async def run(app: FastAPI) -> AsyncIterator[None]:
            configure_logging(self.settings.service_name, self.settings.log_level)
            await self.start()
            app.state.runtime = self
            app.state.database = self.database
            if hasattr(app.state, "metrics_refreshers"):
                app.state.metrics_refreshers.extend(self.metrics_refreshers())
            try:
                yield
            finally:
                await self.stop()

        return run


#: Requests that only read: their session cannot write (and on SQLite takes no write lock).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def read_sessions(database: Database) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read. On PostgreSQL they run in autocommit: at READ
    COMMITTED each statement sees its own snapshot whether or not a transaction is open, so
    the BEGIN and ROLLBACK around a read are two round trips that buy nothing. SQLite keeps
    its deferred read transaction (one snapshot, no write lock)."""
    if not database.is_postgres:
        return database.read_sessions
    engine = database.engine.execution_options(
        isolation_level="AUTOCOMMIT", **{READ_ONLY_OPTION: True}
    )
    return async_sessionmaker(engine, expire_on_commit=False)


def _reading(request: Request, database: Database) -> async_sessionmaker[AsyncSession]:
    # Built once per app and database (a test may swap app.state.database).
    state = request.app.state
    cached: tuple[Database, async_sessionmaker[AsyncSession]] | None = getattr(
        state, "read_sessions", None
    )
    if cached is None or cached[0] is not database:
        cached = state.read_sessions = (database, read_sessions(database))
    return cached[1]


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; services commit, anything uncommitted is rolled back."""
    database: Database = request.app.state.database
    factory = _reading(request, database) if request.method in READ_METHODS else database.sessions
    async with factory() as session:
        yield session
