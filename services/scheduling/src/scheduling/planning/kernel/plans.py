"""A review's plan in its three forms: the solver's ``Assignment``, a draft's JSON document,
and a published ``PlannedReview`` row; and the milestone dates a policy gives a review date."""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from common.clock import utcnow
from common.ids import new_id
from scheduling.directory.cycle.models import Mode
from scheduling.planning.kernel.models import PlannedReview, PlannedReviewPerson, PlanRole
from scheduling.planning.kernel.plan_events import PlanChange
from scheduling.planning.solver import problem_types as sm


def assignment_of_review(review: PlannedReview) -> sm.Assignment:
    def one(role: PlanRole) -> str:
        return str(review.with_role(role)[0].person_id)

    m = review.milestones
    return sm.Assignment(
        urn=review.urn,
        dates=tuple(review.dates()),
        mode=cast(sm.Mode, str(review.mode)),
        lead=one(PlanRole.LEAD_REVIEWER),
        reviewers=tuple(str(p.person_id) for p in review.with_role(PlanRole.REVIEWER)),
        ic=one(PlanRole.IMPROVEMENT_CHAMPION),
        shadows=tuple(str(p.person_id) for p in review.with_role(PlanRole.SHADOW)),
        assistant_ic=next(
            (str(p.person_id) for p in review.with_role(PlanRole.ASSISTANT_IC)), None
        ),
        milestones=sm.MilestoneDates(
            self_review_due=date.fromisoformat(m["self_review_due"]),
            pre_review=date.fromisoformat(m["pre_review_meeting"]),
            report_due=date.fromisoformat(m["report_due"]),
            workshop=date.fromisoformat(m["workshop_on"]),
            progress_review=date.fromisoformat(m["progress_review_due"]),
        ),
    )


def assignment_of_draft(draft: dict[str, Any]) -> sm.Assignment:
    m = draft["milestones"]
    return sm.Assignment(
        urn=int(draft["urn"]),
        dates=tuple(date.fromisoformat(d) for d in draft["days"]),
        mode=cast(sm.Mode, draft["mode"]),
        lead=draft["lead"],
        reviewers=tuple(draft["reviewers"]),
        ic=draft["ic"],
        shadows=tuple(draft.get("shadows", ())),  # drafts written before shadows have none
        assistant_ic=draft.get("assistant_ic"),
        milestones=sm.MilestoneDates(
            self_review_due=date.fromisoformat(m["self_review_due"]),
            pre_review=date.fromisoformat(m["pre_review_meeting"]),
            report_due=date.fromisoformat(m["report_due"]),
            workshop=date.fromisoformat(m["workshop_on"]),
            progress_review=date.fromisoformat(m["progress_review_due"]),
        ),
    )


def workshop_window(
    cal: sm.Calendar, school: sm.School, policy: sm.Policy, last_day: date
) -> tuple[date, date]:
    """The first and last school day the improvement workshop may be held on (the policy's
    window after the last review day), clipped to the year's school days."""
    days = cal.school_days(school.urn, school.phase)
    j = bisect.bisect_left(days, last_day)
    m = policy.milestones
    first = days[min(j + m.workshop_from, len(days) - 1)]
    last = days[min(j + m.workshop_to, len(days) - 1)]
    return first, last


def milestone_document(
    a: sm.Assignment, cal: sm.Calendar, school: sm.School, policy: sm.Policy
) -> dict[str, str]:
    start, end = workshop_window(cal, school, policy, a.dates[-1])
    ms = a.milestones
    return {
        "self_review_due": ms.self_review_due.isoformat(),
        "pre_review_meeting": ms.pre_review.isoformat(),
        "report_due": ms.report_due.isoformat(),
        "workshop_window_start": start.isoformat(),
        "workshop_window_end": end.isoformat(),
        "workshop_on": ms.workshop.isoformat(),
        "progress_review_due": ms.progress_review.isoformat(),
    }


def draft_document(
    a: sm.Assignment,
    cal: sm.Calendar,
    school: sm.School,
    policy: sm.Policy,
    review_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A draft review as stored in ``CycleSchedule.draft`` (the id it will be published
    under is fixed now, so a draft and its published review are the same resource)."""
    return {
        "review_id": str(review_id or new_id()),
        "urn": a.urn,
        "days": [d.isoformat() for d in a.dates],
        "mode": a.mode,
        "lead": a.lead,
        "reviewers": list(a.reviewers),
        "ic": a.ic,
        "shadows": list(a.shadows),
        "assistant_ic": a.assistant_ic,
        "focus": sorted(school.focus),
        "milestones": milestone_document(a, cal, school, policy),
    }


def team_of(a: sm.Assignment) -> list[tuple[PlanRole, str, int]]:
    """(role, person id, position) of everyone on the review."""
    return [
        (PlanRole.LEAD_REVIEWER, a.lead, 0),
        *((PlanRole.REVIEWER, pid, i) for i, pid in enumerate(a.reviewers)),
        (PlanRole.IMPROVEMENT_CHAMPION, a.ic, 0),
        *((PlanRole.SHADOW, pid, i) for i, pid in enumerate(a.shadows)),
        *([(PlanRole.ASSISTANT_IC, a.assistant_ic, 0)] if a.assistant_ic is not None else []),
    ]


def apply_assignment(
    review: PlannedReview,
    a: sm.Assignment,
    milestones: dict[str, str],
    homes: Mapping[str, int | None],
) -> PlanChange | None:
    """Make the row say ``a``; which kind of change it was (None: nothing changed). Dates,
    mode or a milestone moving is a reschedule; otherwise a new person is a team change."""
    days = [d.isoformat() for d in a.dates]
    dated = review.days != days or str(review.mode) != a.mode or review.milestones != milestones
    wanted = {(role, uuid.UUID(pid)): position for role, pid, position in team_of(a)}
    have = {(p.role, p.person_id): p for p in review.people}
    team_changed = set(wanted) != set(have) or any(
        have[k].position != wanted[k] for k in wanted if k in have
    )
    if dated:
        review.days = days
        review.first_day = a.dates[0]
        review.mode = Mode(a.mode)
        review.milestones = milestones
    if team_changed:
        # change only the differences: a removed row and an added one never share a key
        for key, row in have.items():
            if key not in wanted:
                review.people.remove(row)
            else:
                row.position = wanted[key]
        for (role, pid), position in wanted.items():
            if (role, pid) not in have:
                review.people.append(
                    PlannedReviewPerson(
                        role=role, person_id=pid, position=position, home_urn=homes.get(str(pid))
                    )
                )
    if not dated and not team_changed:
        return None
    review.updated_at = utcnow()  # the UPDATE bumps the plan version
    return PlanChange.RESCHEDULED if dated else PlanChange.TEAM_CHANGED
