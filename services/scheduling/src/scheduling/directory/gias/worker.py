"""Runs import jobs as asyncio tasks inside the service process.

The job's state lives in the database (any replica can answer a poll or take a cancel); the
task only does the work. Started and stopped by the app's lifespan (see ``scheduling.main``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

from common.db import Database
from common.logging import get_logger
from common.observability.metrics import observe_job
from scheduling.config import SchedulingSettings
from scheduling.directory.gias import service
from scheduling.directory.gias.models import ImportJob

log = get_logger(__name__)


class ImportRunner:
    def __init__(self, database: Database, settings: SchedulingSettings) -> None:
        self.database = database
        self.settings = settings
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}

    async def recover(self) -> None:
        async with self.database.session() as session:
            failed = await service.fail_stale_imports(
                session, stale_after=self.settings.import_stale_seconds
            )
        if failed:
            log.warning("stale_imports_failed", count=failed)

    def start(self, job_id: uuid.UUID) -> None:
        task = asyncio.create_task(self._run(job_id), name=f"import-{job_id}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def _run(self, job_id: uuid.UUID) -> None:
        try:
            started = time.monotonic()
            status = await service.run_import(
                self.database.sessions, job_id, batch_size=self.settings.import_batch_size
            )
            observe_job("scheduling", "gias_import", status.value, time.monotonic() - started)
            log.info("import_finished", job_id=str(job_id), status=status.value)
        except asyncio.CancelledError:
            async with self.database.session() as session:
                await asyncio.shield(service.fail_interrupted(session, job_id))
            raise
        finally:
            async with self.database.session() as session:
                job = await session.get(ImportJob, job_id)
                if job is not None:
                    service.discard_files(job.files)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
