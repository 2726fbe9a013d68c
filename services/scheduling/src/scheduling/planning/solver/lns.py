"""Large counties: one partnership at a time from a complete greedy schedule (a large
neighbourhood search), and the CP-SAT lower bound used by the benchmark."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict

from ortools.sat.python import cp_model

from scheduling.planning.solver import explain, greedy
from scheduling.planning.solver.candidates import Prepared, prepare
from scheduling.planning.solver.options import Clock, SolverOptions, cancelled
from scheduling.planning.solver.problem_types import (
    Assignment,
    Explanation,
    Problem,
    Schedule,
    SolveResult,
)
from scheduling.planning.solver.quality import evaluate
from scheduling.planning.solver.steps import days, neighbourhood, sub_solve


def _engagements(assignments: dict[int, Assignment], pre: Prepared) -> dict[str, set[str]]:
    """Person id -> the partnerships whose reviews they are engaged in (team or IC)."""
    out: dict[str, set[str]] = defaultdict(set)
    for a in assignments.values():
        part = pre.schools[a.urn].school.partnership_id
        for pid in (*a.team, a.ic):
            out[pid].add(part)
    return out


def solve_by_partnership(pre: Prepared, opts: SolverOptions, clock: Clock) -> SolveResult:
    """Large neighbourhood search, one partnership at a time, from a complete greedy schedule.

    The careful person's pass (squeaky-wheel reordered until every school is placed) gives a
    complete schedule. Then, worst partnership first, its reviews are re-solved by CP-SAT in a
    small model whose candidates are only the people with no engagement outside it (so every
    capacity, day and IC rule involving anyone else is unchanged), hinted with the current
    reviews; a sub-solution replaces them only when it scores better. Stops when the budget is
    spent; the schedule is always complete and satisfies every hard rule the whole model has.
    """
    start = greedy.complete(pre)
    current = {a.urn: a for a in start}
    by_part: dict[str, list[int]] = defaultdict(list)
    for urn, sc in pre.schools.items():
        by_part[sc.school.partnership_id].append(urn)
    quality = evaluate(pre, start)
    best = quality.objective
    worst: dict[str, int] = defaultdict(int)
    for b in quality.broken:
        if b.urn is not None and b.urn in pre.schools:
            worst[pre.schools[b.urn].school.partnership_id] += 1
    missing = set(pre.schools) - set(current)
    unplaced = {pre.schools[u].school.partnership_id for u in missing}
    # partnerships with a school the greedy start could not place first, then the worst
    order = sorted(by_part, key=lambda p: (p not in unplaced, -worst[p], p))
    gap = 0.0
    improved = solved = optimal = passes = 0
    dirty = set(order)  # partnerships whose neighbourhood may still improve
    tries: Counter[str] = Counter()
    while dirty and clock.left(0.35) > 0:
        passes += 1
        todo = [p for p in order if p in dirty]
        dirty = set()
        gap, optimal = 0.0, 0
        for i, part in enumerate(todo):
            if cancelled(opts):
                return SolveResult("cancelled", None, wall_time_s=clock.elapsed())
            left = clock.left(0.3)
            if left <= 0.05:
                break
            engaged = _engagements(current, pre)
            group = {part}
            tries[part] += 1
            if part in unplaced and tries[part] % 2 == 0:
                # every other try, widen: the partnerships its candidates are busy in
                for u in by_part[part]:
                    sc = pre.schools[u]
                    for pid in (*sc.leads, *sc.reviewers, *sc.ics):
                        group |= engaged.get(pid, set())
            urns = [u for g in sorted(group) for u in by_part[g]]
            free = {pid for pid in pre.people if engaged.get(pid, {part}) <= group}
            sub = neighbourhood(pre, urns, free)
            mine = tuple(current[u] for u in urns if u in current)
            outside = Counter(
                h
                for a in current.values()
                if a.urn not in sub.schools
                for pid in a.team
                if (h := pre.people[pid].home_urn) is not None
            )
            budget = min(left, max(opts.min_sub_time_s, left / (len(todo) - i)))
            mm, solver, status = sub_solve(sub, mine, clock, budget, dict(outside))
            if opts.progress is not None:
                opts.progress(min(99.0, 100.0 * (i + 1) / len(todo)))
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                continue
            solved += 1
            gap += solver.objective_value - solver.best_objective_bound
            optimal += status == cp_model.OPTIMAL
            assignments, failures = days(sub, mm, solver)
            if failures:
                continue
            trial = {**current, **{a.urn: a for a in assignments}}
            score = evaluate(pre, tuple(trial.values())).objective
            if score < best or part in unplaced:  # placing every school comes first
                current, best = trial, score
                unplaced.discard(part)
                improved += 1
                # the people it freed or took may let every other partnership do better
                dirty = set(order) - {part}
        dirty |= unplaced
    missing = set(pre.schools) - set(current)
    if missing:
        return _unplaced(pre, current, missing, clock)
    final = tuple(sorted(current.values(), key=lambda a: (a.dates[0], a.urn)))
    quality = evaluate(pre, final)
    if opts.progress is not None:
        opts.progress(100.0)
    return SolveResult(
        "feasible",
        Schedule(final, quality),
        objective=quality.objective,
        best_bound=None,
        wall_time_s=clock.elapsed(),
        stats={
            "partnerships": float(len(order)),
            "passes": float(passes),
            "subproblems_solved": float(solved),
            "subproblems_improved": float(improved),
            "subproblems_optimal": float(optimal),
            "neighbourhood_gap": gap,
            "start_objective": float(evaluate(pre, start).objective),
            **clock.stats(),
        },
    )


def _unplaced(
    pre: Prepared, current: dict[int, Assignment], missing: set[int], clock: Clock
) -> SolveResult:
    """Some school stayed unplaced: prove it with the whole model (presolve off, at least a
    second), naming the schools and the people they would need, or say the time ran out."""
    names = sorted(missing)[:10]
    _mm, _solver, status = sub_solve(pre, tuple(current.values()), clock, max(1.0, clock.left()))
    if status == cp_model.INFEASIBLE:
        why = []
        for u in names:
            sc = pre.schools[u]
            needed = [*sc.leads, *(i for i in sc.ics if i not in sc.leads)]
            who = ", ".join(pre.people[p].label for p in needed) or "nobody"
            why.append(
                Explanation(
                    "capacity",
                    f"no schedule places URN {u}: its {len(sc.leads)} eligible trained leads "
                    f"and {len(sc.ics)} ICs ({who}) are needed elsewhere within their "
                    "per-week, per-term and per-year limits",
                    u,
                    partnership_id=sc.school.partnership_id,
                    person_ids=tuple(needed),
                )
            )
        return SolveResult(
            "infeasible", None, (*why, explain.structural(pre)), wall_time_s=clock.elapsed()
        )
    return SolveResult(
        "unknown",
        None,
        tuple(
            Explanation(
                "time_limit",
                f"URN {u} could not be placed within the time limit",
                u,
                partnership_id=pre.schools[u].school.partnership_id,
            )
            for u in names
        ),
        wall_time_s=clock.elapsed(),
    )


def lower_bound(problem: Problem, options: SolverOptions | None = None) -> tuple[float, bool]:
    """A valid lower bound on the objective of any complete schedule, and whether it is exact
    per partnership (every relaxed subproblem solved to optimality).

    Relaxation: each partnership alone with every eligible candidate (people shared with other
    partnerships are free for each of them), the home-school balance term (the only term that
    couples partnerships) dropped, day-level clashes ignored. The sum of the CP-SAT bounds of
    these models bounds the whole problem from below.
    """
    opts = options or SolverOptions()
    clock = Clock(opts)
    no_balance = {
        part: dataclasses.replace(pol, weights=dataclasses.replace(pol.weights, balance=0))
        for part, pol in problem.policies.items()
    }
    default = problem.policy
    relaxed = dataclasses.replace(
        problem,
        policy=dataclasses.replace(
            default, weights=dataclasses.replace(default.weights, balance=0)
        ),
        policies=no_balance,
    )
    pre = prepare(relaxed, opts.shortlist)
    by_part: dict[str, list[int]] = defaultdict(list)
    for urn, sc in pre.schools.items():
        by_part[sc.school.partnership_id].append(urn)
    total, exact = 0.0, True
    for part in sorted(by_part):
        _mm, solver, status = sub_solve(
            neighbourhood(pre, by_part[part], None), (), clock, clock.span() / len(by_part)
        )
        if status == cp_model.INFEASIBLE:
            return math.inf, True
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            exact = False
            continue  # bound 0: every term is a penalty
        total += max(0.0, solver.best_objective_bound)
        exact = exact and status == cp_model.OPTIMAL
    return total, exact
