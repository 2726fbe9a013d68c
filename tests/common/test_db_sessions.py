"""Read sessions (GET requests) on SQLite: they cannot write, and they do not queue behind a
writer that holds the database's write lock; a pooled connection used for a read writes again
when it next serves a write session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from common.db import create_database


async def test_read_sessions_read_beside_a_writer_and_never_write(tmp_path: Path) -> None:
    # No busy timeout: a read that queued behind the writer would fail at once ("database is
    # locked") instead of waiting, so the test needs no clock to tell the two apart.
    database = create_database(
        f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", sqlite_busy_timeout_ms=0
    )
    try:
        async with database.sessions() as session:
            await session.execute(text("CREATE TABLE t (n INTEGER)"))
            await session.execute(text("INSERT INTO t VALUES (1)"))
            await session.commit()

        async with database.sessions() as writer:
            await writer.execute(text("INSERT INTO t VALUES (2)"))  # holds the write lock
            async with database.read_sessions() as reader:
                # Answers with the committed row, without waiting for the lock.
                assert await reader.scalar(text("SELECT count(*) FROM t")) == 1
            await writer.commit()

        async with database.read_sessions() as reader:
            with pytest.raises(OperationalError, match="readonly"):
                await reader.execute(text("INSERT INTO t VALUES (3)"))

        for _ in range(3):  # the same pooled connections, back to writing
            async with database.sessions() as writer:
                await writer.execute(text("INSERT INTO t VALUES (4)"))
                await writer.commit()
        async with database.read_sessions() as reader:
            assert await reader.scalar(text("SELECT count(*) FROM t")) == 5
    finally:
        await database.dispose()
