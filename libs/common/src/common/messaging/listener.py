"""Wake a relay when another process commits outbox rows: ``LISTEN`` on PostgreSQL.

:func:`common.messaging.outbox.add_event` has the committing transaction send
``pg_notify(<channel>)`` (delivered at commit, dropped at rollback). The listener holds one
connection of its own, outside the engine's pool, and calls ``wake`` for every notification
and after every (re)connection, since rows may have been committed while nobody listened. If
the connection drops, it reconnects with backoff; the relay's polling covers the gap.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg

from common.db.engine import Database
from common.logging import get_logger

log = get_logger(__name__)

# Options of SQLAlchemy's asyncpg dialect that asyncpg's DSN would take for server settings.
_DIALECT_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback")


def asyncpg_dsn(database: Database) -> str:
    url = database.engine.url
    query = {k: v for k, v in url.query.items() if k not in _DIALECT_ONLY}
    return url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


async def listen_for_commits(
    database: Database, channel: str, wake: Callable[[], None], *, max_backoff: float = 5.0
) -> None:
    """Call ``wake`` on each notification of ``channel`` until cancelled."""
    dsn = asyncpg_dsn(database)
    failures = 0
    while True:
        lost = asyncio.Event()
        conn: Any = None
        try:
            conn = await asyncpg.connect(dsn, timeout=10)
            conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
            await conn.add_listener(channel, lambda *_args: wake())
            wake()
            failures = 0
            await lost.wait()
            error: Exception = ConnectionError("listening connection lost")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            error = exc
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), timeout=2)
        failures += 1
        delay = min(max_backoff, 0.1 * 2 ** min(failures, 10))
        log.warning("outbox_listen_retry", error=repr(error), retry_in=delay)
        await asyncio.sleep(delay)
