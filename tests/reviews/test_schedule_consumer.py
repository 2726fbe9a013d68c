"""The schedule's review events create and update the review record; the newest version wins."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import nats

from common.testing.nats import NatsServer
from contracts.events import TenancyPath
from contracts.schedule import REVIEW_CANCELLED, REVIEW_PLANNED, ReviewCancelledPayload
from tests.reviews.kit import IC, LA, LEAD, PARTNERSHIP, REVIEWER, SHADOW, URN, Kit, plan


async def _history(kit: Kit, review_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await kit.client.get(f"/v1/reviews/{review_id}/history", headers=kit.admin)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_planned_creates_the_review(kit: Kit) -> None:
    review_id = uuid.uuid4()
    event = await kit.plan(plan(review_id))
    response = await kit.get(review_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "planned"
    assert body["urn"] == URN
    assert body["partnership_id"] == str(PARTNERSHIP)
    assert body["days"] == ["2027-03-10"]
    assert body["mode"] == "in_person"
    assert body["milestones"]["self_review_due"] == "2027-02-10"
    assert {(m["person_id"], m["role"]) for m in body["team"]} == {
        (str(LEAD), "lead_reviewer"),
        (str(REVIEWER), "reviewer"),
    }
    assert body["improvement_champion"]["person_id"] == str(IC)
    assert body["allowed_transitions"] == ["self_review", "postponed", "cancelled"]
    assert response.headers["etag"] == '"1"'
    [entry] = await _history(kit, review_id)
    assert entry["action"] == "planned"
    assert entry["event_id"] == event.id
    assert entry["actor_subject"] == "scheduling"
    assert entry["changes"]["state"] == {"from": None, "to": "planned"}


async def test_rescheduled_and_team_changed_update_it_and_replays_change_nothing(
    kit: Kit,
) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    moved = plan(review_id, version=2, first_day=date(2027, 4, 20), mode="virtual")
    await kit.plan(moved, "rescheduled")
    new_team = [(LEAD, "lead_reviewer"), (SHADOW, "shadow")]
    await kit.plan(
        plan(review_id, version=3, first_day=date(2027, 4, 20), mode="virtual", team=new_team),
        "team_changed",
    )
    after = (await kit.get(review_id)).json()
    assert after["days"] == ["2027-04-20"]
    assert after["mode"] == "virtual"
    assert after["plan_version"] == 3
    assert {(m["person_id"], m["role"]) for m in after["team"]} == {
        (str(LEAD), "lead_reviewer"),
        (str(SHADOW), "shadow"),
    }
    history = await _history(kit, review_id)
    assert [h["action"] for h in history] == ["planned", "rescheduled", "team_changed"]
    assert history[1]["changes"]["days"] == {"from": ["2027-03-10"], "to": ["2027-04-20"]}
    assert "days" not in history[2]["changes"]
    assert "team" in history[2]["changes"]

    # An older version replayed, and the same version again as a new event: nothing changes.
    older = await kit.send(
        REVIEW_PLANNED,
        plan(review_id, version=1),
        tenancy=TenancyPath(LA, str(PARTNERSHIP), URN),
        key=f"review:{review_id}",
    )
    same = await kit.send(
        REVIEW_PLANNED,
        plan(review_id, version=3, first_day=date(2027, 6, 1)),
        tenancy=TenancyPath(LA, str(PARTNERSHIP), URN),
        key=f"review:{review_id}",
    )
    await kit.applied(older, same)
    assert (await kit.get(review_id)).json() == after
    assert len(await _history(kit, review_id)) == 3


async def test_an_exact_duplicate_is_applied_once(kit: Kit) -> None:
    review_id = uuid.uuid4()
    first = await kit.plan(plan(review_id))
    moved = plan(review_id, version=2, first_day=date(2027, 5, 5))
    event = await kit.plan(moved, "rescheduled")
    tenancy = TenancyPath(LA, str(PARTNERSHIP), URN)
    key = f"review:{review_id}"
    # The same event again, without Nats-Msg-Id, so the stream keeps it and the inbox must drop it.
    await kit.send(REVIEW_PLANNED, moved, tenancy=tenancy, key=key, event=event, dedupe=False)
    await kit.send(REVIEW_PLANNED, moved, tenancy=tenancy, key=key, event=first, dedupe=False)
    marker = await kit.plan(plan(uuid.uuid4()))
    await kit.applied(marker)
    body = (await kit.get(review_id)).json()
    assert body["days"] == ["2027-05-05"]
    assert body["version"] == 2
    assert len(await _history(kit, review_id)) == 2


async def test_cancelled_marks_the_review_cancelled(kit: Kit, nats_server: NatsServer) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    payload = ReviewCancelledPayload(
        review_id=review_id,
        cycle_id=plan(review_id).cycle_id,
        partnership_id=PARTNERSHIP,
        la_code=LA,
        urn=URN,
        reason="School closing",
        version=2,
        changed_at=datetime.now(UTC),
    )
    tenancy = TenancyPath(LA, str(PARTNERSHIP), URN)
    event = await kit.send(REVIEW_CANCELLED, payload, tenancy=tenancy, key=f"review:{review_id}")
    await kit.applied(event)
    body = (await kit.get(review_id)).json()
    assert body["state"] == "cancelled"
    assert body["cancellation_reason"] == "School closing"
    assert body["allowed_transitions"] == []
    # A replayed older plan does not bring it back.
    replay = await kit.send(
        REVIEW_PLANNED, plan(review_id), tenancy=tenancy, key=f"review:{review_id}"
    )
    await kit.applied(replay)
    assert (await kit.get(review_id)).json() == body
    history = await _history(kit, review_id)
    assert [h["action"] for h in history] == ["planned", "cancelled"]
    assert history[1]["changes"]["state"] == {"from": "planned", "to": "cancelled"}
    # The move is published like any other transition, by no person.
    nc = await nats.connect(nats_server.url)
    try:
        sub = await nc.jetstream().pull_subscribe("reviews.>", durable=None, stream="REVIEWS")
        [msg] = await sub.fetch(1, timeout=10)
    finally:
        await nc.close()
    assert msg.subject == f"reviews.review.transitioned.v1.{LA}.{PARTNERSHIP}.{URN}"
    data = json.loads(msg.data)["data"]
    assert (data["from_state"], data["to_state"], data["by_person_id"]) == (
        "planned",
        "cancelled",
        None,
    )
