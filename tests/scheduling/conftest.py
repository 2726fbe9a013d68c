"""A running scheduling service on a fresh database and a real NATS server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from common.testing.apps import migrate, running_app
from common.testing.nats import NatsServer
from scheduling.config import SchedulingSettings
from scheduling.main import create_app
from tests.support import alembic_ini


@pytest.fixture
def scheduling_settings(
    database_url: str, nats_server: NatsServer, dev_key_path: Path
) -> SchedulingSettings:
    return SchedulingSettings(
        database_url=database_url,
        nats_url=nats_server.url,
        auth_dev_key_path=dev_key_path,
        outbox_poll_seconds=0.2,
    )


@pytest.fixture
async def client(scheduling_settings: SchedulingSettings) -> AsyncIterator[httpx.AsyncClient]:
    await migrate(alembic_ini("scheduling"), scheduling_settings.database_url)
    async with running_app(create_app(scheduling_settings)) as client:
        yield client
