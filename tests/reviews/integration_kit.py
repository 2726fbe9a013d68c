"""What the integration tests share: the review events by name, the whole REVIEW_EVENTS
stream read back, webhook subscriptions made through the API, and the schedule's other
events for a second review (rescheduled, team changed, cancelled)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import nats

from common.testing.apps import eventually
from common.testing.nats import NatsServer
from contracts.events import TenancyPath
from contracts.schedule import REVIEW_CANCELLED, ReviewCancelledPayload
from tests.reviews.conftest import LA, LEAD, PARTNERSHIP, REVIEWER, SHADOW, URN, Kit, plan

PREFIX = "org.criticalfriend."
#: Written out here, not taken from the service: the test says which events are which.
LIFECYCLE = {
    PREFIX + name
    for name in (
        "scheduling.review.planned.v1",
        "scheduling.review.rescheduled.v1",
        "scheduling.review.team_changed.v1",
        "scheduling.review.cancelled.v1",
        "reviews.review.transitioned.v1",
        "reviews.milestone.overdue.v1",
        "reviews.review.closed.v1",
    )
}
CONTENT = {
    PREFIX + name
    for name in (
        "reviews.report.published.v1",
        "reviews.action_plan.agreed.v1",
        "reviews.progress.reviewed.v1",
    )
}
STREAM = "REVIEW_EVENTS"


def short(event_type: str) -> str:
    """``org.criticalfriend.reviews.review.closed.v1`` -> ``review.closed``."""
    return ".".join(event_type.split(".")[-3:-1])


async def stream_events(server: NatsServer, count: int) -> list[tuple[int, dict[str, Any]]]:
    """``(sequence, CloudEvent)`` of REVIEW_EVENTS in order, once it holds ``count`` events."""
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()

        async def complete() -> bool:
            info = await js.stream_info(STREAM)
            return int(info.state.messages) >= count

        await eventually(complete, within=30)
        sub = await js.subscribe(">", stream=STREAM, ordered_consumer=True)
        read = []
        for _ in range(count):
            msg = await sub.next_msg(timeout=60)  # a bound for a broken run, not a speed
            read.append((msg.metadata.sequence.stream, json.loads(msg.data)))
        info = await js.stream_info(STREAM)
        assert info.state.messages == count, "more events than the test expected"
        return read
    finally:
        await nc.close()


def kinds(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(short(e["type"]) for e in events)


async def subscribe(
    kit: Kit, headers: dict[str, str], url: str, secret: str, event_types: list[str]
) -> str:
    body = {"url": url, "event_types": event_types, "secret": secret}
    created = await kit.client.post("/v1/webhooks/subscriptions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def reschedule_and_cancel(kit: Kit) -> uuid.UUID:
    """A second review at the same school: planned, rescheduled, its team changed (a shadow
    joins; the reviewer stays), then cancelled by the schedule."""
    review_id = uuid.uuid4()
    first = datetime.now(UTC).date() + timedelta(days=90)
    team = [(LEAD, "lead_reviewer"), (REVIEWER, "reviewer")]
    await kit.plan(plan(review_id, first_day=first, team=team))
    await kit.plan(
        plan(review_id, version=2, first_day=first + timedelta(days=7), team=team), "rescheduled"
    )
    joined = [*team, (SHADOW, "shadow")]
    await kit.plan(
        plan(review_id, version=3, first_day=first + timedelta(days=7), team=joined),
        "team_changed",
    )
    cancelled = ReviewCancelledPayload(
        review_id=review_id,
        cycle_id=uuid.UUID("01900000-0000-7000-8000-0000000000c1"),
        partnership_id=PARTNERSHIP,
        la_code=LA,
        urn=URN,
        reason="The school is closing early for the term",
        version=4,
        changed_at=datetime.now(UTC),
    )
    event = await kit.send(
        REVIEW_CANCELLED,
        cancelled,
        tenancy=TenancyPath(LA, str(PARTNERSHIP), URN),
        key=f"review:{review_id}",
    )
    await kit.applied(event)
    return review_id
