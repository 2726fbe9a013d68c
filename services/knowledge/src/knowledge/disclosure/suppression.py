"""Which aggregate figures a caller may see: primary and complementary suppression.

A *cell* is a count of distinct schools (one scope, one year, one theme or measure). What a cell
is *about* is its ``unnamed`` schools: those the caller is not already shown by name (a school
sees itself; a lead sees the schools of a partnership whose agreement is ``named``), since the
caller can take those out of any figure. With ``k`` the threshold and ``safe(x) = x == 0 or
x >= k``, the rule is, by construction:

1. *Primary*: a cell is shown only if ``safe(m)`` (``m`` its unnamed schools).
2. *Nesting*: cells are decided coarse before fine (national, LA, trust, partnership; a theme
   before its sub-themes; a whole before its parts). A cell is shown only if, for every cell
   already shown that contains it (a wider scope, a broader theme, the reviewed schools),
   ``safe(m_outer - m_cell)``. Cells are only ever hidden afterwards, never shown again, so
   for any two shown cells, one inside the other, their difference is about 0 or at least
   ``k`` schools: no subtraction of two figures singles out fewer than ``k`` schools.
3. *Totals*: for every *group* (a total and the parts it is the sum of: an LA and its
   partnerships; a theme and its sub-themes; an action kind and its ratings) whose total is
   shown, the hidden parts with schools, together with the part no cell shows (the
   *remainder*: schools counted in the total but in none of the parts shown to this caller),
   must be at least two unknowns, about at least ``k`` schools, and more schools than unknowns.
   Then subtracting the shown parts from the total gives only a sum of several unknowns about
   ``k`` or more schools, and no hidden part is determined. A hidden total needs an unknown
   among its parts too (else it is their sum). Where a group falls short, the smallest shown
   part with schools is hidden too (complementary suppression), or the total when no part is
   left; this repeats until every group holds.

Thresholds: a cell takes its scope's threshold (the strictest agreement among the partnerships
counted in it); a pair or group takes the larger of its cells'. Pure: no database here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class CellRef:
    scope_kind: str
    scope_id: str
    key: str
    kind: str

    @property
    def scope(self) -> tuple[str, str]:
        return (self.scope_kind, self.scope_id)


@dataclass(frozen=True)
class Group:
    total: CellRef
    parts: tuple[CellRef, ...]


@dataclass
class Universe:
    """Every figure one caller can be shown for one family and year, and how they nest."""

    unnamed: dict[CellRef, int]
    thresholds: Mapping[tuple[str, str], int]
    order: list[CellRef]  # the cells with schools, containers first
    containers: dict[CellRef, list[CellRef]] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)

    def m(self, cell: CellRef) -> int:
        return self.unnamed.get(cell, 0)

    def k(self, *cells: CellRef) -> int:
        return max(self.thresholds.get(cell.scope, 2) for cell in cells)


def safe(count: int, threshold: int) -> bool:
    """About no school, or about at least ``threshold`` schools (a negative difference means
    the cells are not nested as assumed: not safe)."""
    return count == 0 or count >= threshold


def group_holds(universe: Universe, group: Group, hidden: set[CellRef]) -> bool:
    """Rule 3 for one group."""
    unknown = [part for part in group.parts if part in hidden and universe.m(part) > 0]
    remainder = max(0, universe.m(group.total) - sum(universe.m(p) for p in group.parts))
    if group.total in hidden:
        # A hidden total is the sum of its parts unless one of them is unknown too.
        return bool(unknown) or remainder > 0 or universe.m(group.total) == 0
    if not unknown:
        return True
    count = len(unknown) + (remainder > 0)
    schools = sum(universe.m(part) for part in unknown) + remainder
    return count >= 2 and schools >= universe.k(group.total) and schools > count


def _primary_and_nesting(universe: Universe) -> set[CellRef]:
    hidden: set[CellRef] = set()
    for cell in universe.order:
        m = universe.m(cell)
        if not safe(m, universe.k(cell)):
            hidden.add(cell)
            continue
        for outer in universe.containers.get(cell, ()):
            if outer not in hidden and not safe(universe.m(outer) - m, universe.k(cell, outer)):
                hidden.add(cell)
                break
    return hidden


def _complementary(universe: Universe, hidden: set[CellRef]) -> None:
    member_of: dict[CellRef, list[int]] = {}  # the groups a cell is the total or a part of
    for index, group in enumerate(universe.groups):
        for cell in (group.total, *group.parts):
            member_of.setdefault(cell, []).append(index)
    pending = deque(range(len(universe.groups)))
    queued = set(pending)
    while pending:
        index = pending.popleft()
        queued.discard(index)
        group = universe.groups[index]
        if group_holds(universe, group, hidden):
            continue
        candidates = [p for p in group.parts if p not in hidden and universe.m(p) > 0]
        pick = min(candidates, key=lambda p: (universe.m(p), p)) if candidates else group.total
        hidden.add(pick)
        for again in [index, *member_of.get(pick, ())]:
            if again not in queued:
                pending.append(again)
                queued.add(again)


def hidden_cells(universe: Universe) -> set[CellRef]:
    """The cells to suppress; every other cell (including those with no schools) is shown."""
    hidden = _primary_and_nesting(universe)
    _complementary(universe, hidden)
    return hidden


def check(universe: Universe, hidden: set[CellRef]) -> list[str]:
    """The three rules, checked independently of how ``hidden`` was found (for tests and
    assertions): an empty list when they hold."""
    problems: list[str] = []
    shown: Iterable[CellRef] = (c for c in universe.unnamed if c not in hidden)
    for cell in shown:
        if not safe(universe.m(cell), universe.k(cell)):
            problems.append(f"{cell}: about {universe.m(cell)} schools")
        for outer in universe.containers.get(cell, ()):
            difference = universe.m(outer) - universe.m(cell)
            if outer not in hidden and not safe(difference, universe.k(cell, outer)):
                problems.append(f"{outer} - {cell}: about {difference} schools")
    for group in universe.groups:
        if not group_holds(universe, group, hidden):
            problems.append(f"group {group.total}: a hidden figure can be worked out")
    return problems


def parts_index(groups: Sequence[Group]) -> dict[CellRef, Group]:
    return {group.total: group for group in groups}
