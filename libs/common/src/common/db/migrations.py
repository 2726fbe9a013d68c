"""Alembic glue shared by the services' ``migrations/env.py`` and by tests.

Each service's env.py is two lines: import its metadata and call :func:`run_env`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, TypeDecorator, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from common.db.engine import create_database


def render_item(kind: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Render our TypeDecorators (UTCDateTime) as their plain SQLAlchemy type, so generated
    migrations do not import application code that may later change."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]


def _configure_and_run(
    connection: Connection, metadata: MetaData, include_object: IncludeObject | None
) -> None:
    # SQLite cannot ALTER most things in place: batch mode rebuilds the table instead.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str, metadata: MetaData, include_object: IncludeObject | None) -> None:
    create_database(url)  # creates the parent folder of a SQLite file
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run, metadata, include_object)
    await engine.dispose()


def run_env(
    metadata: MetaData, default_url: str, *, include_object: IncludeObject | None = None
) -> None:
    """Body of a service's env.py. ``sqlalchemy.url`` in the Alembic config (set by tests and
    by :func:`upgrade`) wins over the service's settings. ``include_object`` (Alembic's hook)
    keeps autogenerate away from objects a migration made by hand (e.g. full-text indexes)."""
    url = context.config.get_main_option("sqlalchemy.url") or default_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata, include_object))


def alembic_config(alembic_ini: Path, url: str | None = None) -> Config:
    config = Config(str(alembic_ini))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(alembic_ini: Path, url: str, revision: str = "head") -> None:
    """Migrate the database at ``url``. Synchronous: call it via ``asyncio.to_thread`` from
    async code, since Alembic's env runs its own event loop."""
    command.upgrade(alembic_config(alembic_ini, url), revision)
