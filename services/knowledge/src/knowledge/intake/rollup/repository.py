"""Reads and writes of the review cells and the rollups. Core statements, not ORM objects: a
report touches a few hundred rows and the ingest has to keep up with the stream. Never commits.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import transaction_scoped
from common.db.deferred import SEES_DEFERRED, defer, flushes, pending
from knowledge.cells import Cells, Counts
from knowledge.db import table
from knowledge.intake.rollup.models import InsightCell, ReviewCell, RollupGeneration

COUNT_COLUMNS = ("reviews", "schools", "items", "triangulated", "evidence", "days")
INSIGHT_KEY = ("scope_kind", "scope_id", "academic_year", "family", "key", "kind")


def _dialect_insert(dialect: str, model: type[Any]) -> Any:
    """INSERT .. ON CONFLICT of the dialect, on the table (Core: no per-row ORM work)."""
    if dialect == "postgresql":
        return postgresql.insert(table(model))
    return sqlite.insert(table(model))


@functools.cache
def _add_counts(dialect: str) -> Any:
    """Built once per dialect: statements are immutable, and building this one is not free."""
    statement = _dialect_insert(dialect, InsightCell)
    return statement.on_conflict_do_update(
        index_elements=list(INSIGHT_KEY),
        set_={c: statement.table.c[c] + statement.excluded[c] for c in COUNT_COLUMNS},
    )


_INSERT_REVIEW_CELLS = insert(table(ReviewCell))


@functools.cache
def _bump(dialect: str) -> Any:
    statement = _dialect_insert(dialect, RollupGeneration).values(
        academic_year=bindparam("year"), generation=1
    )
    return statement.on_conflict_do_update(
        index_elements=["academic_year"],
        set_={"generation": statement.table.c.generation + 1},
    )


class RollupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def cells_of(
        self, review_ids: Collection[uuid.UUID], families: Collection[str]
    ) -> dict[uuid.UUID, Cells]:
        found: dict[uuid.UUID, Cells] = {review_id: {} for review_id in review_ids}
        if not review_ids:
            return found
        rows = await self.session.execute(
            select(
                ReviewCell.review_id,
                ReviewCell.family,
                ReviewCell.key,
                ReviewCell.kind,
                ReviewCell.items,
                ReviewCell.triangulated,
                ReviewCell.evidence,
                ReviewCell.days,
            ).where(ReviewCell.review_id.in_(list(review_ids)), ReviewCell.family.in_(families))
        )
        for review_id, family, key, kind, items, triangulated, evidence, days in rows:
            found[review_id][(family, key, kind)] = Counts(items, triangulated, evidence, days)
        return found

    async def replace_review_cells(
        self, review_id: uuid.UUID, families: Collection[str], cells: Cells, *, replace: bool
    ) -> None:
        if replace:
            await self.session.execute(
                delete(ReviewCell).where(
                    ReviewCell.review_id == review_id, ReviewCell.family.in_(families)
                )
            )
        if cells:
            defer(
                self.session,
                _INSERT_REVIEW_CELLS,
                table(ReviewCell),
                [
                    {
                        "review_id": review_id,
                        "family": family,
                        "key": key,
                        "kind": kind,
                        "items": counts.items,
                        "triangulated": counts.triangulated,
                        "evidence": counts.evidence,
                        "days": counts.days,
                    }
                    for (family, key, kind), counts in cells.items()
                ],
            )

    async def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Add each row's counts to its rollup cell (created at zero if missing), at the end of
        the transaction: the rows of a batch of events are merged by cell first, so each cell
        is written once (and one statement may not touch a row twice on PostgreSQL)."""
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        defer(
            self.session,
            _add_counts(dialect),
            table(InsightCell),
            rows,
            key=INSIGHT_KEY,
            summed=COUNT_COLUMNS,
        )

    async def drop_empty(self, scopes: Iterable[tuple[str, str]], year: str) -> None:
        """Cells no review counts in any more (after a republished report or a stricter
        agreement): absent and zero mean the same, and reads stay small."""
        pairs = list(scopes)
        if not pairs:
            return
        await self.session.execute(
            delete(InsightCell).where(
                InsightCell.reviews <= 0,
                InsightCell.academic_year == year,
                tuple_(InsightCell.scope_kind, InsightCell.scope_id).in_(pairs),
            )
        )

    async def bump(self, years: Iterable[str]) -> None:
        """A new generation for each year, once per transaction: readers only ever see
        committed generations, so a batch of events needs one bump, not one per event."""
        bumped = transaction_scoped(self.session, "bumped_generations")
        dialect = self.session.get_bind().dialect.name
        for year in sorted(set(years) - bumped.keys()):
            await self.session.execute(_bump(dialect), {"year": year})
            bumped[year] = True

    async def bump_all(self) -> None:
        await self.session.execute(
            update(RollupGeneration).values(generation=RollupGeneration.generation + 1)
        )

    async def generation(self, year: str) -> int:
        found = await self.session.scalar(
            select(RollupGeneration.generation).where(RollupGeneration.academic_year == year)
        )
        return int(found or 0)

    async def generations(self, years: Collection[str]) -> dict[str, int]:
        """The generation of each year that has one (absent: 0), in one read."""
        if not years:
            return {}
        rows = await self.session.execute(
            select(RollupGeneration.academic_year, RollupGeneration.generation).where(
                RollupGeneration.academic_year.in_(sorted(set(years)))
            )
        )
        return {year: int(generation) for year, generation in rows}

    async def counts(
        self, scope_kind: str, scope_id: str, year: str, keys: Collection[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], tuple[int, int]]:
        """(reviews, schools) of some cells of one scope and year, with what this transaction
        has added to them and not yet written. What is stored is read a whole family at a
        time, once per transaction (until the deferred rows are written): the events of a
        batch are often about the same partnership."""
        found: dict[tuple[str, str, str], tuple[int, int]] = {}
        waiting = pending(self.session, _add_counts(self.session.get_bind().dialect.name))
        for family in sorted({family for family, _, _ in keys}):
            stored = await self._stored_family(scope_kind, scope_id, year, family)
            for cell in (c for c in keys if c[0] == family):
                reviews, schools = stored.get(cell, (0, 0))
                row = waiting.get((scope_kind, scope_id, year, *cell))
                if row is not None:
                    reviews, schools = reviews + row["reviews"], schools + row["schools"]
                if row is not None or cell in stored:
                    found[cell] = (reviews, schools)
        return found

    async def _stored_family(
        self, scope_kind: str, scope_id: str, year: str, family: str
    ) -> dict[tuple[str, str, str], tuple[int, int]]:
        cache = transaction_scoped(self.session, "stored_families")
        where = (scope_kind, scope_id, year, family)
        held = cache.get(where)
        if held is not None and held[0] == flushes(self.session):
            stored: dict[tuple[str, str, str], tuple[int, int]] = held[1]
            return stored
        rows = await self.session.execute(
            select(
                InsightCell.key, InsightCell.kind, InsightCell.reviews, InsightCell.schools
            ).where(
                InsightCell.scope_kind == scope_kind,
                InsightCell.scope_id == scope_id,
                InsightCell.academic_year == year,
                InsightCell.family == family,
            ),
            execution_options={SEES_DEFERRED: True},
        )
        stored = {(family, k, d): (r, s) for k, d, r, s in rows}
        cache[where] = (flushes(self.session), stored)
        return stored
