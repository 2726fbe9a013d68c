"""The naive way to the council's theme figures, for the benchmark's baseline: GROUP BY over the
raw findings (each joined to its theme and the theme's ancestors), per partnership and for the
LA, every time; then the same suppression as the service. With ``from_rollups`` the same
figures are taken from the service's answer instead, so that the two can be compared."""

from __future__ import annotations

from typing import Any

from sqlalchemy import column, func, select, values
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from knowledge.answers.disclosure.audience import audience_of
from knowledge.answers.disclosure.suppression import CellRef, hidden_cells
from knowledge.answers.disclosure.universe import _thresholds, build
from knowledge.answers.insight import service as insight_service
from knowledge.intake.theme.models import ancestors_of
from knowledge.intake.theme.service import load_default_taxonomy
from knowledge.models import FindingTheme, IngestedReview

Figures = dict[str, dict[tuple[str, str], int | None]]


def _closure() -> Any:
    codes = [t["code"] for t in load_default_taxonomy()["themes"]]
    pairs = [(code, a) for code in codes for a in [code, *ancestors_of(code)]]
    return values(column("descendant"), column("ancestor"), name="closure").data(pairs).cte()


async def _raw_counts(
    session: AsyncSession, la: str, year: str, partnerships: list[Any]
) -> dict[CellRef, int]:
    closure = _closure()
    found: dict[CellRef, int] = {}
    schools = func.count(IngestedReview.urn.distinct())
    by_partnership = (
        select(IngestedReview.partnership_id, closure.c.ancestor, FindingTheme.kind, schools)
        .select_from(FindingTheme)
        .join(IngestedReview, IngestedReview.review_id == FindingTheme.review_id)
        .join(closure, closure.c.descendant == FindingTheme.theme_code)
        .where(
            IngestedReview.academic_year == year,
            IngestedReview.partnership_id.in_(partnerships),
        )
        .group_by(IngestedReview.partnership_id, closure.c.ancestor, FindingTheme.kind)
    )
    for partnership, key, kind, count in await session.execute(by_partnership):
        found[CellRef("partnership", str(partnership), key, kind)] = count
    in_la = (
        IngestedReview.academic_year == year,
        IngestedReview.la_code == la,
        IngestedReview.counted_la,
    )
    for_la = (
        select(closure.c.ancestor, FindingTheme.kind, schools)
        .select_from(FindingTheme)
        .join(IngestedReview, IngestedReview.review_id == FindingTheme.review_id)
        .join(closure, closure.c.descendant == FindingTheme.theme_code)
        .where(*in_la)
        .group_by(closure.c.ancestor, FindingTheme.kind)
    )
    for key, kind, count in await session.execute(for_la):
        found[CellRef("la", la, key, kind)] = count
    reviewed = (
        select(IngestedReview.partnership_id, schools)
        .where(
            IngestedReview.academic_year == year,
            IngestedReview.partnership_id.in_(partnerships),
            IngestedReview.report_version > 0,
        )
        .group_by(IngestedReview.partnership_id)
    )
    for partnership, count in await session.execute(reviewed):
        found[CellRef("partnership", str(partnership), "*", "*")] = count
    whole = select(func.count(IngestedReview.urn.distinct())).where(
        *in_la, IngestedReview.report_version > 0
    )
    found[CellRef("la", la, "*", "*")] = int(await session.scalar(whole) or 0)
    return {cell: m for cell, m in found.items() if m > 0}


async def naive_themes(
    session: AsyncSession, principal: Principal, years: list[str], *, from_rollups: bool = False
) -> Figures:
    la = principal.la[0]
    figures: Figures = {}
    if from_rollups:
        for year in years:
            answer = await insight_service.themes(
                session, principal, scope="la", scope_id=la, year=year, theme=None, kind=None
            )
            shown: dict[tuple[str, str], int | None] = {
                (r.code, r.kind): r.schools for r in answer.themes
            }
            shown[("*", "*")] = answer.reviewed_schools.value
            figures[year] = shown
        return figures
    audience = await audience_of(session, principal)
    partnerships = sorted(audience.aggregated_partnerships)
    for year in years:
        unnamed = await _raw_counts(session, la, year, partnerships)
        thresholds = await _thresholds(session, audience.aggregated_scopes(), year)
        universe = build(audience, "finding", unnamed, thresholds)
        hidden = hidden_cells(universe)
        figures[year] = {
            (c.key, c.kind): None if c in hidden else m
            for c, m in unnamed.items()
            if c.scope == ("la", la)
        }
    return figures
