"""What every service runs beside its routes: the database, the broker connection, the outbox
relay and the event consumers, started and stopped by the app's lifespan.

The broker is connected in the background: a service starts (and answers ``/healthz``) while
NATS is still coming up, and ``/readyz`` turns 200 once the database and NATS both answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from nats.js.api import StreamSource
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from common.db import Database, create_database
from common.db.engine import READ_ONLY_OPTION
from common.housekeeping import Retention, run_forever
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
from common.observability.metrics import Refresher
from common.observability.runtime_metrics import (
    consumer_refresher,
    outbox_refresher,
    pool_refresher,
)
from common.observability.tracing import instrument_engine
from common.settings import ServiceSettings

log = get_logger(__name__)

EventHandler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


@dataclass(frozen=True)
class StreamSpec:
    """A stream this service owns and creates at start-up: its subjects, or the streams it
    copies (``sources``, for readers that want one sequence over several streams)."""

    name: str
    subjects: Sequence[str] = ()
    sources: Sequence[StreamSource] = ()


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
        self.database = create_database(self.settings.resolved_database_url())
        instrument_engine(self.database.engine)
        bind_outbox(self.database, self.outbox_model)
        self._tasks.append(asyncio.create_task(self._start_messaging(), name="messaging"))
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
        for stream in self.streams:
            if not stream.sources:
                await ensure_stream(js, stream.name, list(stream.subjects))
        for stream in self.streams:
            if stream.sources:
                copying = ensure_copying_stream(js, stream.name, stream.sources)
                task = asyncio.create_task(copying, name=stream.name)
                self._tasks.append(task)
        await ensure_dead_letter_stream(js)
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
                )
                self._runners.append(runner)
                self._tasks.append(asyncio.create_task(runner.run(), name=spec.durable))
        self._messaging_ready = True
        log.info("messaging_started", consumers=[c.durable for c in self.consumers])

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
        database_ok = False
        if self.database is not None:
            try:
                await asyncio.wait_for(self.database.ping(), timeout=2)
                database_ok = True
            except Exception:
                database_ok = False
        nats_ok = self._messaging_ready and self.broker is not None and self.broker.nc.is_connected
        return {"database": database_ok, "nats": nats_ok}

    def metrics_refreshers(self) -> list[Refresher]:
        """What ``/metrics`` reads at each scrape: this process's outbox, pool and consumers."""
        assert self.database is not None
        service = self.settings.service_name
        refreshers = [
            outbox_refresher(service, self.database, self.outbox_model),
            pool_refresher(service, self.database),
        ]
        if self.settings.consumers_enabled and self.consumers:

            def jetstream() -> Any | None:
                return self.broker.js if self._messaging_ready and self.broker else None

            refreshers.append(consumer_refresher(service, jetstream, self.consumers))
        return refreshers

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
