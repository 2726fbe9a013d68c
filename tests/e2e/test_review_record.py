"""A review planned on the schedule's stream meets the directory from scheduling in reviews: the
partnership lead and the school read it, the LA only as the agreement allows, and its lifecycle
moves are published on the REVIEWS stream."""

from __future__ import annotations

import json
import uuid

import nats

from common.messaging import CloudEvent
from common.testing.apps import eventually
from common.testing.nats import NatsServer
from contracts.events import TenancyPath
from contracts.schedule import REVIEW_PLANNED
from reviews.db import InboxMessage
from tests.e2e.conftest import System
from tests.reviews.conftest import plan
from tests.support import TokenFactory, bearer

SCHOOL = {"name": "Record Primary", "phase": "primary", "la_code": "881", "status": "open"}


async def test_a_planned_review_through_the_system(
    system: System, nats_server: NatsServer, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    assert (
        await system.scheduling.put("/v1/schools/151000", json=SCHOOL, headers=council)
    ).status_code == 201
    created = await system.scheduling.post(
        "/v1/partnerships",
        json={"name": "Record Partnership", "kind": "la_cluster", "la_code": "881"},
        headers=council,
    )
    pid = created.json()["id"]
    await system.scheduling.put(f"/v1/partnerships/{pid}/members/151000", headers=council)

    review_id = uuid.uuid4()
    payload = plan(review_id, urn=151000).model_copy(update={"partnership_id": uuid.UUID(pid)})
    event = CloudEvent(
        source=REVIEW_PLANNED.source,
        type=REVIEW_PLANNED.type,
        subject=f"reviews/{review_id}",
        data=payload.model_dump(mode="json"),
        partitionkey=f"review:{review_id}",
    )
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        subject = REVIEW_PLANNED.subject(TenancyPath("881", pid, 151000))
        await js.publish(subject, event.to_bytes(), headers={"Nats-Msg-Id": event.id})

        async def applied() -> bool:
            async with system.reviews_db.session() as session:
                row = await session.get(InboxMessage, ("reviews-schedule", event.id))
            return row is not None

        await eventually(applied, within=20)

        lead = bearer(issue_token("reviews:read", "reviews:write", partnerships=[pid]))
        head = bearer(issue_token("reviews:read", "reviews:write", schools=["151000"]))
        la = bearer(issue_token("reviews:read", la=["881"]))
        path = f"/v1/reviews/{review_id}"
        assert (await system.reviews.get(path, headers=lead)).status_code == 200
        assert (await system.reviews.get(path, headers=head)).status_code == 200

        # The default agreement (from scheduling) shows the LA aggregates only, never the record.
        async def agreement_arrived() -> bool:
            from reviews.directory.models import DirectoryAgreement

            async with system.reviews_db.session() as session:
                return await session.get(DirectoryAgreement, uuid.UUID(pid)) is not None

        await eventually(agreement_arrived, within=20)
        assert (await system.reviews.get(path, headers=la)).status_code == 404

        moved = await system.reviews.post(
            f"{path}/transitions",
            json={"to": "self_review"},
            headers={**head, "If-Match": '"1"'},
        )
        assert moved.status_code == 200, moved.text
        sub = await js.pull_subscribe("reviews.>", durable=None, stream="REVIEWS")
        [msg] = await sub.fetch(1, timeout=10)
        assert msg.subject == f"reviews.review.transitioned.v1.881.{pid}.151000"
        data = json.loads(msg.data)["data"]
        assert (data["from_state"], data["to_state"]) == ("planned", "self_review")
    finally:
        await nc.close()
