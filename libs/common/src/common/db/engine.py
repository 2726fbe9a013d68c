"""Async engine and session factory for SQLite (aiosqlite, WAL) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import uuid
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


class DatabaseUnavailableError(Exception):
    """The database server could not be reached (refused, reset, timed out): the request is a
    503, not a 500. Raised in place of the driver's bare ``OSError`` when a connection opens."""


@dataclass(frozen=True)
class PoolConfig:
    """The PostgreSQL connection pool of one process (SQLite keeps SQLAlchemy's defaults).

    At most ``size + max_overflow`` connections are open at once; a session that finds none
    free waits ``timeout_seconds`` and then fails (a 503 in a request). ``statement_cache_size``
    0 turns off asyncpg's prepared-statement caches, as PgBouncer in transaction mode needs.
    """

    size: int = 5
    max_overflow: int = 2
    timeout_seconds: float = 2.0
    connect_timeout_seconds: float = 5.0
    statement_cache_size: int = 100

    @property
    def max_connections(self) -> int:
        return self.size + self.max_overflow


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


def _postgres_connect_args(pool: PoolConfig) -> dict[str, Any]:
    args: dict[str, Any] = {"timeout": pool.connect_timeout_seconds}
    if pool.statement_cache_size == 0:
        # Behind PgBouncer in transaction mode a prepared statement may meet another server
        # connection: no caches, and names that never collide.
        args["statement_cache_size"] = 0
        args["prepared_statement_cache_size"] = 0
        args["prepared_statement_name_func"] = lambda: f"__cf_{uuid.uuid4().hex}__"
    else:
        args["prepared_statement_cache_size"] = pool.statement_cache_size
    return args


def _unreachable_is_unavailable(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    # The driver raises a bare OSError (refused, reset, timed out) when the server cannot be
    # reached; name it, so that the HTTP layer answers 503 rather than 500.
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:
        raise DatabaseUnavailableError(f"database unreachable: {exc}") from exc


def create_database(
    url: str,
    *,
    echo: bool = False,
    pool: PoolConfig | None = None,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> Database:
    """Build the engine for ``url``. Creates the parent folder of a SQLite file. A SQLite
    writer waits up to ``sqlite_busy_timeout_ms`` for the lock; then the request is a 503.
    ``pool`` bounds the PostgreSQL connections (default :class:`PoolConfig`)."""
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
        pool = pool or PoolConfig()
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout_seconds,
            pool_pre_ping=True,
            connect_args=_postgres_connect_args(pool),
        )
        event.listen(engine.sync_engine, "do_connect", _unreachable_is_unavailable)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    reader = engine.execution_options(**{READ_ONLY_OPTION: True})
    read_sessions = async_sessionmaker(reader, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions, read_sessions=read_sessions)
