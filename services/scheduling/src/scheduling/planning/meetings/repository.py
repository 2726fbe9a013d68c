"""Queries on meetings. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, select

from common.db import Repository
from scheduling.planning.meetings.models import Meeting


class MeetingRepository(Repository[Meeting]):
    model = Meeting

    async def get_where(
        self, meeting_id: uuid.UUID, condition: ColumnElement[bool]
    ) -> Meeting | None:
        return await self.session.scalar(select(Meeting).where(Meeting.id == meeting_id, condition))

    def of_cycle(self, cycle_id: uuid.UUID) -> Select[Meeting]:
        return select(Meeting).where(Meeting.cycle_id == cycle_id)

    async def generated_keys(self, cycle_id: uuid.UUID) -> set[str]:
        keys = await self.session.scalars(
            select(Meeting.generated_key).where(
                Meeting.cycle_id == cycle_id, Meeting.generated_key.is_not(None)
            )
        )
        return {k for k in keys if k is not None}
