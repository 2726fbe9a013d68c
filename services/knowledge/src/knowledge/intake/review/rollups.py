"""Keep the rollups in step with the reviews' cells, inside the event handler's transaction.

Every change is a delta: a review's old cells against its new ones, added to each scope the
review is counted in (its partnership always; its trust and its LA with the national total only
while the agreement allows). ``schools`` counts a school once per scope and year: a cell that
another review of the same school and year already brings to the scope does not add a school.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.cells import ALL, LA, NATIONAL_ID, PARTNERSHIP, TRUST, CellKey, Cells, Counts, Scope
from knowledge.intake.review.models import IngestedReview
from knowledge.intake.rollup.repository import RollupRepository


@dataclass
class Change:
    """Which cells a review gained or lost (for the emerging-theme check)."""

    added: set[CellKey] = field(default_factory=set)
    removed: set[CellKey] = field(default_factory=set)


def counted_scopes(review: IngestedReview) -> list[Scope]:
    scopes = [Scope(PARTNERSHIP, str(review.partnership_id))]
    if review.counted_trust is not None:
        scopes.append(Scope(TRUST, review.counted_trust))
    if review.counted_la:
        scopes += [Scope(LA, review.la_code), Scope(ALL, NATIONAL_ID)]
    return scopes


def counted_in(review: IngestedReview, scope: Scope) -> bool:
    if scope.kind == PARTNERSHIP:
        return str(review.partnership_id) == scope.id
    if scope.kind == TRUST:
        return review.counted_trust == scope.id
    if scope.kind == LA:
        return review.counted_la and review.la_code == scope.id
    return review.counted_la


def _same(old: Cells, new: Cells) -> bool:
    return old.keys() == new.keys() and all(
        old[key].as_tuple() == new[key].as_tuple() for key in old
    )


async def _siblings(
    session: AsyncSession,
    review: IngestedReview,
    families: Collection[str],
    others: Sequence[IngestedReview] | None = None,
) -> list[tuple[IngestedReview, Cells]]:
    """Other reviews of the same school and year (rare: one cycle per school and year), with
    their cells; ``others``: those reviews, when the caller has read them already."""
    if others is None:
        others = (
            await session.scalars(
                select(IngestedReview).where(
                    IngestedReview.urn == review.urn,
                    IngestedReview.academic_year == review.academic_year,
                    IngestedReview.review_id != review.review_id,
                )
            )
        ).all()
    if not others:
        return []
    cells = await RollupRepository(session).cells_of([o.review_id for o in others], families)
    return [(other, cells[other.review_id]) for other in others]


def _deltas(
    review: IngestedReview,
    scopes: Sequence[Scope],
    old: Cells,
    new: Cells,
    siblings: Sequence[tuple[IngestedReview, Cells]],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    zero = Counts()
    for scope in scopes:
        beside = [cells for other, cells in siblings if counted_in(other, scope)]
        for key in old.keys() | new.keys():
            before, after = old.get(key), new.get(key)
            reviews = (after is not None) - (before is not None)
            elsewhere = any(key in cells for cells in beside)
            schools = 0 if elsewhere else reviews
            b, a = (before or zero).as_tuple(), (after or zero).as_tuple()
            diffs = [x - y for x, y in zip(a, b, strict=True)]
            if reviews == 0 and not any(diffs):
                continue
            family, cell_key, kind = key
            rows.append(
                {
                    "scope_kind": scope.kind,
                    "scope_id": scope.id,
                    "academic_year": review.academic_year,
                    "family": family,
                    "key": cell_key,
                    "kind": kind,
                    "reviews": reviews,
                    "schools": schools,
                    "items": diffs[0],
                    "triangulated": diffs[1],
                    "evidence": diffs[2],
                    "days": diffs[3],
                }
            )
    return rows


async def _apply(
    session: AsyncSession,
    review: IngestedReview,
    rows: list[dict[str, Any]],
    scopes: Iterable[Scope],
) -> None:
    repository = RollupRepository(session)
    await repository.add(rows)
    if any(row["reviews"] < 0 for row in rows):
        await repository.drop_empty([(s.kind, s.id) for s in scopes], review.academic_year)
    await repository.bump([review.academic_year])


async def replace_cells(
    session: AsyncSession,
    review: IngestedReview,
    families: Collection[str],
    cells: Cells,
    *,
    siblings: Sequence[IngestedReview] | None = None,
    known_empty: bool = False,
) -> Change:
    """Make ``cells`` the review's cells of ``families`` and move the rollups by the difference.
    Re-applying the same cells changes nothing (the handlers' idempotence rests on this).
    ``siblings``: the other reviews of its school and year, if the caller has read them.
    ``known_empty``: the review was created in this transaction (nothing to read or replace)."""
    repository = RollupRepository(session)
    await session.flush()  # the review's row, which the cells point at
    old: Cells = {}
    if not known_empty:
        old = (await repository.cells_of([review.review_id], families))[review.review_id]
    if _same(old, cells):
        return Change()
    await repository.replace_review_cells(
        review.review_id, families, cells, replace=not known_empty
    )
    scopes = counted_scopes(review)
    beside = await _siblings(session, review, families, siblings)
    await _apply(session, review, _deltas(review, scopes, old, cells, beside), scopes)
    return Change(added=set(cells) - set(old), removed=set(old) - set(cells))


async def move(
    session: AsyncSession,
    review: IngestedReview,
    *,
    counted_trust: str | None,
    counted_la: bool,
    families: Collection[str],
) -> bool:
    """Count the review in the scopes its agreement and its school's trust allow now: take its
    cells out of the scopes it leaves and add them to those it joins. True if anything moved."""
    before = set(counted_scopes(review))
    review.counted_trust, review.counted_la = counted_trust, counted_la
    after = set(counted_scopes(review))
    if before == after:
        return False
    cells = (await RollupRepository(session).cells_of([review.review_id], families))[
        review.review_id
    ]
    siblings = await _siblings(session, review, families)
    leaving, joining = sorted(before - after), sorted(after - before)
    rows = _deltas(review, leaving, cells, {}, siblings) + _deltas(
        review, joining, {}, cells, siblings
    )
    await _apply(session, review, rows, leaving)
    return True
