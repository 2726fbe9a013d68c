"""Everything a caller can be shown in aggregate for one family and year, read from the
rollups in one consistent read, with the suppression decided over all of it at once.

Deciding over the caller's whole universe (every scope it may ask about, every cell) and not
per answer is what makes two queries of the same caller safe together: a figure is shown or
hidden the same way whichever answer it appears in.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.directory.repository import DEFAULT_THRESHOLD, DirectoryRepository
from knowledge.disclosure import families
from knowledge.disclosure.audience import LEVEL, Audience
from knowledge.disclosure.suppression import CellRef, Universe, hidden_cells
from knowledge.review.models import IngestedReview
from knowledge.rollup.models import WHOLE, InsightCell
from knowledge.rollup.repository import RollupRepository
from knowledge.rollup.service import ALL, LA, PARTNERSHIP, TRUST, Scope, counted_in


@dataclass(frozen=True)
class Figures:
    reviews: int
    schools: int
    items: int
    triangulated: int
    evidence: int
    days: int


@dataclass
class Decided:
    """The caller's aggregate cells of one family and year, and which of them are hidden."""

    figures: dict[CellRef, Figures]
    unnamed: dict[CellRef, int]
    hidden: set[CellRef]
    thresholds: dict[tuple[str, str], int]
    universe: Universe

    def threshold(self, scope: Scope) -> int:
        return self.thresholds.get((scope.kind, scope.id), DEFAULT_THRESHOLD)


def _ref(scope: Scope, key: str, kind: str) -> CellRef:
    return CellRef(scope.kind, scope.id, key, kind)


def _cell_level(key: str, kind: str) -> int:
    """Containers first: the whole, then by depth; a key's ``*`` before its ratings."""
    return 2 * (families.depth(key) + 1) + (kind != WHOLE)


def _padded(rows: list[list[int]]) -> npt.NDArray[np.int64]:
    width = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), max(1, width)), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def build(
    audience: Audience,
    family: str,
    unnamed: dict[CellRef, int],
    thresholds: dict[tuple[str, str], int],
) -> Universe:
    """The dense universe of the caller's scopes and every cell any of them has, with the
    cells that contain them."""
    scopes = [(s.kind, s.id) for s in audience.aggregated_scopes()]
    scope_index = {scope: i for i, scope in enumerate(scopes)}
    cells = sorted({(c.key, c.kind) for c in unnamed})
    for key, kind in list(cells):
        cells += families.containers(family, key, kind)
    cells = sorted(set(cells), key=lambda kk: (_cell_level(*kk), kk))
    cell_index = {cell: i for i, cell in enumerate(cells)}
    m = np.zeros((len(scopes), len(cells)), dtype=np.int64)
    for ref, count in unnamed.items():
        m[scope_index[ref.scope], cell_index[(ref.key, ref.kind)]] = count
    inner = _padded([[cell_index[x] for x in families.containers(family, *cell)] for cell in cells])
    outer = _padded(
        [
            [scope_index[(o.kind, o.id)] for o in audience.containers(Scope(*scope))]
            for scope in scopes
        ]
    )
    width = len(cells)
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    present = [(scope_index[ref.scope], cell_index[(ref.key, ref.kind)]) for ref in unnamed]
    parts_of = [[scope_index[(x.kind, x.id)] for x in audience.parts(Scope(*s))] for s in scopes]
    for s, c in sorted(present):
        for what, total in families.group_totals(family, *cells[c]):
            groups[(s * width + cell_index[total], what)].append(s * width + c)
        for p in parts_of[s]:
            groups[(s * width + c, "parts")].append(p * width + c)
    listed = [(total, parts) for (total, _), parts in sorted(groups.items())]
    starts = np.cumsum([0] + [len(parts) for _, parts in listed], dtype=np.int64)
    return Universe(
        scopes=scopes,
        cells=cells,
        m=m,
        k=np.array([thresholds.get(s, DEFAULT_THRESHOLD) for s in scopes], dtype=np.int64),
        inner=inner,
        outer=outer,
        scope_level=np.array([LEVEL[kind] for kind, _ in scopes], dtype=np.int64),
        cell_level=np.array([_cell_level(*cell) for cell in cells], dtype=np.int64),
        group_total=np.array([total for total, _ in listed], dtype=np.int64),
        group_start=starts,
        group_parts=np.array([p for _, parts in listed for p in parts], dtype=np.int64),
    )


async def _thresholds(
    session: AsyncSession, scopes: Sequence[Scope], year: str
) -> dict[tuple[str, str], int]:
    """Each scope's threshold: the strictest agreement among the partnerships counted in it."""
    rows = (
        await session.execute(
            select(
                IngestedReview.partnership_id,
                IngestedReview.la_code,
                IngestedReview.counted_trust,
                IngestedReview.counted_la,
            )
            .where(IngestedReview.academic_year == year)
            .distinct()
        )
    ).all()
    agreements = await DirectoryRepository(session).agreements({row[0] for row in rows})

    def threshold_of(partnership_id: uuid.UUID) -> int:
        agreement = agreements.get(partnership_id)
        return agreement.suppression_threshold if agreement else DEFAULT_THRESHOLD

    found: dict[tuple[str, str], int] = {}
    for scope in scopes:
        if scope.kind == PARTNERSHIP:
            members = [uuid.UUID(scope.id)]
        else:
            members = [
                p
                for p, la, trust, counted_la in rows
                if (scope.kind == TRUST and trust == scope.id)
                or (scope.kind == LA and counted_la and la == scope.id)
                or (scope.kind == ALL and counted_la)
            ]
        found[(scope.kind, scope.id)] = max(
            [threshold_of(p) for p in members], default=DEFAULT_THRESHOLD
        )
    return found


async def _named_exclusions(
    session: AsyncSession, audience: Audience, scopes: Sequence[Scope], family: str, year: str
) -> dict[CellRef, int]:
    """Per aggregate cell, the schools the caller already sees by name there (every review of
    the school counted in that cell is one the caller is shown by name)."""
    named = []
    if audience.own_urns:
        named.append(IngestedReview.urn.in_(sorted(audience.own_urns)))
    if audience.named_partnerships:
        named.append(IngestedReview.partnership_id.in_(sorted(audience.named_partnerships)))
    if not named or not scopes:
        return {}
    named_reviews = (
        await session.scalars(
            select(IngestedReview).where(IngestedReview.academic_year == year, or_(*named))
        )
    ).all()
    urns = {r.urn for r in named_reviews}
    if not urns:
        return {}
    reviews = (
        await session.scalars(
            select(IngestedReview).where(
                IngestedReview.academic_year == year, IngestedReview.urn.in_(sorted(urns))
            )
        )
    ).all()
    seen = {r.review_id for r in named_reviews}
    cells = await RollupRepository(session).cells_of([r.review_id for r in reviews], [family])
    excluded: dict[CellRef, int] = defaultdict(int)
    for scope in scopes:
        for urn in urns:
            mine = [r for r in reviews if r.urn == urn and counted_in(r, scope)]
            shown = {c for r in mine if r.review_id in seen for c in cells[r.review_id]}
            unshown = {c for r in mine if r.review_id not in seen for c in cells[r.review_id]}
            for _, key, kind in shown - unshown:
                excluded[_ref(scope, key, kind)] += 1
    return excluded


async def decide(session: AsyncSession, audience: Audience, family: str, year: str) -> Decided:
    scopes = audience.aggregated_scopes()
    figures: dict[CellRef, Figures] = {}
    if scopes:
        rows = await session.execute(
            select(
                InsightCell.scope_kind,
                InsightCell.scope_id,
                InsightCell.key,
                InsightCell.kind,
                InsightCell.reviews,
                InsightCell.schools,
                InsightCell.items,
                InsightCell.triangulated,
                InsightCell.evidence,
                InsightCell.days,
            ).where(
                InsightCell.academic_year == year,
                InsightCell.family == family,
                tuple_(InsightCell.scope_kind, InsightCell.scope_id).in_(
                    [(s.kind, s.id) for s in scopes]
                ),
            )
        )
        for scope_kind, scope_id, key, kind, *counts in rows:
            figures[CellRef(scope_kind, scope_id, key, kind)] = Figures(*counts)
    thresholds = await _thresholds(session, scopes, year)
    excluded = await _named_exclusions(session, audience, scopes, family, year)
    unnamed = {cell: f.schools - excluded.get(cell, 0) for cell, f in figures.items()}
    universe = build(audience, family, unnamed, thresholds)
    return Decided(figures, unnamed, hidden_cells(universe), thresholds, universe)
