"""The schedule solver on synthetic data, against baselines measured in the same run:

- ``county``: 36 partnerships, 400 schools, ~1,200 people, every cycle solved together by
  ``cpsat.solve`` (one partnership at a time from a complete greedy start) within 10 s, checked
  by the independent checker; compared with the greedy baseline (what a careful person does:
  first school first, first free eligible reviewer) and with a CP-SAT lower bound (each
  partnership relaxed on its own, see ``cpsat.lower_bound``; computed after, not in the 10 s);
- ``national``: 152 LAs, ~2,000 partnerships, ~22,000 schools, each LA solved on its own (two
  processes, one per core), with its wall time, schools placed and hard violations.

Writes ``bench/results/solver.json`` and prints it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from scheduling.planning.solver import checker, cpsat, greedy, synthetic
from scheduling.planning.solver.candidates import prepare
from scheduling.planning.solver.problem_types import Problem
from scheduling.planning.solver.quality import evaluate

RESULTS = Path(__file__).resolve().parent / "results" / "solver.json"
SEED = 0
COUNTY_LIMIT_S = 8.5  # the solver's own limit; the wall time measured includes everything
NATIONAL_LIMIT_S = 2.0  # per LA
OPTIONS = cpsat.SolverOptions(num_workers=1, seed=SEED)  # one worker: deterministic search


def _county() -> dict[str, Any]:
    problem = synthetic.county(SEED)
    started = time.perf_counter()
    pre = prepare(problem)
    baseline = greedy.partial(pre)
    greedy_s = time.perf_counter() - started
    baseline_objective = evaluate(pre, baseline).objective

    started = time.perf_counter()
    result = cpsat.solve(problem, dataclasses.replace(OPTIONS, time_limit_s=COUNTY_LIMIT_S))
    wall = time.perf_counter() - started
    assert result.schedule is not None, result.explanations
    violations = checker.check(problem, result.schedule)

    started = time.perf_counter()
    bound, exact = cpsat.lower_bound(
        problem, cpsat.SolverOptions(num_workers=1, seed=SEED, time_limit_s=60.0)
    )
    bound_s = time.perf_counter() - started
    objective = result.schedule.quality.objective
    return {
        "schools": len(problem.schools),
        "partnerships": len({s.partnership_id for s in problem.schools}),
        "people": len(problem.people),
        "wall_s": round(wall, 2),
        "status": result.status,
        "placed": len(result.schedule.assignments),
        "hard_violations": len(violations),
        "objective": objective,
        "terms": dict(result.schedule.quality.terms),
        "greedy_start_objective": int(result.stats.get("start_objective", 0)),
        "solver_stats": dict(result.stats),
        "greedy_baseline": {
            "wall_s": round(greedy_s, 2),
            "placed": len(baseline),
            "objective_over_placed": baseline_objective,
        },
        "ratio_to_greedy": round(objective / baseline_objective, 3),
        "lower_bound": bound,
        "lower_bound_exact_per_partnership": exact,
        "lower_bound_wall_s": round(bound_s, 2),
        "gap": round((objective - bound) / objective, 3) if objective else 0.0,
    }


def _one_la(problem: Problem) -> dict[str, Any]:
    opts = dataclasses.replace(OPTIONS, time_limit_s=NATIONAL_LIMIT_S)
    result = cpsat.solve(problem, opts)
    if result.schedule is None:
        return {
            "schools": len(problem.schools),
            "status": result.status,
            "placed": 0,
            "violations": 0,
            "objective": 0,
            "wall_s": result.wall_time_s,
            "why": result.explanations[0].message if result.explanations else "",
        }
    return {
        "schools": len(problem.schools),
        "status": result.status,
        "placed": len(result.schedule.assignments),
        "violations": len(checker.check(problem, result.schedule)),
        "objective": result.schedule.quality.objective,
        "start_objective": int(result.stats.get("start_objective", 0)),
        "wall_s": result.wall_time_s,
    }


def _national() -> dict[str, Any]:
    started = time.perf_counter()
    las = synthetic.national(SEED)
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(_one_la, las))
    wall = time.perf_counter() - started
    return {
        "las": len(las),
        "partnerships": len({s.partnership_id for p in las for s in p.schools}),
        "schools": sum(r["schools"] for r in rows),
        "generate_s": round(generate_s, 2),
        "wall_s": round(wall, 1),
        "per_la_limit_s": NATIONAL_LIMIT_S,
        "processes": 2,
        "placed": sum(r["placed"] for r in rows),
        "las_complete": sum(r["placed"] == r["schools"] for r in rows),
        "la_status": dict(Counter(r["status"] for r in rows)),
        "schools_in_complete_las": sum(r["schools"] for r in rows if r["placed"]),
        "incomplete_las": [r["why"] for r in rows if not r["placed"]],
        "hard_violations": sum(r["violations"] for r in rows),
        "objective": sum(r["objective"] for r in rows),
        "greedy_start_objective": sum(r.get("start_objective", 0) for r in rows),
        "slowest_la_s": round(max(r.get("wall_s", 0.0) for r in rows), 2),
    }


def main() -> dict[str, Any]:
    out = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "county": _county(),
        "national": _national(),
    }
    out["machine"]["load_average_at_end"] = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
