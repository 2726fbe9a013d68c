"""An independent checker of every hard rule over a Schedule and its Problem.

Written from the rules, sharing no code with the CP-SAT model or the candidate pre-filter: it
re-derives school days, milestone offsets, eligibility, training (as each policy holds it),
shadows and assistant ICs (their places, their own limits) and limits on its own. The
problem's fixed reviews (``Problem.fixed``) are part of the schedule checked.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from scheduling.planning.solver.problem_types import Problem, Schedule, travel_km


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: int | None
    person_id: str | None
    detail: str


def _is_school_day(problem: Problem, d: date, urn: int, phase: str) -> bool:
    cal = problem.calendar
    own_terms = cal.school_half_terms.get(urn)
    terms = own_terms if own_terms is not None else cal.half_terms
    if d.weekday() > 4 or not any(h.start <= d <= h.end for h in terms):
        return False
    if d in cal.closures or d in cal.school_inset_days.get(urn, ()):
        return False
    if own_terms is None and d in cal.inset_days:
        return False
    blackouts = (*cal.blackouts, *cal.school_blackouts.get(urn, ()))
    return not any(b.start <= d <= b.end and phase in b.phases for b in blackouts)


def _count_school_days(problem: Problem, a: date, b: date, urn: int, phase: str) -> int:
    """Signed number of school days from a to b (b counted, a not)."""
    sign = 1 if b >= a else -1
    lo, hi = (a, b) if b >= a else (b, a)
    n, d = 0, lo + timedelta(days=1)
    while d <= hi:
        n += _is_school_day(problem, d, urn, phase)
        d += timedelta(days=1)
    return sign * n


def check(problem: Problem, schedule: Schedule) -> list[Violation]:
    v: list[Violation] = []
    schools = {s.urn: s for s in problem.schools}
    people = {p.id: p for p in problem.people}
    conflicts = {(c.person_id, c.urn): c for c in problem.conflicts}
    assignments = (*problem.fixed, *schedule.assignments)
    history: dict[tuple[str, int], list[int]] = defaultdict(list)
    for h in problem.history:
        history[(h.person_id, h.urn)].append(h.cycles_ago)
    seen: Counter[int] = Counter(a.urn for a in assignments)
    for sch in problem.schools:
        if seen[sch.urn] != 1:
            v.append(Violation("review_once", sch.urn, None, f"reviewed {seen[sch.urn]} times"))
    engaged: dict[tuple[str, date], list[int]] = defaultdict(list)
    per_term: Counter[tuple[str, str]] = Counter()
    per_year: Counter[str] = Counter()
    ic_year: Counter[str] = Counter()
    weekly: Counter[tuple[str, int, int]] = Counter()
    per_week: Counter[tuple[str, int, int]] = Counter()
    direction: set[tuple[int, int]] = set()
    own_places: Counter[tuple[str, str]] = Counter()  # (shadow | assistant, person)
    for a in assignments:
        s = schools.get(a.urn)
        if s is None:
            v.append(Violation("unknown_school", a.urn, None, "not in the problem"))
            continue
        pol = problem.policy_for(s.partnership_id)
        m = pol.milestones
        if len(a.dates) != s.days or sorted(set(a.dates)) != list(a.dates):
            v.append(Violation("days", a.urn, None, f"{len(a.dates)} days, {s.days} requested"))
        for d in a.dates:
            if not _is_school_day(problem, d, s.urn, s.phase):
                v.append(Violation("school_day", a.urn, None, f"{d} is not a school day"))
        if (
            len(a.dates) == 2
            and _count_school_days(problem, a.dates[0], a.dates[1], s.urn, s.phase) != 1
        ):
            v.append(Violation("days", a.urn, None, "two review days are not consecutive"))
        if a.mode != s.mode or a.mode not in pol.allowed_modes:
            v.append(Violation("mode", a.urn, None, f"mode {a.mode}"))
        first, last = a.dates[0], a.dates[-1]
        ms = a.milestones
        expect = [
            ("self_review_due", ms.self_review_due, first, m.self_review_due),
            ("pre_review", ms.pre_review, first, m.pre_review),
            ("report_due", ms.report_due, last, m.report_due),
        ]
        for name, d, base, off in expect:
            if not _is_school_day(problem, d, s.urn, s.phase):
                v.append(Violation("milestone", a.urn, None, f"{name} {d} is not a school day"))
            elif _count_school_days(problem, base, d, s.urn, s.phase) != off:
                v.append(Violation("milestone", a.urn, None, f"{name} {d} is not {off} days"))
        if not _is_school_day(problem, ms.workshop, s.urn, s.phase):
            v.append(Violation("milestone", a.urn, None, "workshop is not a school day"))
        else:
            k = _count_school_days(problem, last, ms.workshop, s.urn, s.phase)
            if not m.workshop_from <= k <= m.workshop_to:
                v.append(Violation("milestone", a.urn, None, f"workshop {k} school days after"))
        gap = (ms.progress_review - ms.workshop).days
        if not _is_school_day(problem, ms.progress_review, s.urn, s.phase) or not (
            m.progress_review_days <= gap <= m.progress_review_days + m.progress_review_slack_days
        ):
            v.append(Violation("milestone", a.urn, None, f"90-day review {ms.progress_review}"))
        # the team
        lead = people.get(a.lead)
        if lead is None or "lead_reviewer" not in lead.roles:
            v.append(Violation("trained_lead", a.urn, a.lead, "lead is not a lead reviewer"))
        elif pol.lead_training == "hard" and lead.trained_lead_on is None:
            v.append(
                Violation("trained_lead", a.urn, a.lead, "lead is not a trained lead reviewer")
            )
        for pid in a.reviewers:
            r = people.get(pid)
            if (
                r is not None
                and pol.reviewer_training == "hard"
                and not r.trained_reviewer
                and r.trained_lead_on is None
            ):
                v.append(Violation("trained_reviewer", a.urn, pid, "no valid reviewer training"))
        # shadows and the assistant IC: their own places, beside the team and the IC
        if len(a.shadows) > pol.shadows_per_review:
            detail = f"{len(a.shadows)} shadows, {pol.shadows_per_review} places"
            v.append(Violation("shadow_places", a.urn, None, detail))
        if a.assistant_ic is not None and not pol.assistant_ic:
            detail = "the policy has no assistant IC place"
            v.append(Violation("assistant_ic_place", a.urn, a.assistant_ic, detail))
        everyone = [*a.team, a.ic, *a.shadows, *([a.assistant_ic] if a.assistant_ic else [])]
        if len(set(everyone)) != len(everyone):
            v.append(Violation("one_role", a.urn, None, "a person holds two places on a review"))
        if len(a.reviewers) != pol.reviewers_per_team or len(set(a.team)) != len(a.team):
            v.append(Violation("team_size", a.urn, None, f"{len(a.reviewers)} reviewers"))
        ic = people.get(a.ic)
        if ic is None or "ic" not in ic.roles:
            v.append(Violation("ic_role", a.urn, a.ic, "not an Improvement Champion"))
        elif pol.ic_training == "hard" and not ic.trained_ic:
            v.append(Violation("trained_ic", a.urn, a.ic, "no valid Improvement Champion training"))
        if ic is not None and ic.home_urn == a.urn:
            v.append(Violation("ic_other_school", a.urn, a.ic, "IC from the reviewed school"))
        if a.ic in a.team:
            v.append(Violation("ic_not_on_team", a.urn, a.ic, "IC is on the review team"))
        places = [("team", x) for x in a.team] + [("ic", a.ic)]
        places += [("shadow", x) for x in a.shadows]
        if a.assistant_ic is not None:
            places.append(("assistant", a.assistant_ic))
        for role, pid in places:
            p = people.get(pid)
            if p is None:
                v.append(Violation("unknown_person", a.urn, pid, "not in the problem"))
                continue
            if role == "team" and not ({"reviewer", "lead_reviewer"} & p.roles):
                v.append(Violation("reviewer_role", a.urn, pid, "not a reviewer"))
            if role == "shadow" and not p.learner:
                v.append(Violation("shadow_in_training", a.urn, pid, "not in training"))
            if role == "assistant" and "assistant_ic" not in p.roles:
                v.append(Violation("assistant_ic_role", a.urn, pid, "not an assistant IC"))
            if p.home_urn == a.urn:
                v.append(Violation("own_school", a.urn, pid, "reviews their own school"))
            c = conflicts.get((pid, a.urn))
            if c is not None and (c.hard or not c.waived):
                v.append(Violation("conflict", a.urn, pid, "conflict of interest"))
            if p.partnership_id != s.partnership_id and not pol.cross_partnership:
                v.append(Violation("cross_partnership", a.urn, pid, "from another partnership"))
            for ago in history.get((pid, a.urn), ()):
                if role == "team" and ago <= pol.rotation_cycles:
                    v.append(Violation("rotation", a.urn, pid, f"{ago} cycles ago"))
            if a.mode != "virtual":
                km = travel_km(p, s, schools)
                if km is None:
                    km = math.inf
                if km > pol.max_distance_km:
                    v.append(Violation("distance", a.urn, pid, f"{km:.1f} km"))
            days = a.dates if role in ("team", "shadow") else (ms.workshop, ms.progress_review)
            for d in days:
                if d in p.unavailable:
                    v.append(Violation("availability", a.urn, pid, f"unavailable on {d}"))
                engaged[(pid, d)].append(a.urn)
            if role == "team":
                terms = problem.calendar.school_half_terms.get(a.urn, problem.calendar.half_terms)
                ht = next((h for h in terms if h.start <= first <= h.end), None)
                if ht is not None:  # else already a school_day violation
                    per_term[(pid, ht.term)] += 1
                per_year[pid] += 1
                iso = first.isocalendar()
                per_week[(pid, iso[0], iso[1])] += 1
                if p.home_urn is not None:
                    direction.add((p.home_urn, a.urn))
            elif role == "ic":
                ic_year[pid] += 1
            else:
                own_places[(role, pid)] += 1
        iso = first.isocalendar()
        weekly[(s.partnership_id, iso[0], iso[1])] += 1
    for (pid, d), urns in engaged.items():
        if len(urns) > 1:
            v.append(Violation("one_per_day", urns[0], pid, f"{len(urns)} engagements on {d}"))
    for (pid, term), n in per_term.items():
        if n > problem.policy_for(people[pid].partnership_id).max_reviews_per_term:
            v.append(Violation("per_term", None, pid, f"{n} reviews in {term}"))
    for pid, n in per_year.items():
        if n > problem.policy_for(people[pid].partnership_id).max_reviews_per_year:
            v.append(Violation("per_year", None, pid, f"{n} reviews in the year"))
    for (pid, _y, wk), n in per_week.items():
        if n > problem.policy_for(people[pid].partnership_id).max_reviews_per_person_per_week:
            v.append(Violation("per_week", None, pid, f"{n} reviews in week {wk}"))
    for pid, n in ic_year.items():
        if n > problem.policy_for(people[pid].partnership_id).max_ic_per_year:
            v.append(Violation("ic_per_year", None, pid, f"{n} workshops"))
    for (role, pid), n in own_places.items():
        ppol = problem.policy_for(people[pid].partnership_id)
        cap = ppol.max_shadowing_per_year if role == "shadow" else ppol.max_assisting_per_year
        if n > cap:
            v.append(Violation(f"{role}_per_year", None, pid, f"{n} places as {role}"))
    for (part, _y, wk), n in weekly.items():
        if n > problem.policy_for(part).max_reviews_per_week:
            v.append(Violation("weekly_capacity", None, None, f"{part}: {n} in week {wk}"))
    for a_urn, b_urn in direction:
        if (b_urn, a_urn) in direction and a_urn in schools and b_urn in schools:
            pa = problem.policy_for(schools[a_urn].partnership_id)
            pb = problem.policy_for(schools[b_urn].partnership_id)
            if not (pa.reciprocal_pairs_allowed and pb.reciprocal_pairs_allowed):
                v.append(Violation("reciprocity", a_urn, None, f"reciprocal with {b_urn}"))
    return v
