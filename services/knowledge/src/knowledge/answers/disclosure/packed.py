"""The rollup rows of a caller's universe, read packed: one row per scope and year, its cells
(name and counts) aggregated into one string by the database.

A county's universe is thousands of cells a year; fetched one row per cell, building the
Python rows costs more than the query (SQLite's and asyncpg's row objects, a string per key).
Packed, the database concatenates in C and numpy parses the counts in one call, so a year's
universe arrives as a few dozen strings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import String, and_, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.cells import Scope
from knowledge.db import table
from knowledge.intake.rollup.models import InsightCell

COUNT_COLUMNS = ("reviews", "schools", "items", "triangulated", "evidence", "days")
# Control characters: never in a theme code (``[a-z0-9_.]``), an action kind or a rating.
CELL_SEPARATOR = "\x1e"
KIND_SEPARATOR = "\x1f"


class ScopeCells(NamedTuple):
    """One scope's rows of one year: ``names[i]`` is ``key + KIND_SEPARATOR + kind`` of the
    cell whose counts are ``counts[i]``."""

    scope_kind: str
    scope_id: str
    names: list[str]
    counts: npt.NDArray[np.int64]  # (cells, columns read)


def cell_name(key: str, kind: str) -> str:
    return f"{key}{KIND_SEPARATOR}{kind}"


def _aggregate(dialect: str, value: Any) -> Any:
    """One aggregate per group, so a cell's name and counts can never be paired wrongly."""
    if dialect == "postgresql":
        return func.string_agg(value, literal(CELL_SEPARATOR))
    return func.group_concat(value, literal(CELL_SEPARATOR))


async def read(
    session: AsyncSession,
    scopes: Sequence[Scope],
    family: str,
    years: Sequence[str],
    columns: Sequence[str] = COUNT_COLUMNS,
) -> dict[str, list[ScopeCells]]:
    """Every rollup row of the scopes for the family and years, in one statement (one index
    range per scope and year: a tuple IN list would scan the table on SQLite), with the
    counts of ``columns`` (the decision needs only the schools: less for the database to
    turn into text)."""
    found: dict[str, list[ScopeCells]] = {year: [] for year in years}
    if not scopes or not years:
        return found
    c = table(InsightCell).c
    by_kind: dict[str, list[str]] = defaultdict(list)
    for scope in scopes:
        by_kind[scope.kind].append(scope.id)
    dialect = session.get_bind().dialect.name
    cell: Any = c["key"] + literal(KIND_SEPARATOR) + c["kind"]
    for i, name in enumerate(columns):
        cell = cell + literal("," if i else KIND_SEPARATOR)
        cell = cell + cast(c[name], String)
    rows = await session.execute(
        select(c["academic_year"], c["scope_kind"], c["scope_id"], _aggregate(dialect, cell))
        .where(
            c["academic_year"].in_(sorted(set(years))),
            c["family"] == family,
            or_(
                *[
                    and_(c["scope_kind"] == kind, c["scope_id"].in_(ids))
                    for kind, ids in sorted(by_kind.items())
                ]
            ),
        )
        .group_by(c["academic_year"], c["scope_kind"], c["scope_id"])
    )
    for year, scope_kind, scope_id, packed in rows:
        # "key<US>kind<US>r,s,i,t,e,d" per cell: the name before the last separator.
        names, numbers = [], []
        for item in packed.split(CELL_SEPARATOR):
            name, _, counts = item.rpartition(KIND_SEPARATOR)
            names.append(name)
            numbers.append(counts)
        parsed = np.fromstring(",".join(numbers), dtype=np.int64, sep=",")
        found[year].append(ScopeCells(scope_kind, scope_id, names, parsed.reshape(len(names), -1)))
    return found


def of_scope(rows: Sequence[ScopeCells], scope: Scope) -> ScopeCells | None:
    return next((r for r in rows if (r.scope_kind, r.scope_id) == (scope.kind, scope.id)), None)
