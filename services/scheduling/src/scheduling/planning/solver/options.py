"""How long and how the CP-SAT solver may search: options, and the clock that spends them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model


@dataclass
class SolverOptions:
    time_limit_s: float = 10.0
    seed: int = 0
    num_workers: int = 2
    shortlist: int = 12  # nearest eligible people from other partnerships per school
    max_cuts_rounds: int = 6
    progress: Callable[[float], None] | None = None  # percent 0..100
    should_stop: Callable[[], bool] | None = None  # True: stop the search (cancellation)
    log: bool = False
    greedy_hint: bool = True  # start from the careful-person schedule when it exists
    min_sub_time_s: float = 0.3  # the least a partnership's subproblem gets, while time lasts
    decompose_above: int = 60  # schools: above this, several partnerships go one at a time
    # CP-SAT deterministic time units for the whole run instead of wall seconds: the same
    # problem and seed then give the same schedule whatever the machine and its load
    # (``time_limit_s`` stays as a safety net). Several workers search interleaved then.
    deterministic_time: float | None = None


class Clock:
    """The run's budget: wall seconds, or deterministic time with the wall limit as a net."""

    def __init__(self, opts: SolverOptions) -> None:
        self.opts = opts
        self.t0 = time.monotonic()
        self.deadline = self.t0 + opts.time_limit_s
        self.det = opts.deterministic_time
        self.used = 0.0
        self.cut_short = False  # a deterministic run stopped by the wall-clock net

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def left(self, margin: float = 0.0) -> float:
        """What remains. ``margin``: wall seconds kept for the work after a search (wall-clock
        budgets only; a deterministic budget keeps none, so no decision depends on the clock)."""
        wall = self.deadline - time.monotonic()
        if self.det is None:
            return wall - margin
        if wall <= 0:
            self.cut_short = True
            return 0.0
        return self.det - self.used

    def span(self) -> float:
        """The whole budget, for progress in percent."""
        return self.det if self.det is not None else self.opts.time_limit_s

    def solver(self, budget: float, *, workers: int | None = None) -> cp_model.CpSolver:
        """A CP-SAT solver limited to ``budget`` (seconds or deterministic units)."""
        solver = cp_model.CpSolver()
        prm: Any = solver.parameters
        prm.num_workers = workers if workers is not None else self.opts.num_workers
        prm.random_seed = self.opts.seed
        prm.log_search_progress = self.opts.log
        if self.det is None:
            prm.max_time_in_seconds = budget
        else:
            prm.max_deterministic_time = budget
            prm.max_time_in_seconds = max(0.1, self.deadline - time.monotonic())
            if prm.num_workers > 1:
                prm.interleave_search = True  # parallel search is deterministic only interleaved
        return solver

    def spend(self, solver: cp_model.CpSolver) -> None:
        if self.det is not None:
            self.used += solver.response_proto.deterministic_time
            if time.monotonic() >= self.deadline:
                self.cut_short = True

    def stats(self) -> dict[str, float]:
        if self.det is None:
            return {}
        return {"deterministic_time": self.used, "cut_short_by_wall_clock": float(self.cut_short)}


def cancelled(opts: SolverOptions) -> bool:
    return opts.should_stop is not None and opts.should_stop()
