"""Training rules, shadows and assistant ICs: every schedule passes the independent checker,
which catches each rule broken by hand; shadows never change the teams."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.planning.solver import checker, cpsat, greedy, repair, synthetic
from scheduling.planning.solver.problem_types import (
    Assignment,
    Policy,
    Problem,
    Schedule,
    TrainingRule,
)

# CP-SAT deterministic time, not seconds (the wall limit is only a safety net)
FAST = cpsat.SolverOptions(time_limit_s=120.0, num_workers=1, deterministic_time=1.0)
RULES: tuple[TrainingRule, ...] = ("hard", "soft", "off")


def _county(seed: int, n: int, policy: Policy) -> Problem:
    """A small partnership whose people hold some training and not other, some in training,
    some assistant ICs."""
    problem = synthetic.partnership(seed, n, policy)
    rng = random.Random(seed)
    people = []
    for p in problem.people:
        people.append(
            dataclasses.replace(
                p,
                trained_reviewer=rng.random() < 0.7,
                trained_ic=rng.random() < 0.9,
                learner=p.can_review and rng.random() < 0.5,
                needs_experience=rng.random() < 0.5,
            )
        )
    return dataclasses.replace(problem, people=tuple(people))


def _names(schedule: Schedule) -> set[str]:
    return {v for a in schedule.assignments for v in (*a.shadows, a.assistant_ic) if v}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(4, 7),
    lead=st.sampled_from(RULES),
    reviewer=st.sampled_from(RULES),
    ic=st.sampled_from(RULES),
    shadows=st.integers(0, 2),
    assistant=st.booleans(),
    cap=st.integers(1, 2),
)
def test_training_and_trainee_schedules_pass_the_checker(
    seed: int,
    n: int,
    lead: TrainingRule,
    reviewer: TrainingRule,
    ic: TrainingRule,
    shadows: int,
    assistant: bool,
    cap: int,
) -> None:
    policy = Policy(
        lead_training=lead,
        reviewer_training=reviewer,
        ic_training=ic,
        shadows_per_review=shadows,
        max_shadowing_per_year=cap,
        assistant_ic=assistant,
        max_assisting_per_year=cap,
    )
    problem = _county(seed, n, policy)
    people = {p.id: p for p in problem.people}
    result = cpsat.solve(problem, FAST)
    if result.schedule is None:
        assert result.explanations, result.status
        return
    assert checker.check(problem, result.schedule) == []
    assert result.objective == result.schedule.quality.objective
    for a in result.schedule.assignments:
        assert len(a.shadows) <= shadows
        assert all(people[s].learner for s in a.shadows)
        assert assistant or a.assistant_ic is None
        assert len(a.reviewers) == policy.reviewers_per_team  # shadows are not the team
        if ic == "hard":
            assert people[a.ic].trained_ic
        if reviewer == "hard":
            assert all(people[r].reviewer_trained for r in a.reviewers)
    found, _missing = greedy.solve(problem)
    if found is not None:
        assert checker.check(problem, found) == []


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(3, 6))
def test_shadows_never_change_the_teams(seed: int, n: int) -> None:
    without = _county(seed, n, Policy())
    with_them = _county(seed, n, Policy(shadows_per_review=2, assistant_ic=True))
    a = cpsat.solve(without, FAST)
    b = cpsat.solve(with_them, FAST)
    assert (a.schedule is None) == (b.schedule is None)
    if a.schedule is None or b.schedule is None:
        return
    strip = [dataclasses.replace(x, shadows=(), assistant_ic=None) for x in b.schedule.assignments]
    assert list(a.schedule.assignments) == strip
    assert _names(a.schedule) == set()
    assert checker.check(with_them, b.schedule) == []


def test_those_who_need_the_experience_shadow_first() -> None:
    policy = Policy(shadows_per_review=1, max_shadowing_per_year=1)
    problem = synthetic.partnership(3, 4, policy)
    people = list(problem.people)
    reviewers = [i for i, p in enumerate(people) if p.can_review and "lead_reviewer" not in p.roles]
    needs, other = reviewers[0], reviewers[1]
    for i, flag in ((needs, True), (other, False)):
        people[i] = dataclasses.replace(
            people[i], learner=True, needs_experience=flag, unavailable=frozenset()
        )
    problem = dataclasses.replace(problem, people=tuple(people))
    result = cpsat.solve(problem, FAST)
    assert result.schedule is not None
    assert checker.check(problem, result.schedule) == []
    first = {s: a.dates[0] for a in result.schedule.assignments for s in a.shadows}
    assert people[needs].id in first
    if people[other].id in first:
        assert first[people[needs].id] <= first[people[other].id]


def test_the_checker_catches_training_and_shadow_rules_broken_by_hand() -> None:
    problem = _county(11, 4, Policy(shadows_per_review=1, max_shadowing_per_year=1))
    result = cpsat.solve(problem, FAST)
    assert result.schedule is not None
    assert checker.check(problem, result.schedule) == []
    quality = result.schedule.quality
    a = result.schedule.assignments[0]
    rest = result.schedule.assignments[1:]

    def rules(changed: Problem, *assignments: Assignment) -> set[str]:
        schedule = Schedule(tuple(assignments), quality)
        return {v.rule for v in checker.check(changed, schedule)}

    # an IC without valid training: hard breaks, off does not
    people = [
        dataclasses.replace(p, trained_ic=False) if p.id == a.ic else p for p in problem.people
    ]
    untrained = dataclasses.replace(problem, people=tuple(people))
    assert "trained_ic" in rules(untrained, a, *rest)
    relaxed = dataclasses.replace(
        untrained, policy=dataclasses.replace(untrained.policy, ic_training="off")
    )
    assert "trained_ic" not in rules(relaxed, a, *rest)
    # a shadow who is not in training; two shadows for one place; a team member as a shadow
    outsider = next(p for p in problem.people if not p.learner and p.id not in a.team)
    assert "shadow_in_training" in rules(
        problem, dataclasses.replace(a, shadows=(outsider.id,)), *rest
    )
    learners = [p.id for p in problem.people if p.learner and p.id not in (*a.team, a.ic)]
    assert "shadow_places" in rules(
        problem, dataclasses.replace(a, shadows=tuple(learners[:2])), *rest
    )
    assert "one_role" in rules(problem, dataclasses.replace(a, shadows=(a.lead,)), *rest)
    # a shadow over their own yearly limit (1 here)
    b = rest[0]
    twice = [
        dataclasses.replace(a, shadows=(learners[0],)),
        dataclasses.replace(b, shadows=(learners[0],)),
    ]
    assert "shadow_per_year" in rules(problem, *twice, *rest[1:])
    # an assistant IC where the policy has no place, or who is not an assistant IC
    assert "assistant_ic_place" in rules(
        problem, dataclasses.replace(a, assistant_ic=learners[0]), *rest
    )
    with_place = dataclasses.replace(
        problem, policy=dataclasses.replace(problem.policy, assistant_ic=True)
    )
    not_assistant = next(
        p.id
        for p in problem.people
        if "assistant_ic" not in p.roles and p.id not in (*a.team, a.ic)
    )
    assert "assistant_ic_role" in rules(
        with_place, dataclasses.replace(a, assistant_ic=not_assistant), *rest
    )


def test_a_shadow_who_drops_out_is_replaced_and_nothing_else_changes() -> None:
    policy = Policy(shadows_per_review=1, max_shadowing_per_year=2)
    problem = _county(1, 5, policy)
    result = cpsat.solve(problem, FAST)
    assert result.schedule is not None
    current = result.schedule.assignments
    target = next(a for a in current if a.shadows)
    gone = target.shadows[0]
    people = tuple(
        dataclasses.replace(p, unavailable=p.unavailable | set(target.dates)) if p.id == gone else p
        for p in problem.people
    )
    changed = dataclasses.replace(problem, people=people)
    fixed = repair.repair(changed, current, movable=[a.urn for a in current], options=FAST)
    assert fixed.status == "repaired"
    assert fixed.changed == (target.urn,)
    after = {a.urn: a for a in fixed.assignments}[target.urn]
    assert (after.dates, after.team, after.ic) == (target.dates, target.team, target.ic)
    assert gone not in after.shadows
    schedule = Schedule(fixed.assignments, result.schedule.quality)
    assert checker.check(changed, schedule) == []
