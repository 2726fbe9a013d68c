"""Stand-ins for the producers the knowledge service listens to: directory and schedule events on
the SCHEDULING stream, the reviews service's events on the REVIEWS stream, built from the
contracts' own payload models (exactly what the producers publish), and the KNOWLEDGE stream
read back. The fixtures are in ``conftest.py``."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.js.client import JetStreamContext
from pydantic import BaseModel

from common.auth import issue_dev_token, load_or_create_dev_key
from common.db import Database
from common.messaging import CloudEvent
from common.testing.apps import eventually
from common.testing.nats import NatsServer
from contracts import directory, reviews, schedule
from contracts.events import EventDefinition, TenancyPath
from knowledge.db import InboxMessage
from tests.support import AUDIENCE, ISSUER, bearer

LA = "881"
YEAR = "2026-27"
CONSUMER_OF = {"scheduling": "knowledge-directory", "reviews": "knowledge-reviews"}


def agreement(
    partnership: uuid.UUID, la_visibility: str, version: int, updated_at: datetime
) -> directory.AgreementPayload:
    """A partnership's agreement that names schools to the partnership, shows the trust
    nothing, and gives the LA ``la_visibility``."""
    return directory.AgreementPayload.model_validate(
        {
            "partnership_id": partnership,
            "la_code": LA,
            "partnership_visibility": "named",
            "trust_visibility": "none",
            "local_authority_visibility": la_visibility,
            "suppression_threshold": 5,
            "version": version,
            "updated_at": updated_at,
        }
    )


def uid(n: int, prefix: str = "0190") -> uuid.UUID:
    return uuid.UUID(f"{prefix}0000-0000-7000-8000-{n:012d}")


def finding(
    kind: str,
    *codes: str,
    evidence: int = 3,
    kinds: tuple[str, ...] = ("lesson_visit", "pupil_voice"),
    triangulated: bool = True,
    text: str | None = None,
    n: int | None = None,
) -> dict[str, Any]:
    return {
        "finding_id": uuid.uuid4() if n is None else uid(n, "0f1d"),
        "kind": kind,
        "theme_codes": list(codes),
        "evidence_count": evidence,
        "evidence_kinds": list(kinds),
        "triangulated": triangulated,
        "question_id": None,
        "text": text,
    }


@dataclass
class Review:
    """One review as the reviews service publishes it."""

    review_id: uuid.UUID
    partnership_id: uuid.UUID
    urn: int
    year: str = YEAR
    la: str = LA
    day: date = date(2027, 3, 10)

    def ref(self) -> dict[str, Any]:
        return {
            "review_id": self.review_id,
            "cycle_id": uid(1, "0c1c"),
            "partnership_id": self.partnership_id,
            "la_code": self.la,
            "urn": self.urn,
            "academic_year": self.year,
        }

    def report(
        self, findings: list[dict[str, Any]], *, version: int = 1, text_shared: bool = False
    ) -> reviews.ReportPublishedPayload:
        return reviews.ReportPublishedPayload.model_validate(
            {
                **self.ref(),
                "report_version": version,
                "review_days": [self.day],
                "published_at": datetime.combine(
                    self.day + timedelta(days=9), datetime.min.time(), UTC
                ),
                "focus_theme_codes": [],
                "findings": findings,
                "evidence_items": sum(f["evidence_count"] for f in findings),
                "triangulation_min_kinds": 2,
                "untriangulated_override": False,
                "text_shared": text_shared,
            }
        )

    def plan(
        self, actions: list[dict[str, Any]], *, workshop_days: int = 30, text_shared: bool = False
    ) -> reviews.ActionPlanAgreedPayload:
        workshop = self.day + timedelta(days=workshop_days)
        return reviews.ActionPlanAgreedPayload.model_validate(
            {
                **self.ref(),
                "workshop_date": workshop,
                "agreed_at": datetime.combine(workshop, datetime.min.time(), UTC),
                "actions": [
                    {
                        "finding_ids": [],
                        "owner_role": "English lead",
                        "due_date": workshop + timedelta(days=60),
                        "research_source_ids": [],
                        "support_urn": None,
                        "text": None,
                        **a,
                    }
                    for a in actions
                ],
                "text_shared": text_shared,
            }
        )

    def progress(
        self, ratings: list[dict[str, Any]], *, on_time: bool = True
    ) -> reviews.ProgressReviewedPayload:
        due = self.day + timedelta(days=130)
        return reviews.ProgressReviewedPayload.model_validate(
            {
                **self.ref(),
                "reviewed_on": due if on_time else due + timedelta(days=10),
                "due_date": due,
                "on_time": on_time,
                "ratings": ratings,
            }
        )


@dataclass
class Kit:
    client: httpx.AsyncClient
    js: JetStreamContext
    db: Database
    key_path: Path
    versions: dict[Any, int] = field(default_factory=dict)

    def token(self, *scopes: str, **tenancy: list[str]) -> dict[str, str]:
        token = issue_dev_token(
            load_or_create_dev_key(self.key_path),
            issuer=ISSUER,
            audience=AUDIENCE,
            subject="test-client",
            scopes=scopes or ("knowledge:read",),
            la=tenancy.get("la", ()),
            trusts=tenancy.get("trusts", ()),
            partnerships=tenancy.get("partnerships", ()),
            schools=tenancy.get("schools", ()),
            person_id=(tenancy.get("person") or [None])[0],
        )
        return bearer(token)

    async def send(
        self,
        definition: EventDefinition[Any],
        payload: BaseModel,
        *,
        tenancy: TenancyPath,
        key: str,
    ) -> CloudEvent:
        event = CloudEvent(
            source=definition.source,
            type=definition.type,
            subject=key,
            data=payload.model_dump(mode="json"),
            partitionkey=key,
        )
        await self.js.publish(
            definition.subject(tenancy), event.to_bytes(), headers={"Nats-Msg-Id": event.id}
        )
        return event

    async def applied(self, *events: CloudEvent, within: float = 30) -> None:
        async def done() -> bool:
            async with self.db.session() as session:
                for event in events:
                    consumer = CONSUMER_OF.get(event.source.strip("/"), "knowledge-directory")
                    if event.type.startswith("org.criticalfriend.scheduling.review."):
                        consumer = "knowledge-schedule"
                    row = await session.get(InboxMessage, (consumer, event.id))
                    if row is None or row.status != "applied":
                        return False
            return True

        await eventually(done, within=within)

    def _version(self, key: Any) -> int:
        self.versions[key] = self.versions.get(key, 0) + 1
        return self.versions[key]

    async def school(
        self,
        urn: int,
        *,
        trust: str | None = None,
        at: tuple[int, int] | None = None,
        la: str = LA,
        trust_name: str | None = None,
    ) -> CloudEvent:
        payload = directory.SchoolPayload.model_validate(
            {
                "urn": urn,
                "name": f"School {urn}",
                "phase": "primary",
                "la_code": la,
                "establishment_number": None,
                "trust_uid": trust,
                "trust_name": trust_name,
                "postcode": None,
                "easting": at[0] if at else None,
                "northing": at[1] if at else None,
                "status": "open",
                "version": self._version(("school", urn)),
                "updated_at": datetime.now(UTC),
            }
        )
        definition = (
            directory.SCHOOL_REGISTERED if payload.version == 1 else directory.SCHOOL_UPDATED
        )
        return await self.send(
            definition, payload, tenancy=TenancyPath(la, None, urn), key=f"school:{urn}"
        )

    async def partnership(
        self, partnership_id: uuid.UUID, *, la: str = LA, name: str = ""
    ) -> CloudEvent:
        payload = directory.PartnershipPayload.model_validate(
            {
                "id": partnership_id,
                "name": name or f"Partnership {str(partnership_id)[-4:]}",
                "kind": "la_cluster",
                "la_code": la,
                "version": self._version(("partnership", partnership_id)),
                "updated_at": datetime.now(UTC),
            }
        )
        return await self.send(
            directory.PARTNERSHIP_CREATED,
            payload,
            tenancy=TenancyPath(la, str(partnership_id)),
            key=f"partnership:{partnership_id}",
        )

    async def member(
        self, partnership_id: uuid.UUID, urn: int, *, la: str = LA, joined: bool = True
    ) -> CloudEvent:
        payload = directory.MembershipPayload(
            partnership_id=partnership_id, urn=urn, la_code=la, occurred_at=datetime.now(UTC)
        )
        return await self.send(
            directory.MEMBER_JOINED if joined else directory.MEMBER_LEFT,
            payload,
            tenancy=TenancyPath(la, str(partnership_id), urn),
            key=f"partnership:{partnership_id}",
        )

    async def agreement(
        self,
        partnership_id: uuid.UUID,
        *,
        partnership: str = "named",
        trust: str = "aggregated",
        la_visibility: str = "aggregated",
        threshold: int = 5,
        named_for_support: bool = False,
        la: str = LA,
    ) -> CloudEvent:
        payload = directory.AgreementPayload.model_validate(
            {
                "partnership_id": partnership_id,
                "la_code": la,
                "partnership_visibility": partnership,
                "trust_visibility": trust,
                "local_authority_visibility": la_visibility,
                "suppression_threshold": threshold,
                "named_for_support": named_for_support,
                "version": self._version(("agreement", partnership_id)),
                "updated_at": datetime.now(UTC),
            }
        )
        return await self.send(
            directory.AGREEMENT_CHANGED,
            payload,
            tenancy=TenancyPath(la, str(partnership_id)),
            key=f"partnership:{partnership_id}",
        )

    async def school_terms(
        self,
        partnership_id: uuid.UUID,
        urn: int,
        *,
        partnership: str = "named",
        trust: str = "aggregated",
        la_visibility: str = "aggregated",
        threshold: int = 5,
        named_for_support: bool = False,
        la: str = LA,
    ) -> CloudEvent:
        """The terms in force for one member school, as scheduling sends them when the school
        consents to a version, withdraws, or a version narrows them."""
        version = self._version(("school_terms", partnership_id, urn))
        payload = directory.SchoolAgreementPayload.model_validate(
            {
                "partnership_id": partnership_id,
                "urn": urn,
                "la_code": la,
                "partnership_visibility": partnership,
                "trust_visibility": trust,
                "local_authority_visibility": la_visibility,
                "suppression_threshold": threshold,
                "named_for_support": named_for_support,
                "consented_version": version,
                "version": version,
                "updated_at": datetime.now(UTC),
            }
        )
        return await self.send(
            directory.SCHOOL_AGREEMENT_CHANGED,
            payload,
            tenancy=TenancyPath(la, str(partnership_id), urn),
            key=f"partnership:{partnership_id}",
        )

    async def review_event(self, definition: EventDefinition[Any], payload: Any) -> CloudEvent:
        return await self.send(
            definition,
            payload,
            tenancy=TenancyPath(payload.la_code, str(payload.partnership_id), payload.urn),
            key=f"review:{payload.review_id}",
        )

    async def report(
        self, review: Review, findings: list[dict[str, Any]], **options: Any
    ) -> CloudEvent:
        return await self.review_event(reviews.REPORT_PUBLISHED, review.report(findings, **options))

    async def plan_review(self, review: Review, champion: uuid.UUID) -> CloudEvent:
        payload = schedule.ReviewPlanPayload.model_validate(
            {
                **{k: v for k, v in review.ref().items() if k != "academic_year"},
                "academic_year": review.year,
                "mode": "in_person",
                "days": [review.day],
                "team": [],
                "improvement_champion": {"person_id": champion, "home_urn": None},
                "focus_areas": [],
                "milestones": {
                    "self_review_due": review.day - timedelta(days=28),
                    "pre_review_meeting": review.day - timedelta(days=10),
                    "report_due": review.day + timedelta(days=10),
                    "workshop_window_start": review.day + timedelta(days=20),
                    "workshop_window_end": review.day + timedelta(days=40),
                    "progress_review_due": review.day + timedelta(days=130),
                },
                "version": self._version(("plan", review.review_id)),
                "changed_at": datetime.now(UTC),
            }
        )
        return await self.review_event(schedule.REVIEW_PLANNED, payload)

    async def get(self, path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=headers)


async def knowledge_events(server: NatsServer, count: int) -> list[tuple[str, Any]]:
    """Exactly the first ``count`` messages of the KNOWLEDGE stream (waits for them)."""
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe("knowledge.>", durable=None, stream="KNOWLEDGE")
        received: list[tuple[str, Any]] = []
        while len(received) < count:
            for msg in await sub.fetch(count - len(received), timeout=10):
                received.append((msg.subject, json.loads(msg.data)))
                await msg.ack()
        return received
    finally:
        await nc.close()


async def stream_size(server: NatsServer) -> int:
    nc = await nats.connect(server.url)
    try:
        info = await nc.jetstream().stream_info("KNOWLEDGE")
        return int(info.state.messages)
    finally:
        await nc.close()
