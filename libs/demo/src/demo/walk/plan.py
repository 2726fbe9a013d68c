"""Which reviews the demo walks, and how far each goes.

By default every review of the year is walked as far as its dates allow; ``--sample n``
takes ``n`` of them. The order is drawn from the published schedule alone (not from today's
date), so every run walks the same reviews: round by round, each partnership gives one of
its earliest reviews, the one whose focus adds most themes not yet in the sample. How far a
review goes depends on its dates and today's: a review whose day is still ahead has at most
started its self-review; one whose workshop has been held can be closed (its 90-day review brought
forward to the day the demo runs when it is not due yet, since a 90-day review cannot be
dated in the future). About one review in four stalls before that, at a stage where real reviews
stall (the self-review late, the head not yet back with the report, the workshop not held),
so its milestones go overdue, as some do in a real year.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

MAIN_LINE = (
    "planned",
    "self_review",
    "pre_review",
    "review_day",
    "feedback",
    "report_drafted",
    "report_published",
    "workshop",
    "action_plan_agreed",
    "progress_review",
    "closed",
)
# Where a review stalls in a real year, and the milestone that then goes overdue.
STALLS = ("self_review", "report_drafted", "report_published", "workshop", "action_plan_agreed")
# Each review draws its own (from the seed and its school), so that no partnership gets all
# of one kind and a review is the same whatever the sample's size.
STALL_SHARE = 1 / 4
UNTRIANGULATED_SHARE = 1 / 6  # a finding on one kind of evidence, published with an override
CHALLENGED_SHARE = 1 / 3  # a reviewer challenges the focus
LATE_RETURN_SHARE = 1 / 5  # the IC comes back after the 90-day review's due date
LOOK_AHEAD = 3  # a partnership offers one of its three earliest reviews each round
SELF_REVIEW_WEEKS = 6  # schools start their self-review this long before it is due
RETURN_AFTER_DAYS = 28  # the IC's 90-day review, at the earliest, this long after the workshop


def stage_index(state: str) -> int:
    """Position on the main line; postponed and cancelled reviews are not walked (-1)."""
    return MAIN_LINE.index(state) if state in MAIN_LINE else -1


@dataclass(frozen=True)
class Walk:
    """One review of the sample and where the demo takes it."""

    review: dict[str, Any]  # the planned review, as the county council reads it
    position: int  # in the sample
    target: str  # the stage it should reach (the last one it is moved to)
    stalled: bool  # it stops short of what its dates allow
    untriangulated: bool  # one finding rests on one kind of evidence
    challenged: bool
    late_return: bool  # the 90-day review after its due date (when that has passed)

    @property
    def review_id(self) -> str:
        return str(self.review["id"])


def choose_sample(planned: list[dict[str, Any]], size: int | None) -> list[dict[str, Any]]:
    """Up to ``size`` planned reviews (None: all), spread over the partnerships and the focus
    areas: the first ``n`` of a larger sample are the sample of ``n``."""
    size = len(planned) if size is None else size
    by_partnership: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for review in planned:
        if review.get("status", "planned") == "planned":
            by_partnership[review["partnership_id"]].append(review)
    queues = sorted(
        (
            sorted(reviews, key=lambda r: (r["days"][0], r["urn"]))
            for reviews in by_partnership.values()
        ),
        key=lambda reviews: min(r["urn"] for r in reviews),  # seed-derived, stable across systems
    )
    chosen: list[dict[str, Any]] = []
    covered: set[str] = set()
    while len(chosen) < size and any(queues):
        for queue in queues:
            if not queue or len(chosen) == size:
                continue
            offered = queue[:LOOK_AHEAD]
            best = max(offered, key=lambda r: (len(set(r["focus"]) - covered), -offered.index(r)))
            queue.remove(best)
            chosen.append(best)
            covered |= set(best["focus"])
    return chosen


def reachable(review: dict[str, Any], today: date) -> str:
    """The furthest stage the review's dates allow by ``today``."""
    milestones = review["milestones"]
    first, last = date.fromisoformat(review["days"][0]), date.fromisoformat(review["days"][-1])
    workshop = date.fromisoformat(milestones["workshop_on"])
    self_review_due = date.fromisoformat(milestones["self_review_due"])
    if today >= workshop + timedelta(days=RETURN_AFTER_DAYS):
        return "closed"
    if today >= workshop:
        return "action_plan_agreed"
    if today > last:
        return "report_published"
    if today >= first:
        return "review_day"
    if today >= self_review_due:
        return "pre_review"
    if today >= self_review_due - timedelta(weeks=SELF_REVIEW_WEEKS):
        return "self_review"
    return "planned"


def plan_walks(sample: list[dict[str, Any]], today: date, seed: int) -> list[Walk]:
    walks = []
    for position, review in enumerate(sample):
        # Synthetic, deterministic on purpose: not for security.
        rng = random.Random(f"{seed}:walk:{review['academic_year']}:{review['urn']}")  # noqa: S311
        stall, lone, challenge, late = (rng.random() for _ in range(4))
        furthest = reachable(review, today)
        target, stalled = furthest, False
        earlier = [s for s in STALLS if stage_index(s) < stage_index(furthest)]
        if stall < STALL_SHARE and earlier:
            target, stalled = rng.choice(earlier), True
        walks.append(
            Walk(
                review=review,
                position=position,
                target=target,
                stalled=stalled,
                untriangulated=lone < UNTRIANGULATED_SHARE,
                challenged=challenge < CHALLENGED_SHARE,
                late_return=late < LATE_RETURN_SHARE,
            )
        )
    return walks
