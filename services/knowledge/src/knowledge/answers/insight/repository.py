"""Reads for the insight answers: named views from the reviews' cells (a partnership's or a
school's reviews, small), the years a scope has figures for. Aggregates come from the rollups
through ``knowledge.answers.disclosure.universe``. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.cells import LA, PARTNERSHIP, TRUST, Scope
from knowledge.db import table
from knowledge.intake.directory.models import DirectoryAgreement
from knowledge.intake.review.models import IngestedReview
from knowledge.intake.rollup.models import InsightCell, ReviewCell
from knowledge.intake.theme.models import Theme


@dataclass
class NamedFigure:
    urns: set[int] = field(default_factory=set)
    reviews: int = 0
    items: int = 0
    triangulated: int = 0
    evidence: int = 0
    days: int = 0


async def consistent_read(session: AsyncSession) -> None:
    """Read the rollups as of one moment (PostgreSQL: REPEATABLE READ for this transaction;
    SQLite transactions are serializable already)."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def named_reviews(
    *, partnership_ids: Collection[uuid.UUID] = (), urn: int | None = None, every_review: bool
) -> ColumnElement[bool]:
    """A school's reviews (all of them when ``every_review``: the school itself; else those of
    the named partnerships), or a named partnership's reviews."""
    if urn is not None:
        if every_review:
            return IngestedReview.urn == urn
        if not partnership_ids:
            return false()
        return and_(
            IngestedReview.urn == urn, IngestedReview.partnership_id.in_(list(partnership_ids))
        )
    if not partnership_ids:
        return false()
    return IngestedReview.partnership_id.in_(list(partnership_ids))


async def named_cells(
    session: AsyncSession, which: ColumnElement[bool], family: str, year: str
) -> dict[tuple[str, str], NamedFigure]:
    rows = await session.execute(
        select(
            IngestedReview.urn,
            ReviewCell.key,
            ReviewCell.kind,
            ReviewCell.items,
            ReviewCell.triangulated,
            ReviewCell.evidence,
            ReviewCell.days,
        )
        .join(IngestedReview, IngestedReview.review_id == ReviewCell.review_id)
        .where(IngestedReview.academic_year == year, ReviewCell.family == family, which)
    )
    found: dict[tuple[str, str], NamedFigure] = {}
    for urn, key, kind, items, triangulated, evidence, days in rows:
        figure = found.setdefault((key, kind), NamedFigure())
        figure.urns.add(urn)
        figure.reviews += 1
        figure.items += items
        figure.triangulated += triangulated
        figure.evidence += evidence
        figure.days += days
    return found


async def named_years(session: AsyncSession, which: ColumnElement[bool]) -> list[str]:
    rows = await session.scalars(
        select(IngestedReview.academic_year)
        .where(which)
        .distinct()
        .order_by(IngestedReview.academic_year)
    )
    return list(rows)


async def years_with_figures(
    session: AsyncSession, scopes: Collection[Scope], family: str
) -> list[str]:
    if not scopes:
        return []
    condition = or_(
        *[and_(InsightCell.scope_kind == s.kind, InsightCell.scope_id == s.id) for s in scopes]
    )
    rows = await session.scalars(
        select(InsightCell.academic_year)
        .where(condition, InsightCell.family == family)
        .distinct()
        .order_by(InsightCell.academic_year)
    )
    return list(rows)


async def theme_labels(session: AsyncSession) -> dict[str, str]:
    """Every theme's label by code (the taxonomy: a few hundred rows)."""
    rows = await session.execute(select(Theme.code, Theme.label))
    return dict(rows.tuples().all())


async def threshold_setters(
    session: AsyncSession, scope: Scope, year: str, threshold: int
) -> list[uuid.UUID]:
    """The partnerships counted in ``scope`` in ``year`` whose agreement sets ``threshold``
    (the strictest among them sets a scope's threshold); none: the default applies."""
    agreed = table(DirectoryAgreement).c
    statement = select(agreed["partnership_id"]).where(agreed["suppression_threshold"] == threshold)
    if scope.kind == PARTNERSHIP:
        statement = statement.where(agreed["partnership_id"] == uuid.UUID(scope.id))
    else:
        counted = select(IngestedReview.partnership_id).where(IngestedReview.academic_year == year)
        if scope.kind == TRUST:
            counted = counted.where(IngestedReview.counted_trust == scope.id)
        elif scope.kind == LA:
            counted = counted.where(IngestedReview.counted_la, IngestedReview.la_code == scope.id)
        else:
            counted = counted.where(IngestedReview.counted_la)
        statement = statement.where(agreed["partnership_id"].in_(counted))
    found = await session.scalars(statement.order_by(agreed["partnership_id"]))
    return list(found)
