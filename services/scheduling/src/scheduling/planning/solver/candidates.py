"""What the solvers may choose from: candidate review slots and days per school (calendar,
milestones), and the eligible shortlists of leads, reviewers and ICs per school.

Shared by the CP-SAT model, the greedy baseline and the explanations; the checker does not use it.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduling.planning.solver.problem_types import (
    MilestoneDates,
    Milestones,
    Person,
    Policy,
    Problem,
    School,
    distance_km,
    travel_km,
)

Slot = tuple[str, int, int]  # (half-term code, ISO year, ISO week): a week inside one half-term
Week = tuple[int, int]  # (ISO year, ISO week)


def week_of(slot: Slot) -> Week:
    return slot[1], slot[2]


@dataclass
class SchoolCandidates:
    school: School
    days: tuple[date, ...]  # the school's school days
    slots: dict[Slot, list[date]]  # candidate first review days, every milestone feasible
    leads: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    ics: list[str] = field(default_factory=list)
    shadows: list[str] = field(default_factory=list)  # people in training who may shadow
    assistants: list[str] = field(default_factory=list)  # assistant ICs
    excluded: dict[str, str] = field(default_factory=dict)  # person id -> why not eligible


@dataclass
class FixedLoad:
    """What the fixed reviews (``Problem.fixed``) already take of each limit. Their days are
    folded into the people's unavailable dates in ``Prepared.people``."""

    weeks: dict[str, set[Week]] = field(default_factory=lambda: defaultdict(set))
    terms: Counter[tuple[str, str]] = field(default_factory=Counter)  # (person, term)
    year: Counter[str] = field(default_factory=Counter)
    ic_year: Counter[str] = field(default_factory=Counter)
    weekly: Counter[tuple[str, Week]] = field(default_factory=Counter)  # (partnership, week)
    pairs: set[tuple[int, int]] = field(default_factory=set)  # (home of a member, reviewed)
    given: Counter[int] = field(default_factory=Counter)  # team places given per home school
    shadowing: Counter[str] = field(default_factory=Counter)  # shadow places per person
    assisting: Counter[str] = field(default_factory=Counter)  # assistant-IC places per person


@dataclass
class Prepared:
    problem: Problem
    people: dict[str, Person]  # with the fixed reviews' days as unavailable
    schools: dict[int, SchoolCandidates]  # the schools to place (not the fixed ones)
    slot_order: dict[Slot, int]  # chronological
    term_order: dict[str, int]
    half_term_term: dict[str, str]
    week_index: dict[Week, int] = field(default_factory=dict)  # chronological ISO weeks
    load: FixedLoad = field(default_factory=FixedLoad)

    def week(self, slot: Slot) -> int:
        return self.week_index[week_of(slot)]


def review_days(days: tuple[date, ...], start: date, n: int) -> tuple[date, ...] | None:
    i = bisect.bisect_left(days, start)
    if i + n > len(days) or days[i] != start:
        return None
    out = days[i : i + n]
    # two-day reviews are on consecutive school days of one week
    if n == 2 and (out[1] - out[0]).days > 3:
        return None
    return out


def milestone_options(
    days: tuple[date, ...], first: date, last: date, m: Milestones
) -> tuple[date, date, date, list[tuple[date, list[date]]]] | None:
    """(self-review due, pre-review, report due, [(workshop, [progress review days])]) or None."""
    i = bisect.bisect_left(days, first)
    j = bisect.bisect_left(days, last)
    if i + m.self_review_due < 0 or i + m.pre_review < 0 or j + m.report_due >= len(days):
        return None
    workshops: list[tuple[date, list[date]]] = []
    for k in range(j + m.workshop_from, min(j + m.workshop_to, len(days) - 1) + 1):
        w = days[k]
        lo = w + timedelta(days=m.progress_review_days)
        hi = lo + timedelta(days=m.progress_review_slack_days)
        a = bisect.bisect_left(days, lo)
        b = bisect.bisect_right(days, hi)
        if a < b:
            workshops.append((w, list(days[a:b])))
    if not workshops:
        return None
    return days[i + m.self_review_due], days[i + m.pre_review], days[j + m.report_due], workshops


def _milestone_starts(days: tuple[date, ...], n: int, m: Milestones) -> list[bool]:
    """For each school day: can a review of ``n`` days start there with every milestone?"""
    size = len(days)
    progress = []
    for d in days:
        lo = d + timedelta(days=m.progress_review_days)
        hi = lo + timedelta(days=m.progress_review_slack_days)
        progress.append(bisect.bisect_left(days, lo) < bisect.bisect_right(days, hi))
    prefix = [0]
    for flag in progress:
        prefix.append(prefix[-1] + flag)
    out = []
    for i in range(size):
        j = i + n - 1
        if j >= size or (n == 2 and (days[j] - days[i]).days > 3):
            out.append(False)
            continue
        if i + m.self_review_due < 0 or i + m.pre_review < 0 or j + m.report_due >= size:
            out.append(False)
            continue
        first, last = j + m.workshop_from, min(j + m.workshop_to, size - 1)
        out.append(first <= last and prefix[last + 1] > prefix[first])
    return out


def travel_cost(km: float, per_10km: int) -> int:
    return round(per_10km * km / 10.0)


def fixed_load(problem: Problem) -> tuple[FixedLoad, dict[str, set[date]]]:
    """The limits the fixed reviews take, and the days they keep each person busy."""
    load = FixedLoad()
    busy: dict[str, set[date]] = defaultdict(set)
    by_urn = {s.urn: s for s in problem.schools}
    people = {p.id: p for p in problem.people}
    for a in problem.fixed:
        s = by_urn.get(a.urn)
        if s is None:
            continue
        iso = a.dates[0].isocalendar()
        week = (iso[0], iso[1])
        ht = problem.calendar.half_term_of(a.dates[0], a.urn)
        load.weekly[(s.partnership_id, week)] += 1
        for pid in a.team:
            busy[pid].update(a.dates)
            load.weeks[pid].add(week)
            if ht is not None:
                load.terms[(pid, ht.term)] += 1
            load.year[pid] += 1
            p = people.get(pid)
            if p is not None and p.home_urn is not None:
                load.pairs.add((p.home_urn, a.urn))
                load.given[p.home_urn] += 1
        busy[a.ic].update((a.milestones.workshop, a.milestones.progress_review))
        load.ic_year[a.ic] += 1
        for pid in a.shadows:
            busy[pid].update(a.dates)
            load.shadowing[pid] += 1
        if a.assistant_ic is not None:
            busy[a.assistant_ic].update((a.milestones.workshop, a.milestones.progress_review))
            load.assisting[a.assistant_ic] += 1
    return load, busy


def prepare(problem: Problem, shortlist: int = 12) -> Prepared:
    cal = problem.calendar
    load, busy = fixed_load(problem)
    people = {
        p.id: dataclasses.replace(p, unavailable=p.unavailable | busy[p.id]) if p.id in busy else p
        for p in problem.people
    }
    by_urn = {s.urn: s for s in problem.schools}
    kept = {a.urn for a in problem.fixed}
    hard: set[tuple[str, int]] = set()
    soft_unwaived: set[tuple[str, int]] = set()
    for c in problem.conflicts:
        if c.hard:
            hard.add((c.person_id, c.urn))
        elif not c.waived:
            soft_unwaived.add((c.person_id, c.urn))
    recent: dict[tuple[str, int], int] = {}
    for h in problem.history:
        key = (h.person_id, h.urn)
        recent[key] = min(recent.get(key, h.cycles_ago), h.cycles_ago)

    slot_dates: dict[Slot, date] = {}
    every_half_term = [*cal.half_terms, *(h for hs in cal.school_half_terms.values() for h in hs)]
    half_term_term = {ht.code: ht.term for ht in every_half_term}
    terms: list[str] = []
    for ht in sorted(every_half_term, key=lambda h: h.start):
        if ht.term not in terms:
            terms.append(ht.term)
    people_at: dict[int | None, list[Person]] = defaultdict(list)
    for p in people.values():
        people_at[p.home_urn].append(p)
    members: dict[str, list[Person]] = defaultdict(list)
    for p in people.values():
        if p.partnership_id is not None:
            members[p.partnership_id].append(p)
    out: dict[int, SchoolCandidates] = {}
    phase_days: dict[str, tuple[date, ...]] = {}
    slot_of: dict[date, Slot] = {}  # for the schools on the LA's half-terms
    for s in problem.schools:
        if s.urn in kept:
            continue
        pol = problem.policy_for(s.partnership_id)
        own_dates = cal.has_own_dates(s.urn)
        if own_dates:
            days = cal.school_days(s.urn, s.phase)
        else:
            if s.phase not in phase_days:
                phase_days[s.phase] = cal.school_days(-1, s.phase)
            own = cal.school_inset_days.get(s.urn, frozenset())
            days = tuple(d for d in phase_days[s.phase] if d not in own)
        ok = _milestone_starts(days, s.days, pol.milestones)
        slots: dict[Slot, list[date]] = defaultdict(list)
        for i, d in enumerate(days):
            if not ok[i]:
                continue
            slot = slot_of.get(d) if not own_dates else None
            if slot is None:
                half = cal.half_term_of(d, s.urn)
                assert half is not None
                iso = d.isocalendar()
                slot = (half.code, iso[0], iso[1])
                if not own_dates:
                    slot_of[d] = slot
            slots[slot].append(d)
            slot_dates.setdefault(slot, d)
        sc = SchoolCandidates(s, days, dict(slots))

        def consider(
            p: Person, km: float | None, sc: SchoolCandidates = sc, pol: Policy = pol
        ) -> bool:
            s = sc.school
            why = _ineligible(p, s, pol.rotation_cycles, hard, soft_unwaived, recent)
            if why is None and s.mode != "virtual":
                if km is None:
                    why = "no home school within reach for an in-person review"
                elif km > pol.max_distance_km:
                    why = f"{km:.0f} km away (more than {pol.max_distance_km:.0f} km)"
            if why is not None:
                sc.excluded[p.id] = why
                return False
            untrained = _untrained(p, pol)
            if untrained:  # a role the policy holds to training it has not got (for now)
                sc.excluded[p.id] = untrained
            if p.may_lead(pol.lead_training):
                sc.leads.append(p.id)
            if p.may_review(pol.reviewer_training):
                sc.reviewers.append(p.id)
            if p.may_champion(pol.ic_training):
                sc.ics.append(p.id)
            if p.learner and pol.shadows_per_review:
                sc.shadows.append(p.id)
            if p.can_assist and pol.assistant_ic:
                sc.assistants.append(p.id)
            return True

        for p in members[s.partnership_id]:
            consider(p, travel_km(p, s, by_urn))
        if pol.cross_partnership:
            taken = 0
            if s.mode == "virtual":
                for p in people_at[None]:
                    if p.partnership_id != s.partnership_id and taken < shortlist:
                        taken += consider(p, None)
            near = sorted(
                (distance_km(o.easting, o.northing, s.easting, s.northing), o.urn)
                for o in problem.schools
                if o.partnership_id != s.partnership_id
            )
            for km, urn in near:
                if taken >= shortlist or (s.mode != "virtual" and km > pol.max_distance_km):
                    break
                for p in people_at[urn]:
                    if p.partnership_id != s.partnership_id and taken < shortlist:
                        taken += consider(p, km)
        out[s.urn] = sc
    chronological = sorted(slot_dates, key=lambda k: (slot_dates[k], k))
    order = {slot: i for i, slot in enumerate(chronological)}
    weeks = {w: i for i, w in enumerate(sorted({week_of(k) for k in chronological}))}
    return Prepared(
        problem,
        people,
        out,
        order,
        {t: i for i, t in enumerate(terms)},
        half_term_term,
        weeks,
        load,
    )


def _untrained(p: Person, pol: Policy) -> str | None:
    """Why the policy keeps ``p`` out of a role they hold (no valid training), if it does."""
    if "lead_reviewer" in p.roles and not p.may_lead(pol.lead_training):
        return "no valid lead-reviewer training"
    if p.can_review and not p.may_review(pol.reviewer_training):
        return "no valid reviewer training"
    if p.can_champion and not p.may_champion(pol.ic_training):
        return "no valid Improvement Champion training"
    return None


def _ineligible(
    p: Person,
    s: School,
    rotation: int,
    hard: set[tuple[str, int]],
    soft_unwaived: set[tuple[str, int]],
    recent: dict[tuple[str, int], int],
) -> str | None:
    if p.home_urn == s.urn:
        return "own school"
    if (p.id, s.urn) in hard:
        return "hard conflict of interest"
    if (p.id, s.urn) in soft_unwaived:
        return "soft conflict of interest not waived"
    ago = recent.get((p.id, s.urn))
    if ago is not None and ago <= rotation:
        return f"reviewed this school {ago} cycle(s) ago (rotation {rotation})"
    return None


def available(p: Person, days: tuple[date, ...]) -> bool:
    return not any(d in p.unavailable for d in days)


def soft_conflicts_used(problem: Problem) -> set[tuple[str, int]]:
    return {(c.person_id, c.urn) for c in problem.conflicts if not c.hard and c.waived}


def first_milestones(
    days: tuple[date, ...],
    first: date,
    last: date,
    m: Milestones,
    ic: Person,
    busy: set[date],
) -> MilestoneDates | None:
    """The earliest workshop and progress review the IC can do, or None."""
    opts = milestone_options(days, first, last, m)
    if opts is None:
        return None
    self_review, pre, report, workshops = opts
    for w, progress in workshops:
        if w in ic.unavailable or w in busy:
            continue
        for pr in progress:
            if pr not in ic.unavailable and pr not in busy and pr != w:
                return MilestoneDates(self_review, pre, report, w, pr)
    return None


def milestones_keeping(
    days: tuple[date, ...],
    first: date,
    last: date,
    m: Milestones,
    ic: Person,
    busy: set[date],
    previous: MilestoneDates | None,
) -> MilestoneDates | None:
    """As :func:`first_milestones`, but the previous workshop and 90-day review are kept when
    they still fit (a repair moves only what it must)."""
    if previous is not None:
        opts = milestone_options(days, first, last, m)
        if opts is not None:
            self_review, pre, report, workshops = opts
            w, pr = previous.workshop, previous.progress_review
            for workshop, progress in workshops:
                if (
                    workshop == w
                    and pr in progress
                    and pr != w
                    and not ({w, pr} & (set(ic.unavailable) | busy))
                ):
                    return MilestoneDates(self_review, pre, report, w, pr)
    return first_milestones(days, first, last, m, ic, busy)
