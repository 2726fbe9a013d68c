"""Queries on cycles and requests. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, select

from common.db import Repository
from scheduling.directory.cycle.models import Cycle, CycleRequest


class CycleRepository(Repository[Cycle]):
    model = Cycle

    async def get_where(self, cycle_id: uuid.UUID, condition: ColumnElement[bool]) -> Cycle | None:
        return await self.session.scalar(select(Cycle).where(Cycle.id == cycle_id, condition))

    async def for_year(self, partnership_id: uuid.UUID, academic_year: str) -> Cycle | None:
        return await self.session.scalar(
            select(Cycle).where(
                Cycle.partnership_id == partnership_id, Cycle.academic_year == academic_year
            )
        )

    def visible(self, condition: ColumnElement[bool]) -> Select[Cycle]:
        return select(Cycle).where(condition)

    async def request(self, cycle_id: uuid.UUID, urn: int) -> CycleRequest | None:
        return await self.session.get(CycleRequest, (cycle_id, urn))

    def requests(self, cycle_id: uuid.UUID) -> Select[CycleRequest]:
        return select(CycleRequest).where(CycleRequest.cycle_id == cycle_id)
