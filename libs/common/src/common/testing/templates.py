"""Migrated template databases, so a test's fresh database costs a copy, not a migration.

A service's migrations run once per test process and backend into a template (a SQLite file,
or a PostgreSQL database); every empty database a test asks to migrate is then made from it:
the SQLite file is copied with SQLite's backup API, the PostgreSQL database is re-created
with ``CREATE DATABASE ... TEMPLATE``. A database that is not empty is migrated as usual, and
the templates are keyed by a hash of the migration files, so a changed migration is never
skipped. Templates belong to the process (its pid is in their names) and are dropped when it
exits.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import os
import sqlite3
import tempfile
import threading
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from common.db.migrations import alembic_config, upgrade
from common.testing.databases import _asyncpg_dsn, test_postgres_url

_lock = threading.Lock()
_sqlite_templates: dict[str, Path] = {}
_postgres_templates: dict[str, str] = {}
_folder: tempfile.TemporaryDirectory[str] | None = None


def fingerprint(alembic_ini: Path) -> str:
    """A hash of the service's migration scripts (and its env.py)."""
    script_location = alembic_config(alembic_ini).get_main_option("script_location") or ""
    folder = Path(script_location.replace("%(here)s", str(alembic_ini.parent)))
    if not folder.is_absolute():
        folder = alembic_ini.parent / folder
    digest = hashlib.sha256(str(alembic_ini.resolve()).encode())
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def migrate_from_template(alembic_ini: Path, url: str) -> None:
    """Bring the database at ``url`` to head: from the template when it is empty."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite(alembic_ini, url, parsed)
    elif parsed.get_backend_name() == "postgresql":
        _postgres(alembic_ini, url, parsed)
    else:
        upgrade(alembic_ini, url)


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite(alembic_ini: Path, url: str, parsed: URL) -> None:
    target = Path(parsed.database or "")
    if not parsed.database or (target.exists() and target.stat().st_size > 0):
        upgrade(alembic_ini, url)
        return
    template = _sqlite_template(alembic_ini)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(template)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _sqlite_template(alembic_ini: Path) -> Path:
    global _folder
    key = fingerprint(alembic_ini)
    with _lock:
        if key not in _sqlite_templates:
            if _folder is None:
                _folder = tempfile.TemporaryDirectory(prefix="cf-templates-")
            path = Path(_folder.name) / f"{alembic_ini.parent.name}-{key}.db"
            upgrade(alembic_ini, f"sqlite+aiosqlite:///{path}")
            _sqlite_templates[key] = path
        return _sqlite_templates[key]


# --- PostgreSQL -----------------------------------------------------------------------------


def _postgres(alembic_ini: Path, url: str, parsed: URL) -> None:
    name = parsed.database or ""
    if not name or not asyncio.run(_is_empty(url)):
        upgrade(alembic_ini, url)
        return
    template = _postgres_template(alembic_ini, parsed)
    asyncio.run(_recreate_from(name, template))


def _postgres_template(alembic_ini: Path, parsed: URL) -> str:
    key = fingerprint(alembic_ini)
    with _lock:
        if key not in _postgres_templates:
            name = f"cf_tpl_{alembic_ini.parent.name}_{key}_{os.getpid()}"
            asyncio.run(_create(name))
            template_url = parsed.set(database=name).render_as_string(hide_password=False)
            upgrade(alembic_ini, template_url)
            _postgres_templates[key] = name
        return _postgres_templates[key]


async def _is_empty(url: str) -> bool:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        )
    finally:
        await conn.close()
    return int(tables) == 0


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(_asyncpg_dsn(test_postgres_url()))


async def _create(name: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _recreate_from(name: str, template: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()


async def _drop_all(names: list[str]) -> None:
    admin = await _admin()
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@atexit.register
def _drop_templates() -> None:
    names = list(_postgres_templates.values())
    if names:
        # The server may have gone away first: then there is nothing left to tidy.
        with contextlib.suppress(OSError, asyncpg.PostgresError):
            asyncio.run(_drop_all(names))
    if _folder is not None:
        _folder.cleanup()
