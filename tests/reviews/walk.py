"""Walk a review along its lifecycle the way its people do: most moves are transitions, but
the report is published by publishing it (drafted, acknowledged by the head), the action plan
is agreed by agreeing it, and the review closes once its 90-day review is recorded."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import httpx
import nats
from sqlalchemy import func, select

from common.testing.apps import eventually
from common.testing.nats import NatsServer
from reviews.db import OutboxMessage
from tests.reviews.conftest import HEAD, IC, LEAD, REVIEWER, RW, SHADOW, URN, Kit

#: (state to reach, who moves it there)
WALK = [
    ("self_review", "head"),
    ("pre_review", "head"),
    ("review_day", "lead"),
    ("feedback", "lead"),
    ("report_drafted", "lead"),
    ("report_published", "lead"),
    ("workshop", "ic"),
    ("action_plan_agreed", "ic"),
    ("progress_review", "ic"),
    ("closed", "ic"),
]
STAGES = ["planned"] + [to for to, _ in WALK]


def people(kit: Kit) -> dict[str, dict[str, str]]:
    return {
        "head": kit.token(*RW, person=HEAD, schools=[str(URN)]),
        "lead": kit.token(*RW, person=LEAD, schools=["115100"]),
        "reviewer": kit.token(*RW, person=REVIEWER),
        "shadow": kit.token(*RW, person=SHADOW),
        "ic": kit.token(*RW, person=IC),
        "partnership_lead": kit.admin,
    }


def ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200,)), response.text
    body: dict[str, Any] = response.json()
    return body


async def etag(kit: Kit, path: str, fallback: str, headers: dict[str, str]) -> str:
    """The ETag of ``path``, or of ``fallback`` (the review) while ``path`` does not exist."""
    got = await kit.client.get(path, headers=headers)
    if got.status_code == 404:
        got = await kit.client.get(fallback, headers=headers)
    assert got.status_code == 200, got.text
    return got.headers["etag"]


async def publish_report(
    kit: Kit, review_id: uuid.UUID, *, override_reason: str | None = "Walked in a test"
) -> httpx.Response:
    """Draft (lead), acknowledge (head), publish (lead)."""
    who = people(kit)
    base = f"/v1/reviews/{review_id}/report"
    draft = ok(
        await kit.client.post(
            f"{base}/versions", json={"summary": "Summary."}, headers=who["lead"]
        ),
        201,
    )
    number = draft["version"]
    ok(
        await kit.client.post(
            f"{base}/versions/{number}/acknowledgement", json={}, headers=who["head"]
        )
    )
    body: dict[str, Any] = {"version": number}
    if draft["untriangulated"] and override_reason is not None:
        body["override_reason"] = override_reason
    review_etag = (await kit.get(review_id)).headers["etag"]
    return await kit.client.post(
        f"{base}/publication", json=body, headers={**who["lead"], "If-Match": review_etag}
    )


async def agree_action_plan(kit: Kit, review_id: uuid.UUID) -> httpx.Response:
    """The IC records the workshop and a one-action plan, then agrees it."""
    who = people(kit)
    base = f"/v1/reviews/{review_id}"
    workshop = {
        "held_on": date.today().isoformat(),
        "attendance": [{"name": "A. Teacher", "role": "Year 6 teacher"}],
        "grow": {"goal": "G", "reality": "R", "options": "O", "will": "W"},
    }
    tag = await etag(kit, f"{base}/workshop", base, who["ic"])
    ok(
        await kit.client.put(
            f"{base}/workshop", json=workshop, headers={**who["ic"], "If-Match": tag}
        )
    )
    plan = {
        "actions": [
            {
                "what": "Weekly book talk in every class",
                "kind": "teaching_practice",
                "owner_role": "English lead",
                "due_date": date.today().isoformat(),
                "success_criteria": "Every pupil names a book they chose",
            }
        ]
    }
    tag = await etag(kit, f"{base}/action-plan", base, who["ic"])
    ok(
        await kit.client.put(
            f"{base}/action-plan", json=plan, headers={**who["ic"], "If-Match": tag}
        )
    )
    review_etag = (await kit.get(review_id)).headers["etag"]
    return await kit.client.post(
        f"{base}/action-plan/agreement", json={}, headers={**who["ic"], "If-Match": review_etag}
    )


async def record_progress(kit: Kit, review_id: uuid.UUID) -> httpx.Response:
    who = people(kit)
    base = f"/v1/reviews/{review_id}"
    plan = ok(await kit.client.get(f"{base}/action-plan", headers=who["ic"]))
    ratings = [
        {"action_id": a["id"], "rating": "on_track", "evidence_of_impact": "Book talk weekly."}
        for a in plan["actions"]
    ]
    body = {"reviewed_on": date.today().isoformat(), "ratings": ratings}
    return await kit.client.post(f"{base}/progress-review", json=body, headers=who["ic"])


async def advance(kit: Kit, review_id: uuid.UUID, to: str, who: str) -> httpx.Response:
    """One step along the main line, by ``who``."""
    headers = people(kit)[who]
    if to == "report_published":
        return await publish_report(kit, review_id)
    if to == "action_plan_agreed":
        return await agree_action_plan(kit, review_id)
    if to == "closed":
        progress = await kit.client.get(f"/v1/reviews/{review_id}/progress-review", headers=headers)
        if progress.status_code == 404:
            ok(await record_progress(kit, review_id), 201)
    return await kit.move(review_id, to, headers, reason=f"by {who}")


async def walk_to(kit: Kit, review_id: uuid.UUID, state: str) -> None:
    """Move the review along the main line, from wherever it is, to ``state``."""
    current = (await kit.get(review_id)).json()["state"]
    for to, who in WALK[STAGES.index(current) : STAGES.index(state)]:
        moved = await advance(kit, review_id, to, who)
        assert moved.status_code == 200, (to, moved.text)


async def published_events(kit: Kit, server: NatsServer, subjects: str = "reviews.>") -> list[Any]:
    """Every event on the REVIEWS stream matching ``subjects``, once the outbox is drained:
    ``[(nats subject, CloudEvent dict)]`` in stream order."""

    async def drained() -> bool:
        async with kit.db.session() as session:
            unsent = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.published_at.is_(None))
            )
        return unsent == 0

    await eventually(drained, within=20)
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe(subjects, stream="REVIEWS", ordered_consumer=True)
        info = await js.stream_info("REVIEWS")
        received: list[Any] = []
        try:
            while True:
                msg = await sub.next_msg(timeout=0.5 if info.state.messages else 0.05)
                received.append((msg.subject, json.loads(msg.data)))
        except nats.errors.TimeoutError:
            pass
        return received
    finally:
        await nc.close()
