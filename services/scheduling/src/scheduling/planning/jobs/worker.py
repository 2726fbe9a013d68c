"""Runs schedule jobs as asyncio tasks inside the service process, one search at a time (a
CP-SAT search is CPU-bound; the machine's cores go to its workers).

The job's state lives in the database: any replica answers a poll or takes a cancel, and a job
queued by a replica that stopped is run by the next one to start (``recover``).
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
from scheduling.planning.jobs import service
from scheduling.planning.jobs.execution import SolverSettings, run_job

log = get_logger(__name__)


class ScheduleRunner:
    def __init__(self, database: Database, settings: SchedulingSettings) -> None:
        self.database = database
        self.settings = settings
        self.solver = SolverSettings(
            workers=settings.solver_workers, time_limit_s=settings.solver_time_limit_s
        )
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._searching = asyncio.Semaphore(1)

    async def recover(self) -> None:
        async with self.database.session() as session:
            failed = await service.fail_stale(
                session, stale_after=self.settings.schedule_stale_seconds
            )
            waiting = await service.queued(session)
        if failed:
            log.warning("stale_schedule_jobs_failed", count=failed)
        for job_id in waiting:
            self.start(job_id)

    def start(self, job_id: uuid.UUID) -> None:
        if job_id in self._tasks:
            return
        task = asyncio.create_task(self._run(job_id), name=f"schedule-{job_id}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def _run(self, job_id: uuid.UUID) -> None:
        async with self._searching:  # queued (and cancellable) until a search slot is free
            started = time.monotonic()  # the search, not the wait for a slot
            status = await run_job(self.database.sessions, job_id, self.solver)
        observe_job("scheduling", "schedule", status.value, time.monotonic() - started)
        log.info("schedule_job_finished", job_id=str(job_id), status=status.value)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
