"""The pipeline forecast, pure: a county built with a known shortage (leads leaving, IC
training expiring, too few reviewers for the teams) gives exactly that shortfall by role, the
people who could be trained, and trainee places this year that close it; and, through the
solver, placing the suggested shadows this year closes it in next year's schedule."""

from __future__ import annotations

import dataclasses
from datetime import date

from scheduling.planning.forecast.pipeline import PersonFacts, Policy, Training, forecast
from scheduling.planning.solver import checker, cpsat, synthetic
from scheduling.planning.solver import problem_types as sm

NEXT = (date(2027, 9, 1), date(2028, 8, 31))
TODAY = date(2027, 1, 15)
LONG_AGO = date(2024, 9, 1)


def _lead(pid: str, *, leaves_on: date | None = None) -> PersonFacts:
    return PersonFacts(
        pid,
        frozenset({"headteacher", "lead_reviewer"}),
        (Training("lead_reviewer", LONG_AGO),),
        leaves_on=leaves_on,
    )


def _reviewer(pid: str, done: int = 0) -> PersonFacts:
    return PersonFacts(
        pid, frozenset({"deputy", "reviewer"}), (Training("reviewer", LONG_AGO),), reviews_done=done
    )


def _ic(pid: str, expires_on: date | None = None) -> PersonFacts:
    return PersonFacts(
        pid,
        frozenset({"senior_leader", "improvement_champion"}),
        (Training("improvement_champion", LONG_AGO, expires_on),),
    )


def _county() -> list[PersonFacts]:
    """12 schools, teams of a lead and 2 reviewers, 3 reviews a person a year: 4 leads and
    8 more reviewers wanted (36 places), 3 ICs (4 follow-ups each). Built with: 4 leads, one
    leaving in July 2028 and one at Christmas 2027; 6 reviewers; 3 ICs, one whose training
    expires in March 2028; two senior leaders and an assistant IC with no training."""
    return [
        _lead("lead-a"),
        _lead("lead-b"),
        _lead("lead-c", leaves_on=date(2028, 7, 20)),
        _lead("lead-d", leaves_on=date(2027, 12, 20)),
        *(_reviewer(f"rev-{i}", done=i % 3) for i in range(6)),
        _ic("ic-a"),
        _ic("ic-b"),
        _ic("ic-c", expires_on=date(2028, 3, 31)),
        PersonFacts("senior-a", frozenset({"senior_leader"})),
        PersonFacts("senior-b", frozenset({"senior_leader"})),
        PersonFacts("assistant", frozenset({"deputy", "assistant_ic"})),
    ]


def test_the_shortfall_matches_the_shortage_built_in() -> None:
    policy = Policy(
        training={"lead_reviewer": "hard", "reviewer": "hard", "improvement_champion": "hard"}
    )
    out = forecast(
        _county(), reviews=12, policy=policy, year=NEXT, today=TODAY, reviews_this_year=10
    )
    by = {r.role: r for r in out.roles}
    lead, rev, ic = by["lead_reviewer"], by["reviewer"], by["improvement_champion"]
    assert (lead.need, lead.pool, lead.leaving, lead.shortfall) == (4, 2, 2, 2)
    # 12 people for 36 places, 8 of them reviewers: 2 leads and 6 reviewers left, of whom two
    # are wanted as leads, leaving 4 for the reviewers' places: 4 more reviewers
    assert (rev.need, rev.pool, rev.shortfall) == (8, 4, 4)
    assert (ic.need, ic.pool, ic.expiring, ic.shortfall) == (3, 2, 1, 1)
    # leads from the reviewers who reviewed most this year
    assert lead.suggested == ("rev-2", "rev-5")
    # reviewers from senior staff with no reviewer training (ICs among them)
    assert set(rev.candidates) == {"senior-a", "senior-b", "assistant", "ic-a", "ic-b", "ic-c"}
    assert len(rev.suggested) == 4
    # the assistant IC first for IC training
    assert ic.suggested == ("assistant",)
    # trainee places this year: one shadowing each for 6 people over 10 reviews
    assert out.places.shadows == lead.suggested + rev.suggested
    assert out.places.shadows_per_review == 1
    assert out.places.assistant_ics == ("assistant",)
    assert out.places.assistant_ic
    assert out.places.closes


def test_trained_suggestions_close_the_shortfall_the_year_after() -> None:
    policy = Policy(
        training={"lead_reviewer": "hard", "reviewer": "hard", "improvement_champion": "hard"}
    )
    first = forecast(
        _county(), reviews=12, policy=policy, year=NEXT, today=TODAY, reviews_this_year=10
    )
    trained_on = date(2027, 7, 1)  # trained (and shadowed) this year
    grant = [(pid, r.role) for r in first.roles for pid in r.suggested]
    people = [
        PersonFacts(
            p.id,
            p.roles | ({"reviewer"} if any(pid == p.id for pid, _ in grant) else set()),
            p.training + tuple(Training(kind, trained_on) for pid, kind in grant if pid == p.id),
            p.leaves_on,
        )
        for p in _county()
    ]
    again = forecast(
        people, reviews=12, policy=policy, year=NEXT, today=TODAY, reviews_this_year=10
    )
    assert [r.shortfall for r in again.roles] == [0, 0, 0]
    assert again.places.shadows == ()
    assert again.places.shadows_per_review == 0


def test_off_rules_count_the_role_and_no_reviews_need_nobody() -> None:
    # reviewer training `off` (the default): everyone in a reviewer role counts
    out = forecast(
        _county(), reviews=12, policy=Policy(), year=NEXT, today=TODAY, reviews_this_year=10
    )
    assert out.shortfall("reviewer") == 12 - 8  # 8 people in a reviewer or lead role stay
    empty = forecast([], reviews=0, policy=Policy(), year=NEXT, today=TODAY, reviews_this_year=0)
    assert [r.shortfall for r in empty.roles] == [0, 0, 0]
    assert empty.places.closes


def test_reviewers_in_training_come_first() -> None:
    policy = Policy(
        training={"lead_reviewer": "hard", "reviewer": "hard", "improvement_champion": "hard"}
    )
    learner = PersonFacts("learner", frozenset({"reviewer"}))  # training pending
    out = forecast(
        [*_county(), learner],
        reviews=12,
        policy=policy,
        year=NEXT,
        today=TODAY,
        reviews_this_year=10,
    )
    rev = out.roles[1]
    assert rev.candidates[0] == "learner"
    assert rev.suggested[0] == "learner"


def test_places_that_cannot_fit_this_year_do_not_close_it() -> None:
    policy = Policy(
        training={"lead_reviewer": "hard", "reviewer": "hard", "improvement_champion": "hard"}
    )
    out = forecast(
        _county(), reviews=12, policy=policy, year=NEXT, today=TODAY, reviews_this_year=1
    )
    assert out.places.shadows_per_review == 3
    assert not out.places.closes


# CP-SAT deterministic time, not seconds (the wall limit is only a safety net)
FAST = cpsat.SolverOptions(time_limit_s=120.0, num_workers=1, deterministic_time=1.0)


def _facts_of(p: sm.Person, leaving: set[str]) -> PersonFacts:
    """The forecast's view of a solver person (their training valid all of both years)."""
    training = []
    if p.trained_lead_on is not None:
        training.append(Training("lead_reviewer", p.trained_lead_on))
    if p.trained_reviewer and p.can_review:
        training.append(Training("reviewer", LONG_AGO))
    if p.trained_ic and "ic" in p.roles:
        training.append(Training("improvement_champion", LONG_AGO))
    return PersonFacts(
        p.id,
        frozenset("improvement_champion" if r == "ic" else r for r in p.roles),
        tuple(training),
        leaves_on=date(2027, 8, 31) if p.id in leaving else None,
    )


def test_placing_the_suggested_shadows_closes_it_in_next_years_schedule() -> None:
    """Six schools, teams of a lead and one reviewer, two reviews a person a year, reviewer
    training hard: 3 leads and 3 more reviewers wanted. This year 3 trained leads and 4
    trained reviewers, 3 of whom leave in August; the rest of the reviewers in training. The
    forecast says 2 reviewers short and suggests two of those in training; placed as shadows
    this year (the solver puts them first once they need the experience) and trained, next
    year's schedule (the same calendar, standing for next year's) is found and passes the
    checker, where without them there is none."""
    policy = sm.Policy(reviewers_per_team=1, max_reviews_per_year=2, reviewer_training="hard")
    base = synthetic.partnership(1, 6, policy)
    base = dataclasses.replace(
        base,
        conflicts=(),
        history=(),
        people=tuple(dataclasses.replace(p, unavailable=frozenset()) for p in base.people),
    )
    others = sorted(p.id for p in base.people if p.can_review and not p.trained_lead)
    staying, leaving = set(others[:1]), set(others[1:4])
    trained = staying | leaving
    people = [
        dataclasses.replace(
            p,
            trained_reviewer=p.trained_lead or p.id in trained,
            learner=p.can_review and not p.trained_lead and p.id not in trained,
            needs_experience=False,
        )
        for p in base.people
    ]
    rules = Policy(
        reviewers_per_team=1,
        max_reviews_per_person_per_year=2,
        training={"lead_reviewer": "hard", "reviewer": "hard", "improvement_champion": "hard"},
    )
    seen = forecast(
        [_facts_of(p, leaving) for p in people],
        reviews=6,
        policy=rules,
        year=NEXT,
        today=date(2026, 9, 1),
        reviews_this_year=6,
    )
    assert [(r.need, r.pool, r.shortfall) for r in seen.roles] == [(3, 3, 0), (3, 1, 2), (2, 4, 0)]
    assert seen.roles[1].leaving == 3
    suggested = set(seen.places.shadows)
    assert len(suggested) == 2
    assert suggested <= set(others) - trained
    assert seen.places.shadows_per_review == 1
    assert seen.places.closes

    # this year: the suggested shadows placed (they need the experience before next year)
    people = [dataclasses.replace(p, needs_experience=p.id in suggested) for p in people]
    this_year = dataclasses.replace(
        base,
        people=tuple(people),
        policy=dataclasses.replace(policy, shadows_per_review=seen.places.shadows_per_review),
    )
    placed = cpsat.solve(this_year, FAST).schedule
    assert placed is not None
    assert checker.check(this_year, placed) == []
    assert suggested <= {s for a in placed.assignments for s in a.shadows}

    # next year, the leavers gone: no schedule as things stand ...
    stay = [p for p in people if p.id not in leaving]
    assert cpsat.solve(dataclasses.replace(base, people=tuple(stay)), FAST).schedule is None
    # ... and one once the shadows are trained, with nothing short in the forecast
    after = [
        dataclasses.replace(p, trained_reviewer=True, learner=False, needs_experience=False)
        if p.id in suggested
        else p
        for p in stay
    ]
    next_year = dataclasses.replace(base, people=tuple(after))
    found = cpsat.solve(next_year, FAST).schedule
    assert found is not None
    assert checker.check(next_year, found) == []
    again = forecast(
        [_facts_of(p, set()) for p in after],
        reviews=6,
        policy=rules,
        year=NEXT,
        today=date(2026, 9, 1),
        reviews_this_year=6,
    )
    assert [r.shortfall for r in again.roles] == [0, 0, 0]
