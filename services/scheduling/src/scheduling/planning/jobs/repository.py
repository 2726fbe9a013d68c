"""Queries on schedule jobs. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from common.db import Repository
from scheduling.planning.jobs.models import FINISHED, JobKind, JobStatus, ScheduleJob


class ScheduleJobRepository(Repository[ScheduleJob]):
    model = ScheduleJob

    async def unfinished(self, kind: JobKind) -> Sequence[ScheduleJob]:
        statement = select(ScheduleJob).where(
            ScheduleJob.kind == kind, ScheduleJob.status.not_in(FINISHED)
        )
        return (await self.session.scalars(statement)).all()

    async def stale(self, before: datetime) -> Sequence[ScheduleJob]:
        statement = select(ScheduleJob).where(
            ScheduleJob.status == JobStatus.RUNNING, ScheduleJob.heartbeat_at < before
        )
        return (await self.session.scalars(statement)).all()

    async def queued(self) -> Sequence[ScheduleJob]:
        statement = (
            select(ScheduleJob)
            .where(ScheduleJob.status == JobStatus.QUEUED)
            .order_by(ScheduleJob.created_at, ScheduleJob.id)
        )
        return (await self.session.scalars(statement)).all()

    async def claim(self, job_id: uuid.UUID, now: datetime) -> bool:
        """queued -> running, for one replica only (a conditional UPDATE)."""
        result: Any = await self.session.execute(
            update(ScheduleJob)
            .where(ScheduleJob.id == job_id, ScheduleJob.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
        )
        return bool(result.rowcount == 1)

    async def cancel_requested(self, job_id: uuid.UUID) -> bool:
        flag = await self.session.scalar(
            select(ScheduleJob.cancel_requested).where(ScheduleJob.id == job_id)
        )
        return bool(flag)

    async def record_progress(self, job_id: uuid.UUID, progress: int, now: datetime) -> None:
        await self.session.execute(
            update(ScheduleJob)
            .where(ScheduleJob.id == job_id)
            .values(progress=progress, heartbeat_at=now)
        )
