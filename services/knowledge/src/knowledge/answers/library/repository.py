"""Queries on library sources. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select

from common.db import Repository
from knowledge.answers.library.models import Source, SourceTheme


class SourceRepository(Repository[Source]):
    model = Source

    def filtered(self, *, theme: str | None) -> Select[Source]:
        """Sources tagged with ``theme`` or any of its descendants."""
        statement = select(Source)
        if theme is not None:
            tagged = select(SourceTheme.source_id).where(
                or_(
                    SourceTheme.theme_code == theme,
                    SourceTheme.theme_code.startswith(theme + ".", autoescape=True),
                )
            )
            statement = statement.where(Source.id.in_(tagged))
        return statement

    async def by_url(self, url: str) -> Source | None:
        return await self.session.scalar(select(Source).where(Source.url == url))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Source)) or 0)

    async def all_sources(self) -> Sequence[Source]:
        return (await self.session.scalars(select(Source).order_by(Source.title))).all()
