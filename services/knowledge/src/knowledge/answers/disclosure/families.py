"""How the cells of one family nest inside a scope: which cells contain a cell, and which
groups (a total and its parts) it is a part of. Pure.

- ``finding``: (theme, kind) lies in (parent theme, kind) and in the reviewed schools
  ``(*, *)``; a theme's sub-themes are the parts of it (a school may raise several, and a
  finding may be coded at the parent: the group's remainder takes care of both).
- ``outcome_kind``: (action kind, rating) lies in (action kind, ``*``: rated at all), which
  lies in the schools with a 90-day review ``(*, *)``; the ratings are the parts.
- ``outcome_theme``: both of the above, on the theme tree.
- ``process``: flat measures; nothing nests inside a scope.
"""

from __future__ import annotations

import functools

from knowledge.cells import FINDING, OUTCOME_KIND, OUTCOME_THEME, WHOLE
from knowledge.intake.theme.models import ancestors_of, parent_of

CellKind = tuple[str, str]  # key, kind
TREE_FAMILIES = frozenset({FINDING, OUTCOME_THEME})
RATED_FAMILIES = frozenset({OUTCOME_KIND, OUTCOME_THEME})
WHOLE_CELL: CellKind = (WHOLE, WHOLE)


def depth(key: str) -> int:
    return -1 if key == WHOLE else key.count(".")


@functools.cache
def containers(family: str, key: str, kind: str) -> tuple[CellKind, ...]:
    """Every cell of the same scope that contains (key, kind), nearest first."""
    if key == WHOLE or family not in TREE_FAMILIES | RATED_FAMILIES:
        return ()
    found: list[CellKind] = []
    broader = ancestors_of(key) if family in TREE_FAMILIES else []
    if family in RATED_FAMILIES and kind != WHOLE:
        found.append((key, WHOLE))
    for ancestor in broader:
        found.append((ancestor, kind))
        if family in RATED_FAMILIES and kind != WHOLE:
            found.append((ancestor, WHOLE))
    found.append(WHOLE_CELL)
    return tuple(found)


@functools.cache
def group_totals(family: str, key: str, kind: str) -> tuple[tuple[str, CellKind], ...]:
    """The groups (key, kind) is a part of, within its scope: (what the parts are, the total).
    A cell can be the total of two groups (a theme of its sub-themes and of its ratings)."""
    if key == WHOLE:
        return ()
    totals: list[tuple[str, CellKind]] = []
    parent = parent_of(key) if family in TREE_FAMILIES else None
    if parent is not None:
        totals.append(("sub-themes", (parent, kind)))
    if family in RATED_FAMILIES and kind != WHOLE:
        totals.append(("ratings", (key, WHOLE)))
    return tuple(totals)
