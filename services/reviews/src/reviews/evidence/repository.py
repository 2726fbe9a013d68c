"""Queries on evidence items. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.reviews import EvidenceKind
from reviews.evidence.models import EvidenceItem


class EvidenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_ids(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, EvidenceItem]:
        rows = await self.session.scalars(
            select(EvidenceItem).where(EvidenceItem.id.in_(list(ids)))
        )
        return {row.id: row for row in rows}

    async def get(self, review_id: uuid.UUID, item_id: uuid.UUID) -> EvidenceItem | None:
        return await self.session.scalar(
            select(EvidenceItem).where(
                EvidenceItem.id == item_id, EvidenceItem.review_id == review_id
            )
        )

    def add(self, item: EvidenceItem) -> None:
        self.session.add(item)

    def of(
        self,
        review_id: uuid.UUID,
        *,
        question_id: uuid.UUID | None = None,
        kind: EvidenceKind | None = None,
    ) -> Select[EvidenceItem]:
        statement = select(EvidenceItem).where(EvidenceItem.review_id == review_id)
        if question_id is not None:
            statement = statement.where(EvidenceItem.question_id == question_id)
        if kind is not None:
            statement = statement.where(EvidenceItem.kind == kind)
        return statement
