"""The words the knowledge service counts in: a review's *cells* and the *scopes* that sum them.

A cell is ``(family, key, kind)`` with counts (see ``knowledge.intake.rollup.models``); ``*``
(:data:`WHOLE`) as key and kind is the family's whole. A scope is where the cells of the
reviews counted in it are summed: a partnership, a trust, an LA, or all of them (national).
Both wings use these names; nothing here imports the rest of the service.
"""

from __future__ import annotations

from dataclasses import dataclass

# Families of cells.
FINDING = "finding"
OUTCOME_KIND = "outcome_kind"
OUTCOME_THEME = "outcome_theme"
PROCESS = "process"
OUTCOME_FAMILIES = frozenset({OUTCOME_KIND, OUTCOME_THEME})
ALL_FAMILIES = (FINDING, OUTCOME_KIND, OUTCOME_THEME, PROCESS)

WHOLE = "*"

CellKey = tuple[str, str, str]  # family, key, kind


@dataclass
class Counts:
    items: int = 0
    triangulated: int = 0
    evidence: int = 0
    days: int = 0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.items, self.triangulated, self.evidence, self.days)


Cells = dict[CellKey, Counts]

# Kinds of scope.
PARTNERSHIP = "partnership"
TRUST = "trust"
LA = "la"
ALL = "all"
NATIONAL_ID = "*"


@dataclass(frozen=True, order=True)
class Scope:
    kind: str
    id: str
