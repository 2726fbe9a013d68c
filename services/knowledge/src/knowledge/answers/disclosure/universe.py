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
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.answers.disclosure import families, packed
from knowledge.answers.disclosure.audience import LEVEL, Audience
from knowledge.answers.disclosure.packed import KIND_SEPARATOR, ScopeCells, cell_name
from knowledge.answers.disclosure.suppression import (
    COMPLEMENTARY,
    FEWER_THAN_THRESHOLD,
    CellRef,
    SuppressedReason,
    Universe,
    hidden_mask,
    safe,
)
from knowledge.cells import ALL, LA, NATIONAL_ID, PARTNERSHIP, TRUST, WHOLE, Scope
from knowledge.intake.directory.repository import DEFAULT_THRESHOLD, DirectoryRepository
from knowledge.intake.review.models import IngestedReview
from knowledge.intake.review.rollups import counted_in
from knowledge.intake.rollup.repository import RollupRepository


class Figures(NamedTuple):
    reviews: int
    schools: int
    items: int
    triangulated: int
    evidence: int
    days: int


@dataclass
class Decided:
    """Which of the caller's aggregate cells of one family and year are hidden, as an array
    (scopes x cells): a few objects however large the county, so that many of them can be kept
    (``disclosure.cache``) without slowing the collector. The figures themselves are read by
    each answer, for its own scopes, in the same consistent read as the generation the
    decision is cached under (so they are the figures it was decided on). Shared by the
    answers that reuse it: read, never changed."""

    scope_index: dict[tuple[str, str], int]
    cell_index: dict[str, int]  # by ``packed.cell_name``
    hidden: npt.NDArray[np.bool_]  # (scopes, cells)
    thresholds: dict[tuple[str, str], int]
    # (scopes, cells): about fewer schools than the threshold (the primary rule); a hidden
    # cell that is not is hidden so that it cannot be worked out (complementary)
    primary: npt.NDArray[np.bool_] | None = None

    def hidden_reason(self, scope: Scope, key: str, kind: str) -> SuppressedReason:
        """Why a hidden cell is hidden."""
        s = self.scope_index.get((scope.kind, scope.id))
        c = self.cell_index.get(cell_name(key, kind))
        if s is None or c is None or self.primary is None or self.primary[s, c]:
            return FEWER_THAN_THRESHOLD
        return COMPLEMENTARY

    def threshold(self, scope: Scope) -> int:
        return self.thresholds.get((scope.kind, scope.id), DEFAULT_THRESHOLD)

    def cells_of(
        self, scope: Scope, figures: ScopeCells | None
    ) -> list[tuple[tuple[str, str], Figures | None]]:
        """(key and kind, figures or None when hidden) of the scope's cells with a row, from
        the scope's rows (``packed.read``). A cell the decision does not know is hidden."""
        s = self.scope_index.get((scope.kind, scope.id))
        if s is None or figures is None:
            return []
        found: list[tuple[tuple[str, str], Figures | None]] = []
        for name, counts in zip(figures.names, figures.counts.tolist(), strict=True):
            c = self.cell_index.get(name)
            key, _, kind = name.partition(KIND_SEPARATOR)
            shown = None if c is None or self.hidden[s, c] else Figures(*counts)
            found.append(((key, kind), shown))
        return found


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


def _layout(
    audience: Audience, family: str, keys: set[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The universe's scopes, and its cells: those with a row in any scope, and every cell
    containing one; containers first."""
    scopes = [(s.kind, s.id) for s in audience.aggregated_scopes()]
    cells = set(keys)
    for key, kind in keys:
        cells.update(families.containers(family, key, kind))
    return scopes, sorted(cells, key=lambda kk: (_cell_level(*kk), kk))


def _universe(
    audience: Audience,
    family: str,
    scopes: list[tuple[str, str]],
    cells: list[tuple[str, str]],
    m: npt.NDArray[np.int64],
    thresholds: dict[tuple[str, str], int],
) -> Universe:
    scope_index = {scope: i for i, scope in enumerate(scopes)}
    cell_index = {cell: i for i, cell in enumerate(cells)}
    inner = _padded([[cell_index[x] for x in families.containers(family, *cell)] for cell in cells])
    outer = _padded(
        [
            [scope_index[(o.kind, o.id)] for o in audience.containers(Scope(*scope))]
            for scope in scopes
        ]
    )
    totals, parts, sizes = _groups(audience, family, scopes, cells, cell_index)
    return Universe(
        scopes=scopes,
        cells=cells,
        m=m,
        k=np.array([thresholds.get(s, DEFAULT_THRESHOLD) for s in scopes], dtype=np.int64),
        inner=inner,
        outer=outer,
        scope_level=np.array([LEVEL[kind] for kind, _ in scopes], dtype=np.int64),
        cell_level=np.array([_cell_level(*cell) for cell in cells], dtype=np.int64),
        group_total=totals,
        group_start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        group_parts=parts,
    )


def build(
    audience: Audience,
    family: str,
    unnamed: dict[CellRef, int],
    thresholds: dict[tuple[str, str], int],
) -> Universe:
    """The dense universe of the caller's scopes from its cells' unnamed schools."""
    scopes, cells = _layout(audience, family, {(c.key, c.kind) for c in unnamed})
    scope_index = {scope: i for i, scope in enumerate(scopes)}
    cell_index = {cell: i for i, cell in enumerate(cells)}
    m = np.zeros((len(scopes), len(cells)), dtype=np.int64)
    for ref, count in unnamed.items():
        m[scope_index[ref.scope], cell_index[(ref.key, ref.kind)]] = count
    return _universe(audience, family, scopes, cells, m, thresholds)


Ints = npt.NDArray[np.int64]


def _groups(
    audience: Audience,
    family: str,
    scopes: list[tuple[str, str]],
    cells: list[tuple[str, str]],
    cell_index: dict[tuple[str, str], int],
) -> tuple[Ints, Ints, Ints]:
    """Every group as flat indexes (scope * cells + cell): (totals, parts, parts per group).
    A family's groups are the same in every scope (a theme and its sub-themes), so they are
    laid out once and repeated; an LA's (or the nation's) parts are its partnerships' (LAs')
    same cells. Groups of an empty total hold trivially."""
    width, count = len(cells), len(scopes)
    local: dict[tuple[int, str], list[int]] = defaultdict(list)
    for c, cell in enumerate(cells):
        for what, total in families.group_totals(family, *cell):
            local[(cell_index[total], what)].append(c)
    laid_out = sorted(local.items())
    offsets = np.arange(count, dtype=np.int64)[:, None] * width
    local_totals = np.array([t for (t, _), _ in laid_out], dtype=np.int64)
    local_parts = np.array([c for _, members in laid_out for c in members], dtype=np.int64)
    local_sizes = np.array([len(members) for _, members in laid_out], dtype=np.int64)
    totals = [(offsets + local_totals[None, :]).ravel()]
    parts = [(offsets + local_parts[None, :]).ravel()]
    sizes = [np.tile(local_sizes, count)]
    every_cell = np.arange(width, dtype=np.int64)
    index = {scope: i for i, scope in enumerate(scopes)}
    for s, scope in enumerate(scopes):
        below = [index[(x.kind, x.id)] for x in audience.parts(Scope(*scope))]
        if below:
            totals.append(s * width + every_cell)
            parts.append((every_cell[:, None] + np.array(below)[None, :] * width).ravel())
            sizes.append(np.full(width, len(below), dtype=np.int64))
    return np.concatenate(totals), np.concatenate(parts), np.concatenate(sizes)


async def thresholds_by_year(
    session: AsyncSession, scopes: Sequence[Scope], years: Sequence[str]
) -> dict[str, dict[tuple[str, str], int]]:
    """Each scope's threshold per year: the strictest agreement among the partnerships counted
    in it. One read for all the years."""
    rows = (
        await session.execute(
            select(
                IngestedReview.academic_year,
                IngestedReview.partnership_id,
                IngestedReview.la_code,
                IngestedReview.counted_trust,
                IngestedReview.counted_la,
            )
            .where(IngestedReview.academic_year.in_(sorted(set(years))))
            .distinct()
        )
    ).all()
    partnerships = {row[1] for row in rows}
    # The terms in force for every member: a proposed lower threshold counts only once all
    # the members consented to it.
    floors = await DirectoryRepository(session).agreements(partnerships)
    agreements = {p: floor.suppression_threshold for p, floor in floors.items()}

    def threshold_of(partnership_id: uuid.UUID) -> int:
        return agreements.get(partnership_id, DEFAULT_THRESHOLD)

    # The strictest threshold per (year, scope) counted in, in one pass over the rows.
    strictest: dict[tuple[str, str, str], int] = {}
    for year, partnership_id, la, trust, counted_la in rows:
        k = threshold_of(partnership_id)
        counted = [(TRUST, trust)] if trust is not None else []
        if counted_la:
            counted += [(LA, la), (ALL, NATIONAL_ID)]
        for kind, scope_id in counted:
            key = (year, kind, scope_id)
            strictest[key] = max(k, strictest[key]) if key in strictest else k
    found: dict[str, dict[tuple[str, str], int]] = {}
    for year in years:
        of_year = found.setdefault(year, {})
        for scope in scopes:
            if scope.kind == PARTNERSHIP:
                k = threshold_of(uuid.UUID(scope.id))
            else:
                k = strictest.get((year, scope.kind, scope.id), DEFAULT_THRESHOLD)
            of_year[(scope.kind, scope.id)] = k
    return found


async def _thresholds(
    session: AsyncSession, scopes: Sequence[Scope], year: str
) -> dict[tuple[str, str], int]:
    return (await thresholds_by_year(session, scopes, [year]))[year]


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


def _decided(
    audience: Audience,
    family: str,
    rows: Sequence[ScopeCells],
    thresholds: dict[tuple[str, str], int],
    excluded: dict[CellRef, int],
) -> Decided:
    """One year's decision from its scopes' packed rows."""
    names = {name for scope in rows for name in scope.names}
    keys = {(key, kind) for key, kind in (name.split(KIND_SEPARATOR) for name in names)}
    scopes, cells = _layout(audience, family, keys)
    scope_index = {scope: i for i, scope in enumerate(scopes)}
    cell_index = {cell: i for i, cell in enumerate(cells)}
    by_name = {cell_name(*cell): i for i, cell in enumerate(cells)}
    m = np.zeros((len(scopes), len(cells)), dtype=np.int64)
    for scope in rows:
        s = scope_index[(scope.scope_kind, scope.scope_id)]
        c = np.fromiter(map(by_name.__getitem__, scope.names), np.int64, len(scope.names))
        m[s, c] = scope.counts[:, 0]  # schools
    for ref, named in excluded.items():
        if ref.scope in scope_index and (ref.key, ref.kind) in cell_index:
            m[scope_index[ref.scope], cell_index[(ref.key, ref.kind)]] -= named
    universe = _universe(audience, family, scopes, cells, m, thresholds)
    primary = ~safe(universe.m, universe.k[:, None])
    return Decided(scope_index, by_name, hidden_mask(universe), thresholds, primary)


async def decide_years(
    session: AsyncSession, audience: Audience, family: str, years: Sequence[str]
) -> dict[str, Decided]:
    """Each year's decision for the caller: one read of the rows and one of the thresholds for
    all the years; each year is still decided on its own (its universe is its own)."""
    aggregated = audience.aggregated_scopes()
    by_year = await packed.read(session, aggregated, family, years, columns=("schools",))
    thresholds = await thresholds_by_year(session, aggregated, years)
    found = {}
    for year in years:
        excluded = await _named_exclusions(session, audience, aggregated, family, year)
        found[year] = _decided(audience, family, by_year[year], thresholds[year], excluded)
    return found
