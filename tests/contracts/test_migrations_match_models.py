"""Each service's migrations build exactly the tables its models declare, on both backends.

A model changed without a migration (or a migration that drifted from the models) shows up
here as Alembic's autogenerate diff, instead of as a failure in production.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from common.db import create_database
from common.db.migrations import render_item
from common.testing.apps import migrate
from tests.support import alembic_ini

SERVICES = ("scheduling", "reviews", "knowledge")


def _differences(connection: Connection, metadata: MetaData, include_object: Any) -> list[Any]:
    opts = {"compare_type": True, "render_item": render_item, "target_metadata": metadata}
    if include_object is not None:  # the service's own filter, as its env.py passes it
        opts["include_object"] = include_object
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_build_what_the_models_declare(service: str, database_url: str) -> None:
    await migrate(alembic_ini(service), database_url)
    models = importlib.import_module(f"{service}.models")
    metadata: MetaData = models.Base.metadata
    database = create_database(database_url)
    try:
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(
                _differences, metadata, getattr(models, "include_object", None)
            )
    finally:
        await database.dispose()
    assert differences == [], f"{service}: models and migrations differ: {differences}"
