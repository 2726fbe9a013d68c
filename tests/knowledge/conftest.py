"""A running knowledge service on a fresh database and a real NATS server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from common.testing.apps import migrate, running_app
from common.testing.nats import NatsServer
from knowledge.config import KnowledgeSettings
from knowledge.main import create_app
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


async def knowledge_events(server: NatsServer, count: int) -> list[tuple[str, Any]]:
    """Exactly the first ``count`` messages of the KNOWLEDGE stream (waits for them)."""
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe("knowledge.>", durable=None, stream="KNOWLEDGE")
        received: list[tuple[str, Any]] = []
        while len(received) < count:
            for msg in await sub.fetch(count - len(received), timeout=10):
                received.append((msg.subject, json.loads(msg.data)))
                await msg.ack()
        return received
    finally:
        await nc.close()


async def stream_size(server: NatsServer) -> int:
    nc = await nats.connect(server.url)
    try:
        info = await nc.jetstream().stream_info("KNOWLEDGE")
        return int(info.state.messages)
    finally:
        await nc.close()
