"""From a loaded :class:`~scheduling.planning.kernel.context.Context` to the solver's ``Problem``
(pure functions: no database).

Solver ids are strings: partnerships by their id, people by theirs. A person's home school is
the first school they have a role at (their other schools are hard conflicts), their
partnership that school's; a trained lead holds lead-reviewer training completed by the first
day of the year's first half-term and not expiring before its last (reviewer and IC training
likewise; the policy says whether each is required); an IC (and an assistant IC) is appointed
for the cycle's academic year; a person in training (who may shadow) holds a reviewing role
without valid reviewer training or has not yet been on a team; a person is experienced once
they were on a published team in an earlier year or hold lead-reviewer training. Policy
weights are scaled so that the API's defaults are the solver's tuned defaults.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from contracts.directory import Phase as DirectoryPhase
from contracts.directory import SchoolStatus
from scheduling.directory.cycle.models import Mode
from scheduling.directory.cycle.schemas import Policy as PolicyDoc
from scheduling.directory.person.models import Person as PersonRow
from scheduling.directory.person.models import RoleKind, Severity, TrainingKind
from scheduling.planning.kernel.context import Context, CycleInfo, year_start
from scheduling.planning.kernel.plans import assignment_of_draft, assignment_of_review
from scheduling.planning.solver import problem_types as sm

ALL_PHASES = frozenset(p.value for p in DirectoryPhase)
_TERM_OF = {"autumn": "autumn", "spring": "spring", "summer": "summer"}
# The solver's tuned default weight per API default weight (see the module docstring).
_WEIGHT_SCALE = {
    "expertise_match": ("expertise", 10 / 5),
    "given_close_to_received": ("balance", 3 / 2),
    "preferred_half_term": ("preferred_half_term", 20 / 3),
    "spread_through_year": ("spread", 5 / 2),
    "experience_mix": ("pairing", 8 / 2),
    "travel": ("travel_per_10km", 1 / 1),
    "untrained": ("untrained", 30 / 5),
    "empty_trainee_place": ("shadow_place", 2 / 1),
}


@dataclass
class Built:
    """A problem, the data issues that stop it being solved, and where each school sits."""

    problem: sm.Problem
    issues: list[sm.Explanation] = field(default_factory=list)
    free: set[int] = field(default_factory=set)  # the URNs to place
    cycle_of: dict[int, CycleInfo] = field(default_factory=dict)  # every URN in the problem
    current: dict[int, sm.Assignment] = field(default_factory=dict)  # published reviews


def solver_policy(doc: PolicyDoc) -> sm.Policy:
    m = doc.milestones
    weights: dict[str, Any] = {}
    for name, (solver_name, scale) in _WEIGHT_SCALE.items():
        weights[solver_name] = round(getattr(doc.weights, name) * scale)
    return sm.Policy(
        reviewers_per_team=doc.team.reviewers,
        max_reviews_per_term=doc.limits.max_reviews_per_person_per_term,
        max_reviews_per_year=doc.limits.max_reviews_per_person_per_year,
        max_reviews_per_person_per_week=doc.limits.max_reviews_per_person_per_week,
        max_ic_per_year=doc.limits.max_workshops_per_champion_per_year,
        allowed_modes=frozenset(mode.value for mode in doc.modes),
        max_distance_km=doc.max_distance_km,
        max_reviews_per_week=doc.limits.max_reviews_per_week,
        reciprocal_pairs_allowed=doc.reciprocal_pairs_allowed,
        rotation_cycles=doc.rotation_cycles,
        cross_partnership=doc.cross_partnership_reviewers,
        lead_training=doc.training.lead_reviewer,
        reviewer_training=doc.training.reviewer,
        ic_training=doc.training.improvement_champion,
        shadows_per_review=doc.trainees.shadows_per_review,
        max_shadowing_per_year=doc.trainees.max_shadowing_per_person_per_year,
        assistant_ic=doc.trainees.assistant_ic,
        max_assisting_per_year=doc.trainees.max_assisting_per_person_per_year,
        milestones=sm.Milestones(
            self_review_due=-m.self_review_due,
            pre_review=-m.pre_review_meeting,
            report_due=m.report_due,
            workshop_from=m.workshop_window_start,
            workshop_to=m.workshop_window_end,
            progress_review_days=m.ninety_day_review,
        ),
        weights=sm.Weights(**weights),
    )


def _half_terms(rows: list[dict[str, Any]]) -> tuple[sm.HalfTerm, ...]:
    out = []
    for row in rows:
        code = str(row["half_term"])
        out.append(
            sm.HalfTerm(
                code,
                _TERM_OF[code.rstrip("12")],
                date.fromisoformat(row["starts_on"]),
                date.fromisoformat(row["ends_on"]),
            )
        )
    return tuple(out)


def _blackouts(rows: list[dict[str, Any]]) -> tuple[sm.Blackout, ...]:
    return tuple(
        sm.Blackout(
            date.fromisoformat(row["starts_on"]),
            date.fromisoformat(row["ends_on"]),
            frozenset(row["phases"]) if row.get("phases") else ALL_PHASES,
            row.get("reason") or "blackout",
        )
        for row in rows
    )


def calendar_of(ctx: Context, urns: set[int]) -> sm.Calendar | None:
    la = ctx.la_calendar
    if la is None:
        return None
    own_terms, own_inset, own_blackouts = {}, {}, {}
    for urn in sorted(urns):
        own = ctx.school_calendars.get(urn)
        if own is None:
            continue
        if own.terms is not None:
            own_terms[urn] = _half_terms(own.terms)
        if own.inset_days:
            own_inset[urn] = frozenset(date.fromisoformat(d) for d in own.inset_days)
        if own.blackouts:
            own_blackouts[urn] = _blackouts(own.blackouts)
    return sm.Calendar(
        half_terms=_half_terms(la.terms),
        inset_days=frozenset(date.fromisoformat(d) for d in la.inset_days),
        school_inset_days=own_inset,
        blackouts=_blackouts(la.blackouts),
        school_half_terms=own_terms,
        school_blackouts=own_blackouts,
    )


def valid_training(row: PersonRow, kind: TrainingKind, first: date, last: date) -> list[date]:
    """When the person completed ``kind`` training valid for the whole year (completed by its
    first day, not expiring before its last)."""
    return [
        t.completed_on
        for t in row.training
        if t.kind is kind
        and t.completed_on <= first
        and (t.expires_on is None or t.expires_on >= last)
    ]


def _dates(starts_on: date, ends_on: date, first: date, last: date) -> set[date]:
    out, d = set(), max(starts_on, first)
    while d <= min(ends_on, last):
        out.add(d)
        d += timedelta(days=1)
    return out


def _person(
    ctx: Context,
    row: PersonRow,
    partnership_of: dict[int, str],
    cal: sm.Calendar,
    experienced: set[uuid.UUID],
) -> tuple[sm.Person, list[sm.Conflict]]:
    pid = str(row.id)
    homes = row.home_urns
    home = homes[0] if homes else None
    part = partnership_of.get(home) if home is not None else None
    if part is None:
        keys = {info.key for info in ctx.cycles.values()}
        part = next(
            (str(r.partnership_id) for r in row.roles if str(r.partnership_id) in keys), None
        )
    roles: set[sm.Role] = set()
    for r in row.roles:
        if r.role is RoleKind.LEAD_REVIEWER:
            roles.add("lead_reviewer")
        elif r.role is RoleKind.REVIEWER:
            roles.add("reviewer")
        elif r.role is RoleKind.IMPROVEMENT_CHAMPION and r.academic_year == ctx.academic_year:
            roles.add("ic")
        elif r.role is RoleKind.ASSISTANT_IC and r.academic_year == ctx.academic_year:
            roles.add("assistant_ic")
    first, last = cal.half_terms[0].start, cal.half_terms[-1].end
    trained = valid_training(row, TrainingKind.LEAD_REVIEWER, first, last)
    reviewer = bool(valid_training(row, TrainingKind.REVIEWER, first, last)) or bool(trained)
    reviewed = row.id in experienced
    can_review = bool(roles & {"reviewer", "lead_reviewer"})
    # in training: reviewer training pending, or no review done yet (a trained lead aside)
    learner = can_review and (not reviewer or (not reviewed and not trained))
    # ... and trained (or in training) by the year's end: next year they review
    ready_next_year = any(
        t.kind is TrainingKind.REVIEWER
        and t.completed_on <= last
        and (t.expires_on is None or t.expires_on > last)
        for t in row.training
    )
    unavailable: set[date] = set()
    for u in row.unavailability:
        unavailable |= _dates(u.starts_on, u.ends_on, first, last)
    person = sm.Person(
        id=pid,
        home_urn=home,
        partnership_id=part,
        roles=frozenset(roles),
        trained_lead_on=max(trained) if trained else None,
        expertise=frozenset(str(c) for c in row.expertise_codes),
        experienced=row.id in experienced or bool(trained),
        unavailable=frozenset(unavailable),
        name=row.name,
        home_location=_location(ctx, home),
        trained_reviewer=reviewer,
        trained_ic=bool(valid_training(row, TrainingKind.IMPROVEMENT_CHAMPION, first, last)),
        learner=learner,
        needs_experience=learner and ready_next_year and not reviewed,
    )
    conflicts = [sm.Conflict(pid, urn, hard=True, reason="works there") for urn in homes[1:]]
    for c in row.conflicts:
        conflicts.append(
            sm.Conflict(
                pid,
                c.urn,
                hard=c.severity is Severity.HARD,
                waived=c.waiver_reason is not None,
                reason=str(c.kind),
            )
        )
    return person, conflicts


def _school(
    ctx: Context, info: CycleInfo, urn: int, mode: str, days: int, focus: list[str]
) -> sm.School:
    row = ctx.schools[urn]
    request = info.requests.get(urn)
    return sm.School(
        urn=urn,
        partnership_id=info.key,
        phase=cast(sm.Phase, str(row.phase)),
        easting=float(row.easting or 0),
        northing=float(row.northing or 0),
        focus=frozenset(focus),
        preferred_half_terms=frozenset(request.preferred_half_terms if request else ()),
        mode=cast(sm.Mode, mode),
        days=cast(Any, days),
    )


def default_mode(policy: PolicyDoc) -> Mode:
    """A school that made no request is reviewed in person if the policy allows it."""
    return Mode.IN_PERSON if Mode.IN_PERSON in policy.modes else policy.modes[0]


def _assemble(
    ctx: Context,
    built: Built,
    schools: list[sm.School],
    fixed: list[sm.Assignment],
) -> Built:
    cal = calendar_of(ctx, {s.urn for s in schools})
    if cal is None:
        built.issues.insert(
            0,
            sm.Explanation(
                "calendar",
                f"LA {ctx.la_code} has no term dates for {ctx.academic_year}: set them with "
                f"PUT /v1/calendars/las/{ctx.la_code}/{ctx.academic_year}",
            ),
        )
        built.problem = sm.Problem(schools=(), people=(), calendar=sm.Calendar(half_terms=()))
        return built
    partnership_of = {s.urn: s.partnership_id for s in schools}
    experienced = {h.person_id for h in ctx.history}
    people, conflicts = [], []
    for row in sorted(ctx.people.values(), key=lambda p: str(p.id)):
        person, theirs = _person(ctx, row, partnership_of, cal, experienced)
        people.append(person)
        conflicts.extend(theirs)
    this_year = year_start(ctx.academic_year)
    history = [
        sm.History(str(h.person_id), h.urn, this_year - year_start(h.academic_year))
        for h in ctx.history
    ]
    policies = {info.key: solver_policy(info.policy) for info in ctx.cycles.values()}
    built.problem = sm.Problem(
        schools=tuple(schools),
        people=tuple(people),
        calendar=cal,
        policies=policies,
        conflicts=tuple(conflicts),
        history=tuple(sorted(history, key=lambda h: (h.person_id, h.urn, h.cycles_ago))),
        fixed=tuple(fixed),
    )
    return built


def _location(ctx: Context, urn: int | None) -> tuple[float, float] | None:
    """Where a school is (easting, northing), if the directory knows."""
    row = ctx.schools.get(urn) if urn is not None else None
    if row is None or row.easting is None or row.northing is None:
        return None
    return float(row.easting), float(row.northing)


def _check_school(ctx: Context, info: CycleInfo, urn: int, mode: str, built: Built) -> bool:
    """Data that stops a school being placed: a second cycle, no location for in person."""
    if urn in built.cycle_of:
        other = built.cycle_of[urn].partnership
        built.issues.append(
            sm.Explanation(
                "membership",
                f"URN {urn} is a member of partnership {other.name} and of "
                f"{info.partnership.name}, both scheduled here: schedule them one at a time",
                urn,
                partnership_id=info.key,
            )
        )
        return False
    row = ctx.schools[urn]
    if mode != "virtual" and (row.easting is None or row.northing is None):
        built.issues.append(
            sm.Explanation(
                "location",
                f"URN {urn} ({row.name}) has no easting/northing in the directory, so the "
                f"distance for a {mode} review cannot be checked: import it from GIAS or ask "
                "for a virtual review",
                urn,
                partnership_id=info.key,
            )
        )
    return True


def generation_problem(
    ctx: Context, free_cycles: set[uuid.UUID], *, left_out: Collection[uuid.UUID] = ()
) -> Built:
    """The job's cycles to place; every other cycle's schedule (draft or published) kept as
    it is, its people's engagements counted. ``left_out``: cycles an LA job could not
    schedule, not in the problem at all (an earlier draft of theirs may be what breaks)."""
    built = Built(sm.Problem((), (), sm.Calendar(())))
    schools: list[sm.School] = []
    fixed: list[sm.Assignment] = []
    for info in sorted(ctx.cycles.values(), key=lambda i: i.key):
        if info.cycle.id in left_out:
            continue
        if info.cycle.id in free_cycles:
            if not info.members:
                built.issues.append(
                    sm.Explanation(
                        "members",
                        f"partnership {info.partnership.name} has no member schools to review",
                        partnership_id=info.key,
                    )
                )
            for urn in info.members:
                if ctx.schools[urn].status is SchoolStatus.CLOSED:
                    continue
                request = info.requests.get(urn)
                mode = str(request.mode if request else default_mode(info.policy))
                if not _check_school(ctx, info, urn, mode, built):
                    continue
                focus = list(request.focus) if request else []
                schools.append(_school(ctx, info, urn, mode, request.days if request else 1, focus))
                built.free.add(urn)
                built.cycle_of[urn] = info
            continue
        for a, focus in _current(info):
            if not _check_school(ctx, info, a.urn, a.mode, built):
                continue
            schools.append(_school(ctx, info, a.urn, a.mode, len(a.dates), focus))
            fixed.append(a)
            built.cycle_of[a.urn] = info
    return _assemble(ctx, built, schools, fixed)


def _current(info: CycleInfo) -> list[tuple[sm.Assignment, list[str]]]:
    """The cycle's reviews as they stand: published rows, else the draft."""
    if info.reviews:
        return [(assignment_of_review(r), list(r.focus)) for r in info.reviews]
    if info.schedule is not None and info.schedule.draft:
        return [(assignment_of_draft(d), list(d["focus"])) for d in info.schedule.draft]
    return []


def published_problem(
    ctx: Context,
    *,
    draft_of: CycleInfo | None = None,
    override: dict[int, sm.Assignment] | None = None,
) -> Built:
    """Every published review of the LA's year as the current schedule (nothing fixed), for
    checking a change (``override``: a review as it would become), a publication
    (``draft_of``: the cycle whose draft joins them) or a repair."""
    built = Built(sm.Problem((), (), sm.Calendar(())))
    schools: list[sm.School] = []
    changed = override or {}
    for info in sorted(ctx.cycles.values(), key=lambda i: i.key):
        current = [
            (changed.get(r.urn) or assignment_of_review(r), list(r.focus)) for r in info.reviews
        ]
        if info is draft_of and not info.reviews and info.schedule is not None:
            current = [(assignment_of_draft(d), list(d["focus"])) for d in info.schedule.draft]
        for a, focus in current:
            if not _check_school(ctx, info, a.urn, a.mode, built):
                continue
            schools.append(_school(ctx, info, a.urn, a.mode, len(a.dates), focus))
            built.current[a.urn] = a
            built.cycle_of[a.urn] = info
    return _assemble(ctx, built, schools, [])
