"""The stages of education a source is written for, and which of them a school of each GIAS
phase teaches: so that a secondary school's reading need meets the secondary literacy guidance
before the Key Stage 1 report."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from contracts.directory import Phase


class Stage(StrEnum):
    EARLY_YEARS = "early_years"  # nursery and Reception
    PRIMARY = "primary"  # Key Stages 1 and 2
    SECONDARY = "secondary"  # Key Stages 3 and 4
    SIXTEEN_TO_NINETEEN = "sixteen_to_nineteen"


_ALL = frozenset(Stage)
#: The stages a school of each phase teaches (a special school or one without a phase: all).
STAGES_OF_PHASE: dict[Phase, frozenset[Stage]] = {
    Phase.NURSERY: frozenset({Stage.EARLY_YEARS}),
    Phase.PRIMARY: frozenset({Stage.EARLY_YEARS, Stage.PRIMARY}),
    Phase.MIDDLE_DEEMED_PRIMARY: frozenset({Stage.PRIMARY, Stage.SECONDARY}),
    Phase.MIDDLE_DEEMED_SECONDARY: frozenset({Stage.PRIMARY, Stage.SECONDARY}),
    Phase.SECONDARY: frozenset({Stage.SECONDARY, Stage.SIXTEEN_TO_NINETEEN}),
    Phase.SIXTEEN_PLUS: frozenset({Stage.SIXTEEN_TO_NINETEEN}),
    Phase.ALL_THROUGH: _ALL,
    Phase.SPECIAL: _ALL,
    Phase.NOT_APPLICABLE: _ALL,
}


def stages_of(phase: str | None) -> frozenset[Stage]:
    """The stages of a GIAS phase value; every stage for an unknown or missing phase."""
    try:
        return STAGES_OF_PHASE[Phase(phase)] if phase else _ALL
    except ValueError:
        return _ALL


def fits(source_stages: Collection[str], school_stages: Collection[Stage]) -> bool:
    """A source written for no stage in particular fits every school."""
    return not source_stages or bool(set(source_stages) & {s.value for s in school_stages})
