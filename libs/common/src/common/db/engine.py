"""Async engine and session factory for SQLite (aiosqlite, WAL) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_postgres(url_or_engine: str | AsyncEngine) -> bool:
    name = (
        url_or_engine.dialect.name
        if isinstance(url_or_engine, AsyncEngine)
        else make_url(url_or_engine).get_backend_name()
    )
    return name == "postgresql"


#: Execution option of the engine behind :attr:`Database.read_sessions`.
READ_ONLY_OPTION = "cf_read_only"


@dataclass(frozen=True)
class Database:
    """One service's engine and its session factories: ``sessions`` for use cases that may
    write, ``read_sessions`` for reads (on SQLite they take no write lock and cannot write)."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]

    @property
    def is_postgres(self) -> bool:
        return is_postgres(self.engine)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def apply(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets readers run beside the single writer; the busy timeout makes a writer wait
        # for the lock instead of failing at once. foreign_keys is off by default in SQLite.
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return apply


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY_OPTION):
        # A reader in WAL mode needs no lock: a deferred BEGIN lets it run beside the writer,
        # and query_only turns a write slipped into a read into an error instead of a lock race.
        conn.exec_driver_sql("PRAGMA query_only=1")
        conn.exec_driver_sql("BEGIN")
        return
    # Take the write lock at BEGIN, not at the first write: a deferred transaction that reads
    # then writes can fail with "database is locked" without waiting for the busy timeout.
    conn.exec_driver_sql("PRAGMA query_only=0")
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_database(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> Database:
    """Build the engine for ``url``. Creates the parent folder of a SQLite file. A SQLite
    writer waits up to ``sqlite_busy_timeout_ms`` for the lock; then the request is a 503."""
    if make_url(url).get_backend_name() == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": sqlite_busy_timeout_ms / 1000}
        )
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "connect", _sqlite_pragmas(sqlite_busy_timeout_ms))

        # Disable pysqlite's own transaction handling so that BEGIN IMMEDIATE is ours.
        @event.listens_for(sync_engine, "connect")
        def _no_implicit_begin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        event.listen(sync_engine, "begin", _sqlite_begin)
    else:
        engine = create_async_engine(
            url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
        )
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    reader = engine.execution_options(**{READ_ONLY_OPTION: True})
    read_sessions = async_sessionmaker(reader, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions, read_sessions=read_sessions)
