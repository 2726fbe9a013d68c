"""A request that only reads opens no transaction on PostgreSQL (autocommit: no BEGIN and no
ROLLBACK around its statements); a write still runs in one. SQLite keeps its read transaction
(one snapshot, no write lock)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import create_database
from common.runtime import session_dependency
from tests.common.test_http_helpers import client_for

Session = Annotated[AsyncSession, Depends(session_dependency)]


def _app() -> FastAPI:
    app = FastAPI()

    async def in_transaction(session: AsyncSession) -> dict[str, bool]:
        await session.execute(text("SELECT 1"))
        raw = await (await session.connection()).get_raw_connection()
        driver = raw.driver_connection
        if hasattr(driver, "is_in_transaction"):  # asyncpg
            return {"in_transaction": bool(driver.is_in_transaction())}
        return {"in_transaction": bool(driver.in_transaction)}  # aiosqlite

    @app.get("/probe")
    async def read(session: Session) -> dict[str, bool]:
        return await in_transaction(session)

    @app.post("/probe")
    async def write(session: Session) -> dict[str, bool]:
        return await in_transaction(session)

    return app


async def test_reads_run_without_a_transaction_on_postgres(database_url: str) -> None:
    database = create_database(database_url)
    app = _app()
    app.state.database = database
    try:
        async with client_for(app) as client:
            read = (await client.get("/probe")).json()["in_transaction"]
            write = (await client.post("/probe")).json()["in_transaction"]
    finally:
        await database.dispose()
    assert write is True
    assert read is (not database.is_postgres)
