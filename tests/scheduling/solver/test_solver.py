"""The solver: every schedule passes the independent checker; infeasible inputs are explained."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.solver import checker, cpsat, greedy, synthetic
from scheduling.solver.model import Conflict, Policy

FAST = cpsat.SolverOptions(time_limit_s=2.0, num_workers=1)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(3, 10), recip=st.booleans())
def test_every_schedule_passes_the_checker(seed: int, n: int, recip: bool) -> None:
    problem = synthetic.partnership(seed, n, Policy(reciprocal_pairs_allowed=recip))
    result = cpsat.solve(problem, FAST)
    if result.schedule is None:
        assert result.explanations, result.status
        return
    assert checker.check(problem, result.schedule) == []
    assert result.objective == result.schedule.quality.objective


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 15))
def test_greedy_is_checker_clean_when_it_finds_a_schedule(seed: int, n: int) -> None:
    problem = synthetic.partnership(seed, n)
    schedule, missing = greedy.solve(problem)
    if schedule is None:
        assert missing
        return
    assert checker.check(problem, schedule) == []


def test_all_leads_conflicted_names_the_school_and_the_rule() -> None:
    problem = synthetic.partnership(7, 5)
    target = problem.schools[0].urn
    leads = [p for p in problem.people if p.trained_lead]
    conflicts = tuple(Conflict(p.id, target, hard=True) for p in leads)
    result = cpsat.solve(dataclasses.replace(problem, conflicts=conflicts), FAST)
    assert result.schedule is None
    msgs = [e for e in result.explanations if e.rule == "lead" and e.urn == target]
    assert msgs
    assert "hard conflict" in msgs[0].message


def test_no_dates_is_explained() -> None:
    problem = synthetic.partnership(8, 4)
    cal = dataclasses.replace(problem.calendar, half_terms=problem.calendar.half_terms[-1:])
    result = cpsat.solve(dataclasses.replace(problem, calendar=cal), FAST)
    assert result.schedule is None
    assert any(e.rule == "dates" and e.urn is not None for e in result.explanations)


def test_too_few_leads_is_explained_for_the_partnership() -> None:
    problem = synthetic.partnership(9, 12, Policy(max_reviews_per_year=1))
    result = cpsat.solve(problem, FAST)
    assert result.schedule is None
    assert any(e.rule == "lead_capacity" for e in result.explanations)


def test_same_seed_same_schedule() -> None:
    problem = synthetic.partnership(11, 6)
    a = cpsat.solve(problem, FAST)
    b = cpsat.solve(problem, FAST)
    assert a.schedule is not None
    assert b.schedule is not None
    assert a.schedule.assignments == b.schedule.assignments


def test_checker_finds_a_broken_rule() -> None:
    problem = synthetic.partnership(12, 5)
    result = cpsat.solve(problem, FAST)
    assert result.schedule is not None
    first = result.schedule.assignments[0]
    broken = dataclasses.replace(first, ic=first.lead)
    bad = dataclasses.replace(
        result.schedule, assignments=(broken, *result.schedule.assignments[1:])
    )
    rules = {v.rule for v in checker.check(problem, bad)}
    assert "ic_not_on_team" in rules


def test_a_medium_county_is_solved_one_partnership_at_a_time_checker_clean() -> None:
    problem = synthetic.county(3, partnerships=3, schools=30)
    opts = dataclasses.replace(FAST, time_limit_s=6.0, decompose_above=20)
    result = cpsat.solve(problem, opts)
    assert result.schedule is not None, result.explanations
    assert len(result.schedule.assignments) == 30
    assert checker.check(problem, result.schedule) == []
    assert result.objective == result.schedule.quality.objective
    assert result.stats["subproblems_solved"] >= 3
    assert result.objective <= result.stats["start_objective"]


def test_a_medium_county_is_solved_whole_checker_clean() -> None:
    problem = synthetic.county(4, partnerships=3, schools=30)
    result = cpsat.solve(problem, dataclasses.replace(FAST, time_limit_s=6.0))
    assert result.schedule is not None, result.explanations
    assert checker.check(problem, result.schedule) == []
    assert result.objective == result.schedule.quality.objective
