"""Where each review is, as a council or a trust learns it: from the review events it may
receive (``GET /v1/events``, the paged feed of ``REVIEW_EVENTS``), not from the review
records, which their data-sharing agreements keep from them. The schedule gives each
review's milestones (``GET /v1/planned-reviews``), each transition its stage; a milestone is
overdue when its date has passed before the review reached its stage (the reviews service's
own rule, which it also announces as ``reviews.milestone.overdue`` at its next sweep)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from demo.api.client import ServiceClient
from demo.walk.plan import stage_index

FEED_PAGE = 200
SETTLE_SECONDS = 0.5  # the feed is read until a poll this long after the end brings nothing
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


def overdue(milestones: dict[str, str], state: str, today: date) -> list[str]:
    here = stage_index(state)
    if here < 0:
        return []  # postponed and cancelled reviews are not late
    return [
        milestone
        for milestone, stage in MILESTONE_STAGES.items()
        if date.fromisoformat(milestones[milestone]) < today and here < stage_index(stage)
    ]


async def read_feed(api: ServiceClient, token: str) -> list[dict[str, Any]]:
    """Every event the token may see, oldest first: pages until the cursor stops moving, then
    once more a moment later, for events still being copied into the stream."""
    events: list[dict[str, Any]] = []
    after: str | None = None
    quiet = False
    while True:
        params = {"limit": FEED_PAGE, **({"after": after} if after else {})}
        page = await api.get("/v1/events", token=token, params=params)
        assert page is not None
        events += [entry["event"] for entry in page["data"]]
        if page["next_cursor"] != after or page["data"]:
            after, quiet = page["next_cursor"], False
            continue
        if quiet:
            return events
        quiet = True
        await asyncio.sleep(SETTLE_SECONDS)


def stages(events: list[dict[str, Any]]) -> dict[str, str]:
    """Each review's stage, by review id: its newest transition. The feed keeps the order of
    each producer's events but not between the schedule's and the reviews service's, so the
    newest is taken by the review's version, and a cancellation by the schedule wins."""
    moves: dict[str, tuple[int, str]] = {}
    cancelled: set[str] = set()
    for event in events:
        kind, data = event["type"], event["data"]
        review_id = str(data.get("review_id", ""))
        if kind.endswith(".review.transitioned.v1"):
            if review_id not in moves or moves[review_id][0] < data["version"]:
                moves[review_id] = (data["version"], data["to_state"])
        elif kind.endswith(".review.cancelled.v1"):
            cancelled.add(review_id)
    found = {review_id: state for review_id, (_, state) in moves.items()}
    found.update(dict.fromkeys(cancelled, "cancelled"))
    return found
