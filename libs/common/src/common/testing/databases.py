"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database per test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url

from common.db.engine import Database, create_database

DEFAULT_TEST_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def test_postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)


def postgres_required() -> bool:
    """CI sets CF_REQUIRE_POSTGRES=1 so an unreachable server fails the run instead of skipping."""
    return os.environ.get("CF_REQUIRE_POSTGRES", "") not in ("", "0", "false")


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def postgres_reachable(within: float = 2.0) -> bool:
    try:
        conn = await asyncio.wait_for(
            asyncpg.connect(_asyncpg_dsn(test_postgres_url())), timeout=within
        )
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


async def create_postgres_database(prefix: str = "cf_test") -> str:
    """Create a uniquely named database; its SQLAlchemy asyncpg URL. Drop it with
    :func:`drop_postgres_database` (or use :func:`temporary_postgres_database`)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(test_postgres_url()))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(test_postgres_url()).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = await asyncpg.connect(_asyncpg_dsn(test_postgres_url()))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def temporary_postgres_database(prefix: str = "cf_test") -> AsyncIterator[str]:
    """Create a uniquely named database and yield its SQLAlchemy asyncpg URL; drop it after."""
    url = await create_postgres_database(prefix)
    try:
        yield url
    finally:
        await drop_postgres_database(url)


def sqlite_url(folder: Path, name: str = "test") -> str:
    return f"sqlite+aiosqlite:///{folder / (name + '.db')}"


async def database_with_tables(url: str, metadata: MetaData) -> Database:
    """A :class:`Database` on ``url`` with ``metadata``'s tables created (a test's own tables,
    outside any service's migrations). The caller disposes of it."""
    database = create_database(url)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return database
