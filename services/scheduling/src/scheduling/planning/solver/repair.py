"""Repairing a schedule after life intervened (a person unavailable, a new conflict): re-solve
with the fewest changes to everything else.

The independent checker says which reviews now break a rule. First only those are re-solved,
every other review kept as it is (``Problem.fixed``) and each change from the broken review's
current plan costing more than any soft term (``Problem.previous``): a lost reviewer is
replaced on the same day when anyone can be. Only when that has no solution are all the
movable reviews re-solved together, still with every change costed, so the fewest move.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from scheduling.planning.solver import checker, cpsat
from scheduling.planning.solver.options import SolverOptions
from scheduling.planning.solver.problem_types import (
    Assignment,
    Explanation,
    Problem,
    QualityReport,
    Schedule,
)

Key = tuple[str, int | None, str | None, str]


@dataclass(frozen=True)
class RepairResult:
    status: Literal["unchanged", "repaired", "infeasible", "unknown", "cancelled"]
    assignments: tuple[Assignment, ...]  # the whole schedule after the repair
    changed: tuple[int, ...] = ()  # the URNs whose review changed
    broken: tuple[int, ...] = ()  # the URNs whose review broke a rule before the repair
    explanations: tuple[Explanation, ...] = ()
    widened: bool = False  # the broken reviews alone could not be repaired


def _keys(problem: Problem, assignments: tuple[Assignment, ...]) -> set[Key]:
    found = checker.check(problem, Schedule(assignments, QualityReport({}, ())))
    return {(v.rule, v.urn, v.person_id, v.detail) for v in found}


def broken_reviews(problem: Problem, assignments: tuple[Assignment, ...]) -> set[int]:
    """The schools whose review breaks a hard rule (the checker ties the violation to it)."""
    return {urn for _rule, urn, _p, _d in _keys(problem, assignments) if urn is not None}


def repair(
    problem: Problem,
    current: tuple[Assignment, ...],
    *,
    movable: Collection[int],
    options: SolverOptions | None = None,
) -> RepairResult:
    """Repair ``current`` (every review of ``problem``'s schools; ``problem.fixed`` empty).
    Only reviews of ``movable`` schools may change (those already under way may not)."""
    by_urn = {a.urn: a for a in current}
    before = _keys(problem, current)
    broken = sorted(
        {u for _r, u, _p, _d in before if u is not None and u in movable and u in by_urn}
    )
    if not broken:
        return RepairResult("unchanged", current)
    stages = [broken]
    wider = sorted(u for u in movable if u in by_urn)
    if wider != broken:
        stages.append(wider)
    explanations: tuple[Explanation, ...] = ()
    status: Literal["infeasible", "unknown", "cancelled"] = "infeasible"
    for stage, free in enumerate(stages):
        kept = tuple(a for a in current if a.urn not in free)
        sub = dataclasses.replace(problem, fixed=kept, previous={u: by_urn[u] for u in free})
        result = cpsat.solve(sub, options)
        if result.status == "cancelled":
            return RepairResult("cancelled", current, broken=tuple(broken))
        if result.schedule is None:
            explanations = result.explanations
            status = "infeasible" if result.status == "infeasible" else "unknown"
            continue
        after = tuple(sorted((*kept, *result.schedule.assignments), key=_order))
        found = _keys(problem, after)
        if found - before or any(urn in free for _r, urn, _p, _d in found):
            continue  # not clean: never apply it (the checker has the last word)
        changed = tuple(sorted(a.urn for a in result.schedule.assignments if a != by_urn[a.urn]))
        return RepairResult(
            "repaired", after, changed, tuple(broken), result.explanations, widened=stage > 0
        )
    return RepairResult(status, current, broken=tuple(broken), explanations=explanations)


def _order(a: Assignment) -> tuple[object, int]:
    return a.dates[0], a.urn
