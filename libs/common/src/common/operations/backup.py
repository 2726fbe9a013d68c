"""A service database's backup and restore, as docs/operations.md describes them: ``pg_dump``'s
custom format and ``pg_restore --clean`` on PostgreSQL (the client tools of the server's major
version must be on the PATH), SQLite's online backup API for an embedded file.

A restore alone is not the whole procedure: after it, replay the service's consumers from the
backup's time (:mod:`common.operations.replay`) so that what it had applied since is applied
again, exactly once (the runbook, "Restoring one service").
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupToolMissingError(RuntimeError):
    """``pg_dump``/``pg_restore`` is not installed."""


def _libpq_url(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL (no ``+asyncpg``)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise ValueError(f"no SQLite file in {url!r}")
    return Path(database)


async def _run(*command: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupToolMissingError(f"{command[0]} is not on the PATH")
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {errors.decode()}")


def _copy_sqlite(source: Path, target: Path) -> None:
    # The online backup API: a consistent copy while the service may still be writing (WAL).
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


async def backup_database(url: str, target: Path) -> None:
    """Write a consistent backup of the database at ``url`` to ``target``."""
    if make_url(url).get_backend_name() == "postgresql":
        await _run("pg_dump", "--format=custom", "--no-owner", "-f", str(target), _libpq_url(url))
    else:
        await asyncio.to_thread(_copy_sqlite, _sqlite_path(url), target)


async def restore_database(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup ``source``. Stop the service first."""
    if make_url(url).get_backend_name() == "postgresql":
        await _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "-d",
            _libpq_url(url),
            str(source),
        )
    else:
        path = _sqlite_path(url)
        for suffix in ("-wal", "-shm"):  # the old file's log must not be replayed onto the copy
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        await asyncio.to_thread(_copy_sqlite, source, path)
