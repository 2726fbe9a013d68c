"""The steps shared by the whole-model solve and the one-partnership-at-a-time search: hints
from a schedule, a bounded solve of a (sub)model, and step 2, the exact days."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date

from ortools.sat.python import cp_model

from scheduling.planning.solver.candidates import (
    Prepared,
    Slot,
    available,
    milestones_keeping,
    review_days,
)
from scheduling.planning.solver.cpmodel import Model, build
from scheduling.planning.solver.options import Clock
from scheduling.planning.solver.problem_types import Assignment


def neighbourhood(pre: Prepared, urns: list[int], free: set[str] | None) -> Prepared:
    """The schools ``urns`` with only the ``free`` people (all candidates if None)."""
    sub_schools = {}
    for urn in urns:
        sc = pre.schools[urn]
        if free is None:
            sub_schools[urn] = sc
            continue
        sub_schools[urn] = dataclasses.replace(
            sc,
            leads=[p for p in sc.leads if p in free],
            reviewers=[p for p in sc.reviewers if p in free],
            ics=[p for p in sc.ics if p in free],
        )
    return dataclasses.replace(pre, schools=sub_schools)


def hint_from(
    pre: Prepared, mm: Model, assignments: tuple[Assignment, ...]
) -> dict[cp_model.IntVar, int]:
    hint: dict[cp_model.IntVar, int] = {}
    for a in assignments:
        sc = pre.schools.get(a.urn)
        if sc is None:
            continue
        slot = next((k for k, v in sc.slots.items() if a.dates[0] in v), None)
        if slot is not None:
            for k, v in mm.y[a.urn].items():
                hint[v] = int(k == slot)
        for p in sc.leads:
            hint[mm.lead[(a.urn, p)]] = int(p == a.lead)
        for p in sc.reviewers:
            hint[mm.rev[(a.urn, p)]] = int(p in a.reviewers)
        for p in sc.ics:
            hint[mm.ic[(a.urn, p)]] = int(p == a.ic)
    return hint


def sub_solve(
    sub: Prepared,
    hint: tuple[Assignment, ...],
    clock: Clock,
    budget: float,
    fixed_given: dict[int, int] | None = None,
) -> tuple[Model, cp_model.CpSolver, cp_model.CpSolverStatus]:
    mm = build(sub, fixed_given=fixed_given)
    for v, val in hint_from(sub, mm, hint).items():
        mm.m.add_hint(v, val)
    solver = clock.solver(max(0.05, budget))
    solver.parameters.cp_model_presolve = False  # small models: presolve costs more than it saves
    status = solver.solve(mm.m)
    clock.spend(solver)
    return mm, solver, status


def _previous_days(
    pre: Prepared, urn: int, slot: Slot, team: list[str], busy: dict[str, set[date]]
) -> tuple[date, ...] | None:
    """A repair keeps the review's previous days when the chosen slot has them and the team
    can still do them."""
    prev = pre.problem.previous.get(urn)
    sc = pre.schools[urn]
    if prev is None or prev.dates[0] not in sc.slots[slot]:
        return None
    rd = review_days(sc.days, prev.dates[0], sc.school.days)
    if rd != prev.dates:
        return None
    if all(available(pre.people[p], rd) and not (busy[p] & set(rd)) for p in team):
        return rd
    return None


def days(
    pre: Prepared, mm: Model, solver: cp_model.CpSolver
) -> tuple[tuple[Assignment, ...], list[list[cp_model.IntVar]]]:
    """Step 2: exact days for each review, then the IC's workshop and 90-day review."""
    problem = pre.problem
    busy: dict[str, set[date]] = defaultdict(set)
    load: dict[tuple[str, date], int] = defaultdict(int)
    chosen: list[tuple[int, Slot, str, list[str], str, tuple[date, ...]]] = []
    failures: list[list[cp_model.IntVar]] = []
    picks = []
    for urn, sc in pre.schools.items():
        slot = next(k for k, v in mm.y[urn].items() if solver.boolean_value(v))
        lead = next(p for p in sc.leads if solver.boolean_value(mm.lead[(urn, p)]))
        revs = [p for p in sc.reviewers if solver.boolean_value(mm.rev[(urn, p)])]
        ic = next(p for p in sc.ics if solver.boolean_value(mm.ic[(urn, p)]))
        picks.append((pre.slot_order[slot], urn, slot, lead, revs, ic))
    picks.sort()
    for _, urn, slot, lead, revs, ic in picks:
        sc = pre.schools[urn]
        s = sc.school
        team = [lead, *revs]
        best = _previous_days(pre, urn, slot, team, busy)
        best_load = 0
        for d in sc.slots[slot] if best is None else ():
            rd = review_days(sc.days, d, s.days)
            if rd is None:
                continue
            ok = all(available(pre.people[p], rd) and not (busy[p] & set(rd)) for p in team)
            if ok:
                lo = sum(load[(s.partnership_id, x)] for x in rd)
                if best is None or lo < best_load:
                    best, best_load = rd, lo
        if best is None:
            failures.append([mm.y[urn][slot], *(mm.x[(urn, p)] for p in team)])
            continue
        for p in team:
            busy[p].update(best)
        for x in best:
            load[(s.partnership_id, x)] += 1
        chosen.append((urn, slot, lead, revs, ic, best))
    out: list[Assignment] = []
    for urn, slot, lead, revs, ic, rd in chosen:
        sc = pre.schools[urn]
        pol = problem.policy_for(sc.school.partnership_id)
        prev = problem.previous.get(urn)
        ms = milestones_keeping(
            sc.days,
            rd[0],
            rd[-1],
            pol.milestones,
            pre.people[ic],
            busy[ic],
            prev.milestones if prev is not None and prev.ic == ic else None,
        )
        if ms is None:
            failures.append([mm.y[urn][slot], mm.ic[(urn, ic)]])
            continue
        busy[ic].update((ms.workshop, ms.progress_review))
        out.append(Assignment(urn, rd, sc.school.mode, lead, tuple(revs), ic, ms))
    out.sort(key=lambda a: (a.dates[0], a.urn))
    return tuple(out), failures
