"""Queries on trusts. Never commits."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select

from common.db import Repository
from scheduling.directory.trust.models import Trust


class TrustRepository(Repository[Trust]):
    model = Trust

    async def get_visible(self, uid: str, visible: ColumnElement[bool]) -> Trust | None:
        return await self.session.scalar(select(Trust).where(Trust.uid == uid, visible))

    def filtered(self, visible: ColumnElement[bool]) -> Select[Trust]:
        return select(Trust).where(visible)
