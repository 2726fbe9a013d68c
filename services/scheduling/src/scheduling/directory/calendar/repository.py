"""Queries on calendars. Never commits."""

from __future__ import annotations

from common.db import Repository
from scheduling.directory.calendar.models import LaCalendar, SchoolCalendar


class LaCalendarRepository(Repository[LaCalendar]):
    model = LaCalendar

    async def find(self, la_code: str, academic_year: str) -> LaCalendar | None:
        return await self.session.get(LaCalendar, (la_code, academic_year))


class SchoolCalendarRepository(Repository[SchoolCalendar]):
    model = SchoolCalendar

    async def find(self, urn: int, academic_year: str) -> SchoolCalendar | None:
        return await self.session.get(SchoolCalendar, (urn, academic_year))
