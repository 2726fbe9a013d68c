"""Solving one cycle or every cycle of an LA at once with CP-SAT.

Decomposition (no variable per school x person x day):

1. CP-SAT chooses, per school, one *slot* (a week inside one half-term) and its team from the
   school's eligible shortlist (the model: ``cpmodel.build``).
2. A cheap second step picks the exact day(s) in each slot where the whole team is available and
   free, then the earliest workshop and 90-day review the IC can do (``steps.days``). If a team
   has no common day (or the IC no free workshop day), that combination is cut from the model
   and it is re-solved.

Large counties are solved one partnership at a time (``lns``). Budgets are wall-clock seconds
(``time_limit_s``), or, with ``deterministic_time``, CP-SAT's deterministic time units: then the
same problem and seed give the same schedule on any machine and load (see ``options``).
"""

from __future__ import annotations

import dataclasses
import math
import threading

from ortools.sat.python import cp_model

from scheduling.planning.solver import explain, greedy, trainees
from scheduling.planning.solver.candidates import Prepared, prepare
from scheduling.planning.solver.cpmodel import build
from scheduling.planning.solver.lns import lower_bound, solve_by_partnership
from scheduling.planning.solver.options import Clock, SolverOptions, cancelled
from scheduling.planning.solver.problem_types import Explanation, Problem, Schedule, SolveResult
from scheduling.planning.solver.quality import evaluate
from scheduling.planning.solver.steps import days, hint_from

__all__ = ["SolverOptions", "lower_bound", "solve"]


class _Watch:
    """Reports progress and stops the search when asked (cancellation), from a small thread."""

    def __init__(self, solver: cp_model.CpSolver, opts: SolverOptions, clock: Clock) -> None:
        self.solver, self.opts, self.clock = solver, opts, clock
        self.stopped = False
        self._done = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Watch:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._t.join()

    def _run(self) -> None:
        while not self._done.wait(0.05):
            if self.opts.should_stop is not None and self.opts.should_stop():
                self.stopped = True
                self.solver.stop_search()
                return
            if self.opts.progress is not None:
                span = max(1e-6, self.clock.span())
                self.opts.progress(min(99.0, 100.0 * self.clock.elapsed() / span))


def solve(problem: Problem, options: SolverOptions | None = None) -> SolveResult:
    """Solve every cycle in ``problem`` at once; explanations instead of a bare infeasible.
    The shadows and assistant ICs are placed beside the teams found (``trainees``)."""
    opts = options or SolverOptions()
    clock = Clock(opts)
    pre = prepare(problem, opts.shortlist)
    result = _search(pre, opts, clock)
    if result.schedule is None:
        return result
    assignments = trainees.place(pre, result.schedule.assignments)
    quality = evaluate(pre, assignments)
    return dataclasses.replace(
        result, schedule=Schedule(assignments, quality), objective=quality.objective
    )


def _search(pre: Prepared, opts: SolverOptions, clock: Clock) -> SolveResult:
    problem = pre.problem
    pre_issues = explain.precheck(pre)
    if pre_issues:
        return SolveResult("infeasible", None, tuple(pre_issues), wall_time_s=clock.elapsed())
    if not pre.schools:
        return SolveResult("optimal", Schedule((), evaluate(pre, ())), objective=0)
    if _decompose(pre, opts):
        return solve_by_partnership(pre, opts, clock)
    mm = build(pre)
    hint: dict[cp_model.IntVar, int] = {}
    fallback: Schedule | None = None
    repair = bool(problem.previous)
    if opts.greedy_hint:
        start = greedy.complete(pre)
        hint = hint_from(pre, mm, start)
        if len(start) == len(pre.schools) and not repair:
            fallback = Schedule(start, evaluate(pre, start))
    if repair:  # start from the reviews as they are: most of them stay
        hint.update(hint_from(pre, mm, tuple(problem.previous.values())))
    cuts = 0
    stats: dict[str, float] = {}
    for _round in range(opts.max_cuts_rounds + 1):
        for v, val in hint.items():
            mm.m.add_hint(v, val)
        solver = clock.solver(max(0.1, clock.left()))
        with _Watch(solver, opts, clock) as watch:
            status = solver.solve(mm.m)
        clock.spend(solver)
        stats = {
            "booleans": float(solver.num_booleans),
            "conflicts": float(solver.num_conflicts),
            "cuts": float(cuts),
            "solve_wall_s": solver.wall_time,
            **clock.stats(),
        }
        if watch.stopped or cancelled(opts):
            return SolveResult("cancelled", None, wall_time_s=clock.elapsed(), stats=stats)
        if status == cp_model.INFEASIBLE:
            core = _core(pre, clock)
            return SolveResult(
                "infeasible", None, tuple(core), wall_time_s=clock.elapsed(), stats=stats
            )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if fallback is not None:
                return _fallback(fallback, solver, stats, clock, opts)
            return SolveResult(
                "unknown",
                None,
                (Explanation("time_limit", "no schedule found within the time limit"),),
                wall_time_s=clock.elapsed(),
                stats=stats,
            )
        assignments, failures = days(pre, mm, solver)
        if not failures:
            quality = evaluate(pre, assignments)
            if fallback is not None and fallback.quality.objective < quality.objective:
                return _fallback(fallback, solver, stats, clock, opts)
            optimal = status == cp_model.OPTIMAL and cuts == 0
            if opts.progress is not None:
                opts.progress(100.0)
            return SolveResult(
                "optimal" if optimal else "feasible",
                Schedule(assignments, quality),
                objective=quality.objective,
                best_bound=solver.best_objective_bound,
                wall_time_s=clock.elapsed(),
                stats={**stats, "model_objective": solver.objective_value},
            )
        for lits in failures:
            mm.m.add_bool_or([v.Not() for v in lits])
            cuts += 1
        mm.m.clear_hints()  # type: ignore[no-untyped-call]
        hint = {v: solver.value(v) for v in mm.x.values()}
        if fallback is not None and clock.left(0.1) <= 0:
            return _fallback(fallback, solver, stats, clock, opts)
    if fallback is not None:
        return _fallback(fallback, solver, stats, clock, opts)
    return SolveResult(
        "unknown",
        None,
        (Explanation("days", "teams kept having no common free day; try a longer time limit"),),
        wall_time_s=clock.elapsed(),
        stats=stats,
    )


def _decompose(pre: Prepared, opts: SolverOptions) -> bool:
    """Large multi-partnership problems are solved one partnership at a time (``lns``)."""
    parts = {sc.school.partnership_id for sc in pre.schools.values()}
    problem = pre.problem
    recip = (
        all(problem.policy_for(p).reciprocal_pairs_allowed for p in parts)
        and problem.policy.reciprocal_pairs_allowed
    )
    return opts.greedy_hint and recip and len(parts) > 1 and len(pre.schools) > opts.decompose_above


def _fallback(
    schedule: Schedule,
    solver: cp_model.CpSolver,
    stats: dict[str, float],
    clock: Clock,
    opts: SolverOptions,
) -> SolveResult:
    """The complete hint schedule, when the search found nothing better in time."""
    if opts.progress is not None:
        opts.progress(100.0)
    bound = solver.best_objective_bound
    return SolveResult(
        "feasible",
        schedule,
        objective=schedule.quality.objective,
        best_bound=bound if math.isfinite(bound) else None,
        wall_time_s=clock.elapsed(),
        stats={**stats, "fallback": 1.0},
    )


def _core(pre: Prepared, clock: Clock) -> list[Explanation]:
    """Name the rule groups that together make the model infeasible (assumption literals)."""
    mm = build(pre, with_groups=True)
    names = sorted(mm.groups)
    mm.m.add_assumptions([mm.groups[n] for n in names])
    # the core is reported by the single-thread search
    solver = clock.solver(max(1.0, clock.left()), workers=1)
    status = solver.solve(mm.m)
    clock.spend(solver)
    if status != cp_model.INFEASIBLE:
        return [explain.structural(pre)]
    idx = set(solver.sufficient_assumptions_for_infeasibility())
    core = [n for n in names if mm.groups[n].index in idx]
    return explain.describe_core(pre, core)
