"""Seed the shipped defaults (the theme taxonomy as version 1, then the research library) once,
in the background after start-up: retried until the database answers, and ``/readyz`` says
``seed: false`` until it is done. Safe with several replicas (see ``theme.service``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from fastapi import FastAPI

from common.logging import get_logger
from common.runtime import ServiceRuntime
from knowledge.answers.library import service as library_service
from knowledge.intake.theme import service as theme_service

log = get_logger(__name__)


@dataclass
class Seeder:
    runtime: ServiceRuntime
    done: bool = False
    max_backoff: float = 10.0

    async def seed_once(self) -> None:
        database = self.runtime.database
        assert database is not None
        async with database.sessions() as session:
            await theme_service.seed_default(session)
        async with database.sessions() as session:
            await library_service.seed_default(session)

    async def run(self) -> None:
        delay = 0.2
        while not self.done:
            try:
                await self.seed_once()
                self.done = True
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a replica won the race, or the database is not up yet
                log.warning("seed_retry", error=type(exc).__name__, message=str(exc)[:300])
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)

    async def readiness(self) -> dict[str, bool]:
        return {**await self.runtime.readiness(), "seed": self.done}

    def lifespan(self) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
        inner = self.runtime.lifespan()

        @contextlib.asynccontextmanager
        async def run(app: FastAPI) -> AsyncIterator[None]:
            async with inner(app):
                task = asyncio.create_task(self.run(), name="seed")
                try:
                    yield
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

        return run
