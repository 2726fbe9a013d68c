"""Queries on the taxonomy read model. Never commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.taxonomy.models import CURRENT, TaxonomyTheme, TaxonomyVersion


class TaxonomyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def version(self) -> TaxonomyVersion | None:
        return await self.session.get(TaxonomyVersion, CURRENT)

    async def themes(self, codes: Iterable[str]) -> dict[str, TaxonomyTheme]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(TaxonomyTheme).where(TaxonomyTheme.code.in_(wanted))
        )
        return {row.code: row for row in rows}

    async def replace(self, version: TaxonomyVersion, themes: Iterable[TaxonomyTheme]) -> None:
        """Put ``themes`` in place of every theme held, at ``version``."""
        await self.session.execute(delete(TaxonomyTheme))
        self.session.add_all(list(themes))
        await self.session.merge(version)
