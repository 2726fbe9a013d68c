"""What the reviews tests share: the people and places of a review, a stand-in for the
schedule's publisher (events put directly on the SCHEDULING stream), the :class:`Kit` around a
running service, and, for the integration tests, the review events by name, the whole
REVIEW_EVENTS stream read back, webhook subscriptions made through the API, and the schedule's
other events for a second review (rescheduled, team changed, cancelled).

The fixtures are in ``conftest.py``; the lifecycle walks in ``walk.py`` and ``full_walk.py``."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
from fastapi import FastAPI
from nats.js.client import JetStreamContext
from pydantic import BaseModel

from common.auth import issue_dev_token, load_or_create_dev_key
from common.db import Database
from common.messaging import CloudEvent
from common.testing.apps import eventually
from common.testing.nats import NatsServer
from contracts.directory import (
    AGREEMENT_CHANGED,
    PARTNERSHIP_CREATED,
    SCHOOL_AGREEMENT_CHANGED,
    SCHOOL_REGISTERED,
)
from contracts.events import EventDefinition, TenancyPath
from contracts.knowledge import TAXONOMY_UPDATED
from contracts.schedule import REVIEW_CANCELLED, ReviewCancelledPayload, ReviewPlanPayload
from reviews.db import InboxMessage
from tests.support import AUDIENCE, ISSUER, bearer

URN = 115000
OTHER_URN = 115001
LA = "881"
TRUST = "16234"
PARTNERSHIP = uuid.UUID("01900000-0000-7000-8000-000000000001")
LEAD = uuid.UUID("01900000-0000-7000-8000-00000000000a")
REVIEWER = uuid.UUID("01900000-0000-7000-8000-00000000000b")
SHADOW = uuid.UUID("01900000-0000-7000-8000-00000000000c")
IC = uuid.UUID("01900000-0000-7000-8000-00000000000d")
HEAD = uuid.UUID("01900000-0000-7000-8000-00000000000e")
RW = ("reviews:read", "reviews:write")


def plan(
    review_id: uuid.UUID,
    *,
    version: int = 1,
    urn: int = URN,
    first_day: date | None = None,
    team: list[tuple[uuid.UUID, str]] | None = None,
    ic: uuid.UUID | None = IC,
    mode: str = "in_person",
    triangulation_min_kinds: int = 2,
    reminders: list[tuple[str, int, date]] | None = None,
) -> ReviewPlanPayload:
    day = first_day or date(2027, 3, 10)
    members = team if team is not None else [(LEAD, "lead_reviewer"), (REVIEWER, "reviewer")]
    return ReviewPlanPayload.model_validate(
        {
            "review_id": review_id,
            "cycle_id": uuid.UUID("01900000-0000-7000-8000-0000000000c1"),
            "partnership_id": PARTNERSHIP,
            "la_code": LA,
            "urn": urn,
            "academic_year": "2026-27",
            "mode": mode,
            "days": [day],
            "team": [
                {"person_id": p, "role": r, "home_urn": 115100 + i}
                for i, (p, r) in enumerate(members)
            ],
            "improvement_champion": None
            if ic is None
            else {"person_id": ic, "home_urn": 115200, "assistant_person_id": None},
            "focus_areas": ["curriculum.reading"],
            "milestones": {
                "self_review_due": day - timedelta(days=28),
                "pre_review_meeting": day - timedelta(days=10),
                "report_due": day + timedelta(days=10),
                "workshop_window_start": day + timedelta(days=20),
                "workshop_window_end": day + timedelta(days=40),
                "progress_review_due": day + timedelta(days=130),
            },
            "triangulation_min_kinds": triangulation_min_kinds,
            "reminders": [
                {"milestone": m, "lead_school_days": lead, "remind_on": on}
                for m, lead, on in reminders or []
            ],
            "version": version,
            "changed_at": datetime.now(UTC),
        }
    )


async def transition(
    client: httpx.AsyncClient,
    review_id: uuid.UUID | str,
    to: str,
    headers: dict[str, str],
    reader: dict[str, str],
    reason: str | None = None,
) -> httpx.Response:
    """Ask for a move by ``headers``, with the review's current ETag as ``reader`` sees it."""
    current = await client.get(f"/v1/reviews/{review_id}", headers=reader)
    body: dict[str, Any] = {"to": to}
    if reason is not None:
        body["reason"] = reason
    return await client.post(
        f"/v1/reviews/{review_id}/transitions",
        json=body,
        headers={**headers, "If-Match": current.headers["etag"]},
    )


@dataclass
class Kit:
    client: httpx.AsyncClient
    js: JetStreamContext
    db: Database
    key_path: Path
    app: FastAPI
    sent: list[str] = field(default_factory=list)

    def token(
        self,
        *scopes: str,
        person: uuid.UUID | None = None,
        subject: str = "test-client",
        **tenancy: list[str],
    ) -> dict[str, str]:
        token = issue_dev_token(
            load_or_create_dev_key(self.key_path),
            issuer=ISSUER,
            audience=AUDIENCE,
            subject=subject,
            scopes=scopes,
            la=tenancy.get("la", ()),
            trusts=tenancy.get("trusts", ()),
            partnerships=tenancy.get("partnerships", ()),
            schools=tenancy.get("schools", ()),
            person_id=None if person is None else str(person),
        )
        return bearer(token)

    async def send(
        self,
        definition: EventDefinition[Any],
        payload: BaseModel,
        *,
        tenancy: TenancyPath,
        key: str,
        event: CloudEvent | None = None,
        dedupe: bool = True,
    ) -> CloudEvent:
        """Put an event on the stream (``dedupe=False``: no Nats-Msg-Id, so JetStream keeps a
        duplicate and the consumer's inbox is what has to drop it)."""
        event = event or CloudEvent(
            source=definition.source,
            type=definition.type,
            subject=key,
            data=payload.model_dump(mode="json"),
            partitionkey=key,
        )
        headers = {"Nats-Msg-Id": event.id} if dedupe else None
        await self.js.publish(definition.subject(tenancy), event.to_bytes(), headers=headers)
        return event

    async def applied(self, *events: CloudEvent, consumer: str = "reviews-schedule") -> None:
        """Wait until the consumer has handled (and recorded) every one of ``events``."""

        async def done() -> bool:
            async with self.db.session() as session:
                for event in events:
                    row = await session.get(InboxMessage, (consumer, event.id))
                    if row is None or row.status != "applied":
                        return False
            return True

        await eventually(done, within=20)

    async def plan(self, payload: ReviewPlanPayload, action: str = "planned") -> CloudEvent:
        from contracts import schedule

        definition = {
            "planned": schedule.REVIEW_PLANNED,
            "rescheduled": schedule.REVIEW_RESCHEDULED,
            "team_changed": schedule.REVIEW_TEAM_CHANGED,
        }[action]
        event = await self.send(
            definition,
            payload,
            tenancy=TenancyPath(LA, str(payload.partnership_id), payload.urn),
            key=f"review:{payload.review_id}",
        )
        await self.applied(event)
        return event

    async def agreement(
        self,
        *,
        la: str = "aggregated",
        trust: str = "aggregated",
        partnership: str = "named",
        v: int = 1,
        consented: tuple[int, ...] = (URN, OTHER_URN),
    ) -> None:
        """The partnership's version ``v``, and (as scheduling sends them) the terms in force
        for each school in ``consented``, as if its head consented to it; pass
        ``consented=()`` for a proposal nobody has consented to."""
        payload = AGREEMENT_CHANGED.payload.model_validate(
            {
                "partnership_id": PARTNERSHIP,
                "la_code": LA,
                "partnership_visibility": partnership,
                "trust_visibility": trust,
                "local_authority_visibility": la,
                "suppression_threshold": 5,
                "version": v,
                "updated_at": datetime.now(UTC),
            }
        )
        event = await self.send(
            AGREEMENT_CHANGED,
            payload,
            tenancy=TenancyPath(LA, str(PARTNERSHIP)),
            key=f"partnership:{PARTNERSHIP}",
        )
        await self.applied(event, consumer="reviews-directory")
        for urn in consented:
            await self.school_terms(urn, la=la, trust=trust, partnership=partnership, v=v)

    async def school_terms(
        self,
        urn: int,
        *,
        la: str = "aggregated",
        trust: str = "aggregated",
        partnership: str = "named",
        v: int = 1,
    ) -> None:
        """The terms in force for one member school (its consent, withdrawal or a narrowing)."""
        payload = SCHOOL_AGREEMENT_CHANGED.payload.model_validate(
            {
                "partnership_id": PARTNERSHIP,
                "urn": urn,
                "la_code": LA,
                "partnership_visibility": partnership,
                "trust_visibility": trust,
                "local_authority_visibility": la,
                "suppression_threshold": 5,
                "named_for_support": False,
                "consented_version": v,
                "version": v,
                "updated_at": datetime.now(UTC),
            }
        )
        event = await self.send(
            SCHOOL_AGREEMENT_CHANGED,
            payload,
            tenancy=TenancyPath(LA, str(PARTNERSHIP), urn),
            key=f"partnership:{PARTNERSHIP}",
        )
        await self.applied(event, consumer="reviews-directory")

    async def partnership(self, name: str = "Chelmer Valley Partnership") -> None:
        payload = PARTNERSHIP_CREATED.payload.model_validate(
            {
                "id": PARTNERSHIP,
                "name": name,
                "kind": "la_cluster",
                "la_code": LA,
                "version": 1,
                "updated_at": datetime.now(UTC),
            }
        )
        event = await self.send(
            PARTNERSHIP_CREATED,
            payload,
            tenancy=TenancyPath(LA, str(PARTNERSHIP)),
            key=f"partnership:{PARTNERSHIP}",
        )
        await self.applied(event, consumer="reviews-directory")

    async def school(self, urn: int, trust: str | None = TRUST) -> None:
        payload = SCHOOL_REGISTERED.payload.model_validate(
            {
                "urn": urn,
                "name": f"School {urn}",
                "phase": "primary",
                "la_code": LA,
                "establishment_number": None,
                "trust_uid": trust,
                "postcode": None,
                "easting": None,
                "northing": None,
                "status": "open",
                "version": 1,
                "updated_at": datetime.now(UTC),
            }
        )
        event = await self.send(
            SCHOOL_REGISTERED, payload, tenancy=TenancyPath(LA, None, urn), key=f"school:{urn}"
        )
        await self.applied(event, consumer="reviews-directory")

    async def taxonomy(
        self,
        version: int,
        codes: dict[str, bool],
        *,
        event: CloudEvent | None = None,
        dedupe: bool = True,
    ) -> CloudEvent:
        """Publish the whole taxonomy at ``version``: ``{code: retired}`` (parents implied)."""
        themes = [
            {
                "code": code,
                "label": code.rsplit(".", 1)[-1].replace("_", " ").capitalize(),
                "parent": code.rsplit(".", 1)[0] if "." in code else None,
                "retired": retired,
            }
            for code, retired in sorted(codes.items())
        ]
        payload = TAXONOMY_UPDATED.payload.model_validate(
            {"version": version, "themes": themes, "published_at": datetime.now(UTC)}
        )
        sent = await self.send(
            TAXONOMY_UPDATED,
            payload,
            tenancy=TenancyPath(),
            key="taxonomy",
            event=event,
            dedupe=dedupe,
        )
        await self.applied(sent, consumer="reviews-taxonomy")
        return sent

    async def get(self, review_id: uuid.UUID) -> httpx.Response:
        return await self.client.get(f"/v1/reviews/{review_id}", headers=self.admin)

    @property
    def admin(self) -> dict[str, str]:
        """The partnership lead: sees every review of the partnership."""
        return self.token(*RW, partnerships=[str(PARTNERSHIP)])

    async def move(
        self, review_id: uuid.UUID, to: str, headers: dict[str, str], reason: str | None = None
    ) -> httpx.Response:
        return await transition(self.client, review_id, to, headers, self.admin, reason)


TokenFor = Callable[..., dict[str, str]]


# --- Integration: events, webhooks ----------------------------------------------------------

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
        "reviews.milestone.due_soon.v1",
        "reviews.milestone.overdue.v1",
        "reviews.review.closed.v1",
    )
}
CONTENT = {
    PREFIX + name
    for name in (
        "reviews.report.published.v1",
        "reviews.action_plan.agreed.v1",
        "reviews.action.updated.v1",
        "reviews.support.requested.v1",
        "reviews.support.answered.v1",
        "reviews.progress.reviewed.v1",
    )
}
STREAM = "REVIEW_EVENTS"


def short(event_type: str) -> str:
    """``org.criticalfriend.reviews.review.closed.v1`` -> ``review.closed``."""
    return ".".join(event_type.split(".")[-3:-1])


async def review_events(server: NatsServer, count: int) -> list[tuple[int, dict[str, Any]]]:
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
