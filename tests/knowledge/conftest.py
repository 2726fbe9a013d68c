"""A running knowledge service on a fresh database and a real NATS server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import nats
import pytest

from common.db import create_database
from common.messaging import ensure_stream
from common.testing.apps import migrate, running_app
from common.testing.nats import NatsServer
from knowledge.config import KnowledgeSettings
from knowledge.main import create_app
from tests.knowledge.kit import Kit
from tests.support import TokenFactory, alembic_ini, bearer


@pytest.fixture
def knowledge_settings(
    database_url: str, nats_server: NatsServer, dev_key_path: Path
) -> KnowledgeSettings:
    return KnowledgeSettings(
        database_url=database_url,
        nats_url=nats_server.url,
        auth_dev_key_path=dev_key_path,
        outbox_poll_seconds=0.2,
        write_rate_per_minute=100_000,
    )


StartApp = Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def start_app(knowledge_settings: KnowledgeSettings) -> StartApp:
    """Start (or restart) the service on the same database; ready means seeded."""
    await migrate(alembic_ini("knowledge"), knowledge_settings.database_url)
    return lambda: running_app(create_app(knowledge_settings))


@pytest.fixture
async def client(start_app: StartApp) -> AsyncIterator[httpx.AsyncClient]:
    async with start_app() as client:
        yield client


@pytest.fixture
def reader(issue_token: TokenFactory) -> dict[str, str]:
    return bearer(issue_token("knowledge:read"))


@pytest.fixture
def admin(issue_token: TokenFactory) -> dict[str, str]:
    return bearer(issue_token("knowledge:read", "knowledge:admin"))


@pytest.fixture
async def kit(
    start_app: StartApp,
    knowledge_settings: KnowledgeSettings,
    nats_server: NatsServer,
    dev_key_path: Path,
) -> AsyncIterator[Kit]:
    """The service with the producers' streams in place and a way to publish on them."""
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_stream(js, "SCHEDULING", ["scheduling.>"])
    await ensure_stream(js, "REVIEWS", ["reviews.>"])
    db = create_database(knowledge_settings.database_url)
    try:
        async with start_app() as client:
            yield Kit(client=client, js=js, db=db, key_path=dev_key_path)
    finally:
        await db.dispose()
        await nc.close()
