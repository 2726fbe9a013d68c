"""Walk a review along its lifecycle the way its people do: most moves are transitions, but
the report is published by publishing it (drafted, acknowledged by the head), the action plan
is agreed by agreeing it, and the review closes once its 90-day review is recorded.

``Walker`` does it over any client with any tokens (the reviews service alone, or the three
services of tests/e2e); the functions taking a ``Kit`` are the reviews tests' shorthand."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import nats
from sqlalchemy import func, select

from common.db import Database
from common.messaging.inbox import InboxMixin
from common.messaging.outbox import OutboxMixin
from common.testing.apps import eventually
from common.testing.nats import NatsServer
from reviews.db import OutboxMessage
from tests.reviews.kit import HEAD, IC, LEAD, REVIEWER, RW, SHADOW, URN, Kit, transition

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

ReviewId = uuid.UUID | str


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


@dataclass(frozen=True)
class Walker:
    """Requests to the reviews service by a review's people: ``who`` maps a role name (``head``,
    ``lead``, ``reviewer``, ``ic``, ``partnership_lead``, ...) to its request headers. The
    partnership lead is the reader: it sees every review of the partnership."""

    client: httpx.AsyncClient
    who: dict[str, dict[str, str]]

    @property
    def reader(self) -> dict[str, str]:
        return self.who["partnership_lead"]

    async def get(self, review_id: ReviewId) -> httpx.Response:
        return await self.client.get(f"/v1/reviews/{review_id}", headers=self.reader)

    async def move(
        self, review_id: ReviewId, to: str, headers: dict[str, str], reason: str | None = None
    ) -> httpx.Response:
        return await transition(self.client, review_id, to, headers, self.reader, reason)

    async def etag(self, path: str, fallback: str, headers: dict[str, str]) -> str:
        """The ETag of ``path``, or of ``fallback`` (the review) while ``path`` does not exist."""
        got = await self.client.get(path, headers=headers)
        if got.status_code == 404:
            got = await self.client.get(fallback, headers=headers)
        assert got.status_code == 200, got.text
        return got.headers["etag"]

    async def put_whole(
        self, review_id: ReviewId, part: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        """PUT a part set whole (``self-evaluation``, ``focus``, ...), with its ETag once it
        exists and the review's before (read by the head: the school reads its own SEF)."""
        base = f"/v1/reviews/{review_id}"
        tag = await self.etag(f"{base}/{part}", base, self.who["head"])
        return await self.client.put(
            f"{base}/{part}", json=body, headers={**headers, "If-Match": tag}
        )

    async def history(self, review_id: ReviewId) -> list[dict[str, Any]]:
        got = ok(
            await self.client.get(f"/v1/reviews/{review_id}/history?limit=100", headers=self.reader)
        )
        data: list[dict[str, Any]] = got["data"]
        return data

    async def publish_report(
        self, review_id: ReviewId, *, override_reason: str | None = "Walked in a test"
    ) -> httpx.Response:
        """Draft (lead), acknowledge (head), publish (lead)."""
        base = f"/v1/reviews/{review_id}/report"
        lead = self.who["lead"]
        draft = ok(
            await self.client.post(f"{base}/versions", json={"summary": "Summary."}, headers=lead),
            201,
        )
        number = draft["version"]
        ok(
            await self.client.post(
                f"{base}/versions/{number}/acknowledgement", json={}, headers=self.who["head"]
            )
        )
        body: dict[str, Any] = {"version": number}
        if draft["untriangulated"] and override_reason is not None:
            body["override_reason"] = override_reason
        review_etag = (await self.get(review_id)).headers["etag"]
        return await self.client.post(
            f"{base}/publication", json=body, headers={**lead, "If-Match": review_etag}
        )

    async def agree_action_plan(
        self, review_id: ReviewId, findings: list[str] | None = None
    ) -> httpx.Response:
        """The IC records the workshop and a one-action plan (on ``findings``), then agrees it."""
        ic = self.who["ic"]
        base = f"/v1/reviews/{review_id}"
        workshop = {
            "held_on": date.today().isoformat(),
            "attendance": [{"name": "A. Teacher", "role": "Year 6 teacher"}],
            "grow": {"goal": "G", "reality": "R", "options": "O", "will": "W"},
        }
        tag = await self.etag(f"{base}/workshop", base, ic)
        ok(
            await self.client.put(
                f"{base}/workshop", json=workshop, headers={**ic, "If-Match": tag}
            )
        )
        action: dict[str, Any] = {
            "what": "Weekly book talk in every class",
            "kind": "teaching_practice",
            "owner_role": "English lead",
            "due_date": date.today().isoformat(),
            "success_criteria": "Every pupil names a book they chose",
        }
        if findings:
            action["finding_ids"] = findings
        tag = await self.etag(f"{base}/action-plan", base, ic)
        ok(
            await self.client.put(
                f"{base}/action-plan", json={"actions": [action]}, headers={**ic, "If-Match": tag}
            )
        )
        review_etag = (await self.get(review_id)).headers["etag"]
        return await self.client.post(
            f"{base}/action-plan/agreement", json={}, headers={**ic, "If-Match": review_etag}
        )

    async def record_progress(self, review_id: ReviewId) -> httpx.Response:
        ic = self.who["ic"]
        base = f"/v1/reviews/{review_id}"
        plan = ok(await self.client.get(f"{base}/action-plan", headers=ic))
        ratings = [
            {"action_id": a["id"], "rating": "on_track", "evidence_of_impact": "Book talk weekly."}
            for a in plan["actions"]
        ]
        body = {"reviewed_on": date.today().isoformat(), "ratings": ratings}
        return await self.client.post(f"{base}/progress-review", json=body, headers=ic)

    async def advance(
        self, review_id: ReviewId, to: str, who: str, *, findings: list[str] | None = None
    ) -> httpx.Response:
        """One step along the main line, by ``who`` (``findings``: what the plan's action is
        on, when this step agrees the plan)."""
        headers = self.who[who]
        if to == "report_published":
            return await self.publish_report(review_id)
        if to == "action_plan_agreed":
            return await self.agree_action_plan(review_id, findings)
        if to == "closed":
            progress = await self.client.get(
                f"/v1/reviews/{review_id}/progress-review", headers=headers
            )
            if progress.status_code == 404:
                ok(await self.record_progress(review_id), 201)
        return await self.move(review_id, to, headers, reason=f"by {who}")

    async def walk_to(self, review_id: ReviewId, state: str) -> None:
        """Move the review along the main line, from wherever it is, to ``state``."""
        current = (await self.get(review_id)).json()["state"]
        for to, who in WALK[STAGES.index(current) : STAGES.index(state)]:
            moved = await self.advance(review_id, to, who)
            assert moved.status_code == 200, (to, moved.text)


def walker(kit: Kit) -> Walker:
    return Walker(kit.client, people(kit))


async def advance(kit: Kit, review_id: uuid.UUID, to: str, who: str) -> httpx.Response:
    return await walker(kit).advance(review_id, to, who)


async def walk_to(kit: Kit, review_id: uuid.UUID, state: str) -> None:
    await walker(kit).walk_to(review_id, state)


async def outbox_drained(db: Database, model: type[OutboxMixin] = OutboxMessage) -> None:
    """Wait until every outbox row of ``db`` is published (acknowledged by JetStream)."""

    async def drained() -> bool:
        async with db.session() as session:
            unsent = await session.scalar(
                select(func.count()).select_from(model).where(model.published_at.is_(None))
            )
        return unsent == 0

    await eventually(drained, within=20)


async def inbox_applied(db: Database, model: type[InboxMixin], consumer: str, ids: set[str]) -> int:
    """How many of the events ``ids`` the consumer has recorded as applied in its inbox."""
    async with db.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.consumer == consumer, model.event_id.in_(ids), model.status == "applied")
        )
    return int(count or 0)


async def stream_events(server: NatsServer, stream: str, subjects: str) -> list[Any]:
    """Every message of ``stream`` matching ``subjects`` now: ``[(nats subject, CloudEvent
    dict)]`` in stream order, read until the consumer has none pending (no timeout to wait)."""
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(subjects, durable=None, stream=stream)
        received: list[Any] = []
        pending = (await sub.consumer_info()).num_pending
        while pending:
            for msg in await sub.fetch(min(pending, 256), timeout=10):
                received.append((msg.subject, json.loads(msg.data)))
                pending = msg.metadata.num_pending
        await sub.unsubscribe()
        return received
    finally:
        await nc.close()


async def published_events(kit: Kit, server: NatsServer, subjects: str = "reviews.>") -> list[Any]:
    """Every event on the REVIEWS stream matching ``subjects``, once the outbox is drained:
    ``[(nats subject, CloudEvent dict)]`` in stream order."""
    await outbox_drained(kit.db)
    return await stream_events(server, "REVIEWS", subjects)
