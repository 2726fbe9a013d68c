"""Which aggregate figures a caller may see: primary and complementary suppression.

A *cell* is a count of distinct schools (one scope, one year, one theme or measure). What a cell
is *about* is its ``unnamed`` schools: those the caller is not already shown by name (a school
sees itself; a lead sees the schools of a partnership whose agreement is ``named``), since the
caller can take those out of any figure. With ``k`` the threshold and ``safe(x) = x == 0 or
x >= k``, the rule is, by construction:

1. *Primary*: a cell is shown only if ``safe(m)`` (``m`` its unnamed schools).
2. *Nesting*: cells are decided coarse before fine, level by level (national, LA, trust,
   partnership; a theme before its sub-themes; a whole before its parts). A cell is shown only
   if, for every cell already shown that contains it (a wider scope, a broader theme, the
   reviewed schools), ``safe(m_outer - m_cell)``. Cells are only ever hidden afterwards, never
   shown again, so for any two shown cells, one inside the other, their difference is about 0
   or at least ``k`` schools: no subtraction of two figures singles out fewer than ``k``.
3. *Totals*: for every *group* (a total and the parts it is the sum of: an LA and its
   partnerships; a theme and its sub-themes; an action kind and its ratings) whose total is
   shown, the hidden parts with schools, together with the part no cell shows (the
   *remainder*: schools counted in the total but in none of the parts shown to this caller),
   must be at least two unknowns, about at least ``k`` schools, and more schools than unknowns.
   Then subtracting the shown parts from the total gives only a sum of several unknowns about
   ``k`` or more schools, and no hidden part is determined. A hidden total needs an unknown
   among its parts too (else it is their sum). Where a group falls short, the smallest shown
   part with schools is hidden too (complementary suppression), or the total when no part is
   left; this repeats, round by round, until every group holds.

Thresholds: a cell takes its scope's threshold (the strictest agreement among the partnerships
counted in it); a pair or group takes the larger of its cells'. The universe is dense (numpy:
scopes x cells of a family), so that a county's (37 scopes x 300 cells) is decided in a few
milliseconds. Pure: no database here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

#: Why a figure is hidden: the primary rule, or to protect another hidden figure.
SuppressedReason = Literal["fewer_than_threshold", "complementary"]
FEWER_THAN_THRESHOLD: SuppressedReason = "fewer_than_threshold"
COMPLEMENTARY: SuppressedReason = "complementary"

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


class CellRef(NamedTuple):
    scope_kind: str
    scope_id: str
    key: str
    kind: str

    @property
    def scope(self) -> tuple[str, str]:
        return (self.scope_kind, self.scope_id)


@dataclass
class Universe:
    """Every figure one caller can be shown for one family and year, and how they nest.

    ``m[s, c]``: unnamed schools of cell ``c`` (a key and kind) in scope ``s``. ``inner[c]``:
    the cells of the same scope containing ``c`` (padded with -1); ``outer[s]``: the scopes
    containing ``s``. ``order``: (scope level, cell level) pairs per scope and per cell;
    containers are always at an earlier pair. ``groups``: CSR lists over flat indexes
    ``s * cells + c`` (``group_parts[group_start[g]:group_start[g + 1]]``).
    """

    scopes: Sequence[tuple[str, str]]
    cells: Sequence[tuple[str, str]]
    m: Ints
    k: Ints  # per scope
    inner: Ints  # (cells, j)
    outer: Ints  # (scopes, j)
    scope_level: Ints
    cell_level: Ints
    group_total: Ints
    group_start: Ints
    group_parts: Ints

    def ref(self, flat: int) -> CellRef:
        s, c = divmod(flat, len(self.cells))
        return CellRef(*self.scopes[s], *self.cells[c])


def safe(count: Ints, threshold: Ints) -> Bools:
    """About no school, or about at least ``threshold`` schools (a negative difference means
    the cells are not nested as assumed: not safe)."""
    result: Bools = (count == 0) | (count >= threshold)
    return result


def _nesting(u: Universe) -> Bools:
    """Rules 1 and 2, level by level; within a level no cell contains another."""
    hidden = np.zeros(u.m.shape, dtype=bool)
    present = u.m != 0
    for s_level in np.unique(u.scope_level):
        scope_rows = np.flatnonzero(u.scope_level == s_level)
        for c_level in np.unique(u.cell_level):
            columns = np.flatnonzero(u.cell_level == c_level)
            s, c = np.nonzero(present[np.ix_(scope_rows, columns)])
            if s.size == 0:
                continue
            s, c = scope_rows[s], columns[c]
            mine, k = u.m[s, c], u.k[s]
            bad = ~safe(mine, k)
            # The cell's own key and kind (in wider scopes only), then its containers'.
            candidates = [(c, np.ones(c.shape, dtype=bool))]
            candidates += [(column, column >= 0) for column in u.inner[c].T]
            for i, (local, valid) in enumerate(candidates):
                local = np.where(valid, local, 0)
                if i > 0:
                    bad |= valid & ~hidden[s, local] & ~safe(u.m[s, local] - mine, k)
                for outer in u.outer[s].T:
                    ok = valid & (outer >= 0)
                    o = np.where(ok, outer, 0)
                    threshold = np.maximum(k, u.k[o])
                    bad |= ok & ~hidden[o, local] & ~safe(u.m[o, local] - mine, threshold)
            hidden[s[bad], c[bad]] = True
    return hidden


def _group_holds(u: Universe, hidden_flat: Bools) -> Bools:
    """Rule 3 for every group at once."""
    m = u.m.ravel()
    groups = len(u.group_total)
    owner = np.repeat(np.arange(groups), np.diff(u.group_start))
    parts_m = m[u.group_parts]
    unknown = hidden_flat[u.group_parts] & (parts_m > 0)
    unknowns = np.bincount(owner, weights=unknown, minlength=groups)
    unknown_schools = np.bincount(owner, weights=unknown * parts_m, minlength=groups)
    total_m = m[u.group_total]
    remainder = np.maximum(0, total_m - np.bincount(owner, weights=parts_m, minlength=groups))
    count = unknowns + (remainder > 0)
    schools = unknown_schools + remainder
    k = u.k[u.group_total // len(u.cells)]
    shown_total = (unknowns == 0) | ((count >= 2) & (schools >= k) & (schools > count))
    hidden_total = (unknowns > 0) | (remainder > 0) | (total_m == 0)
    holds: Bools = np.where(hidden_flat[u.group_total], hidden_total, shown_total)
    return holds


def _complementary(u: Universe, hidden: Bools) -> None:
    if len(u.group_total) == 0:
        return
    flat = hidden.ravel()  # a view: writes go to ``hidden``
    m = u.m.ravel()
    while True:
        failing = np.flatnonzero(~_group_holds(u, flat))
        if failing.size == 0:
            return
        for g in failing:
            parts = u.group_parts[u.group_start[g] : u.group_start[g + 1]]
            open_parts = parts[~flat[parts] & (m[parts] > 0)]
            if open_parts.size:
                # The smallest shown part with schools (ties: the first cell).
                flat[open_parts[np.lexsort((open_parts, m[open_parts]))[0]]] = True
            else:
                flat[u.group_total[g]] = True


def hidden_mask(u: Universe) -> Bools:
    """``hidden[s, c]``: the cells to suppress; every other cell (including those with no
    schools) is shown."""
    hidden = _nesting(u)
    _complementary(u, hidden)
    return hidden


def hidden_cells(u: Universe) -> set[CellRef]:
    return {u.ref(int(i)) for i in np.flatnonzero(hidden_mask(u).ravel())}


def check(u: Universe, hidden: set[CellRef]) -> list[str]:
    """The three rules, checked one cell and one pair at a time, independently of how
    ``hidden`` was found: an empty list when they hold (for tests and diagnosis)."""
    is_hidden = np.zeros(u.m.size, dtype=bool)
    index = {
        (*scope, *cell): s * len(u.cells) + c
        for s, scope in enumerate(u.scopes)
        for c, cell in enumerate(u.cells)
    }
    for ref in hidden:
        is_hidden[index[ref]] = True
    problems = []
    for s, c in zip(*np.nonzero(u.m), strict=True):
        if is_hidden[s * len(u.cells) + c]:
            continue
        mine = int(u.m[s, c])
        if not (mine == 0 or mine >= u.k[s]):
            problems.append(f"{u.ref(s * len(u.cells) + c)}: about {mine} schools")
        containers = [(s, x) for x in u.inner[c] if x >= 0]
        containers += [(o, x) for o in u.outer[s] if o >= 0 for x in (c, *u.inner[c]) if x >= 0]
        for o, x in containers:
            difference = int(u.m[o, x]) - mine
            if not is_hidden[o * len(u.cells) + x] and not (
                difference == 0 or difference >= max(u.k[s], u.k[o])
            ):
                pair = f"{u.ref(o * len(u.cells) + x)} - {u.ref(s * len(u.cells) + c)}"
                problems.append(f"{pair}: about {difference} schools")
    failing = np.flatnonzero(~_group_holds(u, is_hidden))
    problems += [
        f"group {u.ref(int(u.group_total[g]))}: a hidden figure can be worked out" for g in failing
    ]
    return problems
