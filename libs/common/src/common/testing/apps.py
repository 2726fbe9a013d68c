"""Run a service app in-process for tests: migrated database, lifespan, an httpx client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from common.testing.templates import migrate_from_template


async def migrate(alembic_ini: Path, url: str) -> None:
    """Bring a service's database to head (in a thread: Alembic runs its own event loop). An
    empty database is made from a migrated template (see ``common.testing.templates``)."""
    await asyncio.to_thread(migrate_from_template, alembic_ini, url)


async def wait_ready(client: httpx.AsyncClient, within: float = 120.0) -> None:
    """Poll ``/readyz`` until 200; fail loudly with the last answer after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + within
    last: httpx.Response | None = None
    while asyncio.get_running_loop().time() < deadline:
        last = await client.get("/readyz")
        if last.status_code == 200:
            return
        await asyncio.sleep(0.05)
    detail = last.text if last is not None else "no answer"
    raise TimeoutError(f"service not ready after {within}s: {detail}")


@asynccontextmanager
async def running_app(app: FastAPI, *, ready: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app``'s lifespan and yield a client bound to it (no network socket)."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            if ready:
                await wait_ready(client)
            yield client


async def eventually(
    probe: Callable[[], Awaitable[bool]], *, within: float = 120.0, interval: float = 0.05
) -> None:
    """Wait until ``probe()`` is true; TimeoutError after ``within`` seconds. The bound only
    ends a broken run: generous, so that a busy machine is never mistaken for a failure."""
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if await probe():
            return
        await asyncio.sleep(interval)
    raise TimeoutError(f"condition not met within {within}s")
