"""Where each review is, as a council or a trust learns it: from the review events it may
receive (``GET /v1/events``, the paged feed of ``REVIEW_EVENTS``), not from the review
records, which their data-sharing agreements keep from them. The schedule's plan gives the
milestones, each transition the stage; a milestone is overdue when its date has passed before
the review reached its stage (the reviews service's own rule, which it also announces as
``reviews.milestone.overdue`` at its next sweep)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from demo.api.client import ServiceClient
from demo.walk.plan import stage_index

FEED_PAGE = 200
# Milestone -> the stage a review must have reached by its date (reviews' MILESTONE_STAGES).
MILESTONE_STAGES = {
    "self_review_due": "pre_review",
    "pre_review_meeting": "review_day",
    "report_due": "report_published",
    "workshop_window_end": "workshop",
    "progress_review_due": "progress_review",
}
MILESTONE_LABELS = {
    "self_review_due": "self-review",
    "pre_review_meeting": "pre-review meeting",
    "report_due": "report",
    "workshop_window_end": "workshop",
    "progress_review_due": "90-day review",
}


@dataclass
class Tracked:
    review_id: str
    urn: int
    partnership_id: str
    days: list[str]
    milestones: dict[str, str]
    state: str = "planned"
    announced: set[str] = field(default_factory=set)  # milestones announced overdue

    def overdue(self, today: date) -> list[str]:
        here = stage_index(self.state)
        if here < 0:
            return []  # postponed and cancelled reviews are not late
        return [
            milestone
            for milestone, stage in MILESTONE_STAGES.items()
            if date.fromisoformat(self.milestones[milestone]) < today and here < stage_index(stage)
        ]


async def read_feed(api: ServiceClient, token: str) -> list[dict[str, Any]]:
    """Every event the token may see, oldest first; the end is where the cursor stops."""
    events: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params = {"limit": FEED_PAGE, **({"after": after} if after else {})}
        page = await api.get("/v1/events", token=token, params=params)
        assert page is not None
        events += [entry["event"] for entry in page["data"]]
        if page["next_cursor"] == after:
            return events
        after = page["next_cursor"]


def follow(events: list[dict[str, Any]]) -> dict[str, Tracked]:
    """Each review's latest plan and stage, by review id. The feed keeps the order of each
    producer's events but not between the two (the schedule's are copied in as they arrive),
    so the newest plan and the newest transition are taken by their versions."""
    plans: dict[str, dict[str, Any]] = {}
    moves: dict[str, tuple[int, str]] = {}
    cancelled: set[str] = set()
    announced: dict[str, set[str]] = {}
    for event in events:
        kind, data = event["type"], event["data"]
        review_id = str(data.get("review_id", ""))
        if kind.endswith((".review.planned.v1", ".review.rescheduled.v1", ".team_changed.v1")):
            if review_id not in plans or plans[review_id]["version"] < data["version"]:
                plans[review_id] = data
        elif kind.endswith(".review.cancelled.v1"):
            cancelled.add(review_id)
        elif kind.endswith(".review.transitioned.v1"):
            if review_id not in moves or moves[review_id][0] < data["version"]:
                moves[review_id] = (data["version"], data["to_state"])
        elif kind.endswith(".milestone.overdue.v1"):
            announced.setdefault(review_id, set()).add(data["milestone"])
    tracked = {}
    for review_id, plan in plans.items():
        state = moves[review_id][1] if review_id in moves else "planned"
        if review_id in cancelled and stage_index(state) >= 0 and state != "closed":
            state = "cancelled"
        tracked[review_id] = Tracked(
            review_id, plan["urn"], plan["partnership_id"], list(plan["days"]),
            dict(plan["milestones"]), state, announced.get(review_id, set()),
        )  # fmt: skip
    return tracked
