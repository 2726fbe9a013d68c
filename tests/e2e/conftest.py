"""The three services in one process: their own databases, one real NATS server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from common.db import Database, create_database
from common.testing.apps import migrate, running_app
from common.testing.nats import NatsServer
from common.testing.plugin import DatabaseFactory
from knowledge.config import KnowledgeSettings
from knowledge.main import create_app as create_knowledge
from reviews.config import ReviewsSettings
from reviews.main import create_app as create_reviews
from scheduling.config import SchedulingSettings
from scheduling.main import create_app as create_scheduling
from tests.support import alembic_ini


@dataclass
class System:
    scheduling: httpx.AsyncClient
    reviews: httpx.AsyncClient
    knowledge: httpx.AsyncClient
    scheduling_db: Database
    reviews_db: Database
    knowledge_db: Database


@pytest.fixture
async def system(
    database_factory: DatabaseFactory, nats_server: NatsServer, dev_key_path: Path
) -> AsyncIterator[System]:
    common = {
        "nats_url": nats_server.url,
        "auth_dev_key_path": dev_key_path,
        "outbox_poll_seconds": 0.2,
    }
    async with AsyncExitStack() as stack:
        urls = {}
        for name in ("scheduling", "reviews", "knowledge"):
            urls[name] = await stack.enter_async_context(database_factory(name))
            await migrate(alembic_ini(name), urls[name])
        scheduling = await stack.enter_async_context(
            running_app(
                create_scheduling(SchedulingSettings(database_url=urls["scheduling"], **common))
            )
        )
        reviews = await stack.enter_async_context(
            running_app(create_reviews(ReviewsSettings(database_url=urls["reviews"], **common)))
        )
        knowledge = await stack.enter_async_context(
            running_app(
                create_knowledge(KnowledgeSettings(database_url=urls["knowledge"], **common))
            )
        )
        dbs = {name: create_database(url) for name, url in urls.items()}
        for db in dbs.values():
            stack.push_async_callback(db.dispose)
        yield System(
            scheduling, reviews, knowledge, dbs["scheduling"], dbs["reviews"], dbs["knowledge"]
        )
