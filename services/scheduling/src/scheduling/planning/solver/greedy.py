"""The baseline a careful person uses: first school first, first free eligible reviewer.

Schools in URN order; for each, the first week (preferred half-terms first) and day where the
partnership still has room and a trained lead, the reviewers and an IC are free; the first
eligible, free person for each place. Scored by the same objective as CP-SAT (quality.evaluate).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from scheduling.planning.solver import trainees
from scheduling.planning.solver.candidates import (
    Prepared,
    Week,
    available,
    first_milestones,
    prepare,
    review_days,
    week_of,
)
from scheduling.planning.solver.problem_types import Assignment, Explanation, Problem, Schedule
from scheduling.planning.solver.quality import evaluate


def _run(
    pre: Prepared, order: list[int] | None = None
) -> tuple[tuple[Assignment, ...], list[Explanation]]:
    problem = pre.problem
    load = pre.load  # the fixed reviews' share (their days are in the people's unavailable)
    busy: dict[str, set[date]] = defaultdict(set)
    week: Counter[tuple[str, Week]] = Counter(
        {(pid, wk): 1 for pid, weeks in load.weeks.items() for wk in weeks}
    )
    term: Counter[tuple[str, str]] = Counter(load.terms)
    year: Counter[str] = Counter(load.year)
    ic_year: Counter[str] = Counter(load.ic_year)
    weekly: Counter[tuple[str, Week]] = Counter(load.weekly)
    pairs = set(load.pairs)  # (home school of a team member, reviewed school)
    by_urn = {s.urn: s for s in problem.schools}
    out: list[Assignment] = []
    missing: list[Explanation] = []
    for urn in order if order is not None else sorted(pre.schools):
        sc = pre.schools[urn]
        s = sc.school
        pol = problem.policy_for(s.partnership_id)
        slots = sorted(
            sc.slots,
            key=lambda k: (
                bool(s.preferred_half_terms) and k[0] not in s.preferred_half_terms,
                pre.slot_order[k],
            ),
        )
        done = False
        for slot in slots:
            wk = week_of(slot)
            if weekly[(s.partnership_id, wk)] >= pol.max_reviews_per_week:
                continue
            t = pre.half_term_term[slot[0]]
            for d in sc.slots[slot]:
                rd = review_days(sc.days, d, s.days)
                if rd is None:
                    continue

                def free(pid: str, rd: tuple[date, ...] = rd, wk: Week = wk, t: str = t) -> bool:
                    p = pre.people[pid]
                    ppol = problem.policy_for(p.partnership_id)
                    if not available(p, rd) or busy[pid] & set(rd):
                        return False
                    if week[(pid, wk)] >= ppol.max_reviews_per_person_per_week:
                        return False
                    if term[(pid, t)] >= ppol.max_reviews_per_term:
                        return False
                    if year[pid] >= ppol.max_reviews_per_year:
                        return False
                    h = p.home_urn
                    if h is not None and h in by_urn and (urn, h) in pairs:  # noqa: B023
                        other = problem.policy_for(by_urn[h].partnership_id)
                        if not (pol.reciprocal_pairs_allowed and other.reciprocal_pairs_allowed):  # noqa: B023
                            return False
                    return True

                lead = next((p for p in sc.leads if free(p)), None)
                if lead is None:
                    continue
                revs: list[str] = []
                for p in sc.reviewers:
                    if len(revs) == pol.reviewers_per_team:
                        break
                    if p != lead and free(p):
                        revs.append(p)
                if len(revs) < pol.reviewers_per_team:
                    continue
                team = [lead, *revs]
                for ic in sc.ics:
                    if ic in team:
                        continue
                    if (
                        ic_year[ic]
                        >= problem.policy_for(pre.people[ic].partnership_id).max_ic_per_year
                    ):
                        continue
                    ms = first_milestones(
                        sc.days, rd[0], rd[-1], pol.milestones, pre.people[ic], busy[ic] | set(rd)
                    )
                    if ms is None:
                        continue
                    for p in team:
                        busy[p].update(rd)
                        week[(p, wk)] += 1
                        term[(p, t)] += 1
                        year[p] += 1
                        h = pre.people[p].home_urn
                        if h is not None:
                            pairs.add((h, urn))
                    busy[ic].update((ms.workshop, ms.progress_review))
                    ic_year[ic] += 1
                    weekly[(s.partnership_id, wk)] += 1
                    out.append(Assignment(urn, rd, s.mode, lead, tuple(revs), ic, ms))
                    done = True
                    break
                if done:
                    break
            if done:
                break
        if not done:
            missing.append(
                Explanation(
                    "greedy",
                    f"the greedy baseline found no free team, IC and date for URN {urn}",
                    urn,
                    partnership_id=s.partnership_id,
                )
            )
    out.sort(key=lambda a: (a.dates[0], a.urn))
    return tuple(out), missing


def partial(pre: Prepared) -> tuple[Assignment, ...]:
    """What the careful person manages to place (possibly not every school)."""
    return _run(pre)[0]


def complete(pre: Prepared, rounds: int = 8) -> tuple[Assignment, ...]:
    """A schedule placing as many schools as possible, for the CP-SAT hint (not the baseline).

    "Squeaky wheel": run the careful person's pass, then again with the schools it could not
    place moved to the front, until every school is placed or ``rounds`` runs out.
    """
    order = sorted(pre.schools)
    best = _run(pre, order)[0]
    for _ in range(rounds):
        if len(best) == len(pre.schools):
            break
        placed = {a.urn for a in best}
        missing = [u for u in order if u not in placed]
        order = missing + [u for u in order if u in placed]
        out = _run(pre, order)[0]
        if len(out) > len(best):
            best = out
    return best


def solve_prepared(pre: Prepared) -> tuple[Schedule | None, list[Explanation]]:
    assignments, missing = _run(pre)
    if missing:
        return None, missing
    assignments = trainees.place(pre, assignments)
    return Schedule(assignments, evaluate(pre, assignments)), []


def solve(problem: Problem, shortlist: int = 12) -> tuple[Schedule | None, list[Explanation]]:
    return solve_prepared(prepare(problem, shortlist))
