"""pytest plugin (loaded with ``-p common.testing.plugin``): database and NATS fixtures.

``database_url`` is parametrised over ``sqlite`` and ``postgres``; the PostgreSQL case is
skipped when no server answers at ``TEST_POSTGRES_URL``, unless ``CF_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from common.testing.databases import (
    postgres_reachable,
    postgres_required,
    sqlite_url,
    temporary_postgres_database,
)
from common.testing.nats import NatsServer

_postgres_state: dict[str, bool] = {}

#: Every app a test starts (read by ``ServiceSettings``): a PostgreSQL pool of a few
#: connections, so that the suite runs beside other users of a server capped at 100; a patient
#: wait for one, since a busy machine is slow, not overloaded; and room for the tests that send
#: a burst of concurrent requests on purpose (shedding is tested with its own limit). The
#: environment still wins.
TEST_ENVIRONMENT = {
    "DB_POOL_SIZE": "2",
    "DB_MAX_OVERFLOW": "2",
    "DB_POOL_TIMEOUT_SECONDS": "30",
    "MAX_REQUESTS_IN_FLIGHT": "64",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, value in TEST_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def _postgres_available() -> bool:
    if "reachable" not in _postgres_state:
        _postgres_state["reachable"] = asyncio.run(postgres_reachable())
    return _postgres_state["reachable"]


async def _postgres_available_async() -> bool:
    # asyncio.run() cannot be used inside an async fixture: its loop is already running.
    if "reachable" not in _postgres_state:
        _postgres_state["reachable"] = await postgres_reachable()
    return _postgres_state["reachable"]


def _need_postgres(reachable: bool | None = None) -> None:
    if reachable if reachable is not None else _postgres_available():
        return
    if postgres_required():
        pytest.fail("PostgreSQL is required (CF_REQUIRE_POSTGRES=1) but not reachable")
    pytest.skip("PostgreSQL not reachable at TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    _need_postgres(await _postgres_available_async())
    async with temporary_postgres_database() as url:
        yield url


DatabaseFactory = Callable[[str], AbstractAsyncContextManager[str]]


@pytest.fixture(params=["sqlite", "postgres"])
def database_factory(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseFactory:
    """Makes several empty databases of one backend (one per service in cross-service tests)."""
    backend = request.param
    if backend == "postgres":
        _need_postgres()

    def factory(name: str) -> AbstractAsyncContextManager[str]:
        if backend == "postgres":
            return temporary_postgres_database(prefix=f"cf_{name}")
        return _sqlite_context(sqlite_url(tmp_path, name))

    return factory


class _sqlite_context(AbstractAsyncContextManager[str]):  # noqa: N801 - used like a function
    def __init__(self, url: str) -> None:
        self.url = url

    async def __aenter__(self) -> str:
        return self.url

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh NATS server (JetStream on, store under ``tmp_path``) that the test may kill and
    restart; always stopped at teardown."""
    server = NatsServer.start(store_dir=tmp_path / "nats", log_path=tmp_path / "nats.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nats_url(nats_server: NatsServer) -> str:
    return nats_server.url
