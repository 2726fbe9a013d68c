"""Queries on themes, taxonomy versions and the expertise mapping. Never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select

from common.db import Repository
from knowledge.intake.theme.models import ExpertiseMapping, TaxonomyVersion, Theme


class ThemeRepository(Repository[Theme]):
    model = Theme

    def filtered(
        self, *, parent: str | None, prefix: str | None, include_retired: bool
    ) -> Select[Theme]:
        statement = select(Theme)
        if parent is not None:
            statement = statement.where(Theme.parent_code == parent)
        if prefix is not None:
            statement = statement.where(
                or_(Theme.code == prefix, Theme.code.startswith(prefix + ".", autoescape=True))
            )
        if not include_retired:
            statement = statement.where(Theme.retired.is_(False))
        return statement

    async def all_themes(self) -> Sequence[Theme]:
        return (await self.session.scalars(select(Theme).order_by(Theme.code))).all()

    async def existing_codes(self, codes: Sequence[str]) -> dict[str, Theme]:
        if not codes:
            return {}
        rows = await self.session.scalars(select(Theme).where(Theme.code.in_(list(codes))))
        return {theme.code: theme for theme in rows}

    async def has_active_children(self, code: str) -> bool:
        child = await self.session.scalar(
            select(Theme.code).where(Theme.parent_code == code, Theme.retired.is_(False)).limit(1)
        )
        return child is not None

    async def current_version(self) -> int:
        """0 when nothing was published yet."""
        return int(await self.session.scalar(select(func.max(TaxonomyVersion.version))) or 0)

    def versions(self) -> Select[TaxonomyVersion]:
        return select(TaxonomyVersion)

    async def mappings(self) -> Sequence[ExpertiseMapping]:
        statement = select(ExpertiseMapping).order_by(ExpertiseMapping.expertise_code)
        return (await self.session.scalars(statement)).all()

    async def expertise_by_theme(self) -> dict[str, list[str]]:
        by_theme: dict[str, list[str]] = defaultdict(list)
        for mapping in await self.mappings():
            by_theme[mapping.theme_code].append(mapping.expertise_code)
        return dict(by_theme)
