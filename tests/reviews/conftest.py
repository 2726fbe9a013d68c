"""The reviews tests' fixture: a running reviews service on a fresh database and a real NATS
server (the helpers are in ``kit.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest

from common.db import create_database
from common.messaging import ensure_stream
from common.testing.apps import migrate, running_app
from common.testing.nats import NatsServer
from reviews.config import ReviewsSettings
from reviews.main import create_app
from tests.reviews.kit import Kit
from tests.support import alembic_ini


@pytest.fixture
async def kit(database_url: str, nats_server: NatsServer, dev_key_path: Path) -> AsyncIterator[Kit]:
    settings = ReviewsSettings(
        database_url=database_url,
        nats_url=nats_server.url,
        auth_dev_key_path=dev_key_path,
        outbox_poll_seconds=0.2,
        milestone_sweep_seconds=0,  # tests sweep when they mean to (test_milestones.py)
        # Webhook receivers in the tests listen on 127.0.0.1 over http, and recover quickly.
        webhooks_allow_private=True,
        webhooks_allow_http=True,
        webhook_retry_delays=(0.2, 0.2, 0.2, 0.2),
        webhook_retry_jitter=0,
        webhook_poll_seconds=0.2,
    )
    await migrate(alembic_ini("reviews"), database_url)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_stream(js, "SCHEDULING", ["scheduling.>"])
    await ensure_stream(js, "KNOWLEDGE", ["knowledge.>"])
    db = create_database(database_url)
    app = create_app(settings)
    try:
        async with running_app(app) as client:
            yield Kit(client=client, js=js, db=db, key_path=dev_key_path, app=app)
    finally:
        await db.dispose()
        await nc.close()
