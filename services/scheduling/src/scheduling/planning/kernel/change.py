"""A change to one published review, judged by the independent checker against every other
published review of the LA's year: what it would become (milestones re-derived when its days
or IC move, the previous workshop and 90-day review kept when they still fit) and every hard
rule it would break."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from scheduling.planning.kernel.context import Context, CycleInfo
from scheduling.planning.kernel.plans import milestone_document
from scheduling.planning.kernel.problem import Built, published_problem
from scheduling.planning.kernel.quality_report import (
    quality_document,
    schedule_quality,
    violation_document,
    violations,
)
from scheduling.planning.solver import problem_types as sm
from scheduling.planning.solver.candidates import milestone_options, milestones_keeping


def _key(v: Any) -> tuple[str, int | None, str | None, str]:
    return v.rule, v.urn, v.person_id, v.detail


@dataclass(frozen=True)
class Wanted:
    days: list[date] | None = None
    mode: str | None = None
    lead: uuid.UUID | None = None
    reviewers: list[uuid.UUID] | None = None
    ic: uuid.UUID | None = None
    shadows: list[uuid.UUID] | None = None  # [] removes every shadow
    assistant_ic: uuid.UUID | None = None
    no_assistant_ic: bool = False  # remove the assistant IC


@dataclass
class Checked:
    assignment: sm.Assignment
    milestones: dict[str, str]
    broken: list[dict[str, Any]]  # every hard rule the change breaks (violation documents)
    quality: dict[str, Any]  # the cycle's quality with the change
    homes: dict[str, int | None]
    school_days: tuple[date, ...]  # the school's, which its milestones are counted on


def _engaged(current: dict[int, sm.Assignment], pid: str, skip: int) -> set[date]:
    busy: set[date] = set()
    for a in current.values():
        if a.urn == skip:
            continue
        if pid in a.review_day_people:
            busy.update(a.dates)
        if pid in a.workshop_people:
            busy.update((a.milestones.workshop, a.milestones.progress_review))
    return busy


def _milestones(
    built: Built, urn: int, a: sm.Assignment, previous: sm.Assignment
) -> sm.MilestoneDates:
    problem = built.problem
    school = next(s for s in problem.schools if s.urn == urn)
    policy = problem.policy_for(school.partnership_id)
    days = problem.calendar.school_days(urn, school.phase)
    people = {p.id: p for p in problem.people}
    ic = people.get(a.ic)
    if ic is not None:
        busy = _engaged(built.current, a.ic, urn) | set(a.dates)
        kept = previous.milestones if previous.ic == a.ic else None
        found = milestones_keeping(days, a.dates[0], a.dates[-1], policy.milestones, ic, busy, kept)
        if found is not None:
            return found
    # no workshop date fits the IC: derive what can be, the checker names what breaks
    options = milestone_options(days, a.dates[0], a.dates[-1], policy.milestones)
    if options is None:
        return previous.milestones
    self_review, pre, report, _workshops = options
    return dataclasses.replace(
        previous.milestones, self_review_due=self_review, pre_review=pre, report_due=report
    )


class NoCalendarError(Exception):
    """The LA's year has no term dates any more: nothing can be checked."""


def check_change(ctx: Context, info: CycleInfo, urn: int, wanted: Wanted) -> Checked:
    before = published_problem(ctx)
    if not before.problem.calendar.half_terms or urn not in before.current:
        raise NoCalendarError
    previous = before.current[urn]
    a = dataclasses.replace(
        previous,
        dates=tuple(wanted.days) if wanted.days is not None else previous.dates,
        mode=cast(sm.Mode, wanted.mode or previous.mode),
        lead=str(wanted.lead) if wanted.lead else previous.lead,
        reviewers=(
            tuple(str(r) for r in wanted.reviewers)
            if wanted.reviewers is not None
            else previous.reviewers
        ),
        ic=str(wanted.ic) if wanted.ic else previous.ic,
        shadows=(
            tuple(str(p) for p in wanted.shadows)
            if wanted.shadows is not None
            else previous.shadows
        ),
        assistant_ic=(
            None
            if wanted.no_assistant_ic
            else str(wanted.assistant_ic)
            if wanted.assistant_ic
            else previous.assistant_ic
        ),
    )
    after = published_problem(ctx, override={urn: a})
    if a.dates != previous.dates or a.ic != previous.ic:
        a = dataclasses.replace(a, milestones=_milestones(after, urn, a, previous))
        after = published_problem(ctx, override={urn: a})
    everything_after = tuple(after.current.values())
    # what the change adds: each problem judged with its own school data (mode, request)
    known = {_key(v) for v in violations(before.problem, tuple(before.current.values()))}
    names = {str(pid): p.name for pid, p in ctx.people.items()}
    broken = [
        violation_document(v, names)
        for v in violations(after.problem, everything_after)
        if _key(v) not in known
    ]
    school = next(s for s in after.problem.schools if s.urn == urn)
    policy = after.problem.policy_for(school.partnership_id)
    report = schedule_quality(after.problem, everything_after)
    homes = {str(pid): (p.home_urns[0] if p.home_urns else None) for pid, p in ctx.people.items()}
    return Checked(
        assignment=a,
        milestones=milestone_document(a, after.problem.calendar, school, policy),
        broken=broken,
        quality=quality_document(report, info.key),
        homes=homes,
        school_days=after.problem.calendar.school_days(urn, school.phase),
    )
