"""Queries on findings and the evidence they rest on. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.evidence.models import EvidenceItem
from reviews.finding.models import Finding


class FindingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, review_id: uuid.UUID, finding_id: uuid.UUID) -> Finding | None:
        return await self.session.scalar(
            select(Finding).where(Finding.id == finding_id, Finding.review_id == review_id)
        )

    def add(self, finding: Finding) -> None:
        self.session.add(finding)

    async def delete(self, finding: Finding) -> None:
        await self.session.delete(finding)

    def of(self, review_id: uuid.UUID) -> Select[Finding]:
        return select(Finding).where(Finding.review_id == review_id)

    async def all_of(self, review_id: uuid.UUID) -> list[Finding]:
        rows = await self.session.scalars(
            self.of(review_id).order_by(Finding.created_at, Finding.id)
        )
        return list(rows)

    async def evidence(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, EvidenceItem]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(wanted)))
        return {row.id: row for row in rows}
