"""The three services on real HTTP (uvicorn on free ports), migrated databases of one backend
and a real NATS server: what the demo and the examples talk to, as they would to `make run`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from asgi_lifespan import LifespanManager

from common.testing.apps import migrate
from common.testing.plugin import DatabaseFactory
from common.testing.servers import serving
from knowledge.config import KnowledgeSettings
from knowledge.main import create_app as create_knowledge
from reviews.config import ReviewsSettings
from reviews.main import create_app as create_reviews
from scheduling.config import SchedulingSettings
from scheduling.main import create_app as create_scheduling
from tests.support import alembic_ini


@asynccontextmanager
async def live_services(
    database_factory: DatabaseFactory, nats_url: str, dev_key_path: Path, import_dir: Path
) -> AsyncIterator[dict[str, str]]:
    """``{"scheduling": "http://127.0.0.1:<port>", "reviews": ..., "knowledge": ...}``."""
    shared = {"nats_url": nats_url, "auth_dev_key_path": dev_key_path, "outbox_poll_seconds": 0.2}
    async with AsyncExitStack() as stack:
        urls = {}
        for name in ("scheduling", "reviews", "knowledge"):
            urls[name] = await stack.enter_async_context(database_factory(name))
            await migrate(alembic_ini(name), urls[name])
        apps = {
            "scheduling": create_scheduling(
                SchedulingSettings(database_url=urls["scheduling"], import_dir=import_dir, **shared)
            ),
            "reviews": create_reviews(ReviewsSettings(database_url=urls["reviews"], **shared)),
            "knowledge": create_knowledge(
                KnowledgeSettings(database_url=urls["knowledge"], **shared)
            ),
        }
        served = {}
        for name, app in apps.items():
            manager = await stack.enter_async_context(
                LifespanManager(app, startup_timeout=60, shutdown_timeout=60)
            )
            served[name] = await stack.enter_async_context(serving(manager.app))
        yield served
