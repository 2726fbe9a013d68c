"""Shadows and assistant ICs, placed beside a schedule's teams once the search has chosen them.

They count toward nothing but their own places and limits (not the team size, not any review
limit), so they never change which teams and dates are feasible: a deterministic pass after
the search fills them, review by review in date order. A shadow is a person in training
(``Person.learner``), on the review days; those who need the experience before next year
come first, then whoever has shadowed least. An assistant IC attends the IC's workshop and
90-day review. A repair keeps the previous ones where they still fit. Places nobody can fill
stay empty (a soft term of the quality report, never a hard rule).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from scheduling.planning.solver.candidates import Prepared, available
from scheduling.planning.solver.problem_types import Assignment


def place(pre: Prepared, assignments: tuple[Assignment, ...]) -> tuple[Assignment, ...]:
    """``assignments`` with their shadow and assistant-IC places filled (the rest unchanged)."""
    problem = pre.problem
    people = pre.people  # their unavailable dates include the fixed reviews' engagements
    busy: dict[str, set[date]] = defaultdict(set)
    for a in assignments:
        for pid in a.team:
            busy[pid].update(a.dates)
        busy[a.ic].update((a.milestones.workshop, a.milestones.progress_review))
    shadowing: Counter[str] = Counter(pre.load.shadowing)
    assisting: Counter[str] = Counter(pre.load.assisting)
    out: list[Assignment] = []
    for a in sorted(assignments, key=lambda a: (a.dates[0], a.urn)):
        sc = pre.schools.get(a.urn)
        pol = problem.policy_for(sc.school.partnership_id) if sc is not None else None
        if sc is None or pol is None or not (pol.shadows_per_review or pol.assistant_ic):
            out.append(a)
            continue
        prev = problem.previous.get(a.urn)
        taken = {*a.team, a.ic}

        def free(
            pid: str,
            days: Iterable[date],
            used: Counter[str],
            cap_of: str,
            taken: set[str] = taken,
        ) -> bool:
            p = people[pid]
            cap = getattr(problem.policy_for(p.partnership_id), cap_of)
            wanted = tuple(days)
            return (
                pid not in taken
                and available(p, wanted)
                and not (busy[pid] & set(wanted))
                and used[pid] < cap
            )

        shadows: list[str] = []
        kept = [p for p in (prev.shadows if prev else ()) if p in sc.shadows]
        ranked = sorted(
            sc.shadows,
            key=lambda pid: (
                pid not in kept,
                not people[pid].needs_experience,
                shadowing[pid],
                pid,
            ),
        )
        for pid in ranked:
            if len(shadows) == pol.shadows_per_review:
                break
            if free(pid, a.dates, shadowing, "max_shadowing_per_year"):
                shadows.append(pid)
                taken.add(pid)
                busy[pid].update(a.dates)
                shadowing[pid] += 1
        assistant = None
        if pol.assistant_ic:
            workshop = (a.milestones.workshop, a.milestones.progress_review)
            before = prev.assistant_ic if prev is not None else None
            for pid in sorted(sc.assistants, key=lambda p: (p != before, assisting[p], p)):
                if free(pid, workshop, assisting, "max_assisting_per_year"):
                    assistant = pid
                    busy[pid].update(workshop)
                    assisting[pid] += 1
                    break
        out.append(_with(a, tuple(shadows), assistant))
    out.sort(key=lambda a: (a.dates[0], a.urn))
    return tuple(out)


def _with(a: Assignment, shadows: tuple[str, ...], assistant: str | None) -> Assignment:
    return Assignment(
        a.urn, a.dates, a.mode, a.lead, a.reviewers, a.ic, a.milestones, shadows, assistant
    )
