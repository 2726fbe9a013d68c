"""Issue 4's end-to-end walk across the three services: a schedule published in scheduling
becomes review records in reviews; one of them is walked through every stage by the tokens of
its published team, its IC, the school's head and the partnership lead (moves first tried by a
wrong role), to closed; every event is on its service's stream exactly once; knowledge ingests
the report, the plan and the 90-day review once; and a redelivered schedule event changes
nothing."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from itertools import pairwise
from typing import Any

import nats

from common.testing.apps import eventually
from common.testing.nats import NatsServer
from knowledge.db import InboxMessage as KnowledgeInbox
from knowledge.db import OutboxMessage as KnowledgeOutbox
from knowledge.intake.directory.models import DirectoryAgreement as KnowledgeAgreement
from reviews.db import InboxMessage as ReviewsInbox
from reviews.directory.models import DirectoryAgreement as ReviewsAgreement
from scheduling.db import OutboxMessage as SchedulingOutbox
from tests.e2e.conftest import System
from tests.reviews.full_walk import STRENGTH_TEXT, WRONG, walk_every_stage
from tests.reviews.walk import (
    STAGES,
    WALK,
    Walker,
    inbox_applied,
    ok,
    outbox_drained,
    stream_events,
)
from tests.scheduling.kit import Built, build_partnership, finished_job
from tests.support import TokenFactory, assert_problem, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read", "schedule:write")
RW = ("reviews:read", "reviews:write")
#: Names the schools to the partnership, so the findings' words (and the school's name) may
#: leave the school for its lead, in reviews and in knowledge.
AGREEMENT = {
    "partnership_visibility": "named",
    "trust_visibility": "aggregated",
    "local_authority_visibility": "aggregated",
    "suppression_threshold": 5,
}


def _kind(event: dict[str, Any]) -> str:
    """``org.criticalfriend.reviews.report.published.v1`` -> ``report.published``."""
    return ".".join(event["type"].split(".")[-3:-1])


async def _publish(system: System, council: dict[str, str]) -> tuple[Built, list[Any]]:
    """A partnership of three schools, its agreement changed to name schools, its cycle
    scheduled and published: the published reviews."""
    built = await build_partnership(
        system.scheduling,
        council,
        urns=[153001, 153002, 153003],
        name="Lifecycle Partnership",
        policy={"team": {"reviewers": 1}, "triangulation_min_kinds": 3},
    )
    agreed = await system.scheduling.put(
        f"/v1/partnerships/{built.partnership_id}/agreement",
        json=AGREEMENT,
        headers={**council, "If-Match": '"1"'},
    )
    assert agreed.status_code == 200, agreed.text
    started = await system.scheduling.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={}, headers=council
    )
    assert started.status_code == 202, started.text
    job = await finished_job(system.scheduling, started.headers["location"], council)
    assert job["status"] == "succeeded", job
    published = await system.scheduling.post(
        f"/v1/cycles/{built.cycle_id}/schedule/publish", headers=council
    )
    assert published.status_code == 201, published.text
    reviews: list[Any] = published.json()["reviews"]
    assert len(reviews) == len(built.urns)
    return built, reviews


def _people(
    issue_token: TokenFactory, built: Built, target: dict[str, Any]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Each role's token from the published plan (a person's own token names their home
    school, as a head's or a teacher's would), and each role's person id."""
    team = {m["role"]: m for m in target["team"]}
    ic = target["improvement_champion"]
    ids = {
        "head": built.staff[target["urn"]].head,  # headteacher at the school, not on its team
        "lead": team["lead_reviewer"]["person_id"],
        "reviewer": team["reviewer"]["person_id"],
        "ic": ic["person_id"],
    }
    homes = {
        "head": target["urn"],
        "lead": team["lead_reviewer"]["home_urn"],
        "reviewer": team["reviewer"]["home_urn"],
        "ic": ic["home_urn"],
    }
    on_review = {ids["lead"], ids["reviewer"], ids["ic"]}
    assert ids["head"] not in on_review
    # Someone of the partnership with no part in this review: it does not exist for them.
    outsider, home = next(
        (person, urn)
        for urn, staff in built.staff.items()
        if urn != target["urn"]
        for person in (staff.deputy, staff.champion)
        if person not in on_review
    )
    ids["outsider"], homes["outsider"] = outsider, home
    who = {
        role: bearer(issue_token(*RW, person_id=ids[role], schools=[str(homes[role])]))
        for role in ids
    }
    who["partnership_lead"] = bearer(issue_token(*RW, partnerships=[built.partnership_id]))
    return who, ids


async def _acknowledged(server: NatsServer, consumers: list[str], seq: int) -> None:
    """Wait until each durable consumer of SCHEDULING has acknowledged stream message ``seq``
    (its handler's transaction, or its skip as a duplicate, is committed by then)."""
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()

        async def done() -> bool:
            for durable in consumers:
                info = await js.consumer_info("SCHEDULING", durable)
                if info.ack_floor is None or (info.ack_floor.stream_seq or 0) < seq:
                    return False
            return True

        await eventually(done, within=20)
    finally:
        await nc.close()


async def test_a_published_review_walked_to_closed_across_the_services(
    system: System, nats_server: NatsServer, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token(*SCOPES, la=["881"]))
    built, planned = await _publish(system, council)
    pid = built.partnership_id
    target = planned[0]
    review_id = target["id"]
    who, ids = _people(issue_token, built, target)
    walker = Walker(system.reviews, who)

    # The review arrives in reviews with the published plan.
    async def arrived() -> bool:
        return (await walker.get(review_id)).status_code == 200

    await eventually(arrived, within=30)
    record = (await walker.get(review_id)).json()
    assert (record["state"], record["urn"], record["partnership_id"]) == (
        "planned",
        target["urn"],
        pid,
    )
    assert [(m["person_id"], m["role"]) for m in record["team"]] == [
        (m["person_id"], m["role"]) for m in target["team"]
    ]
    assert record["improvement_champion"]["person_id"] == ids["ic"]
    assert record["triangulation_min_kinds"] == 3

    # The agreement reaches reviews and knowledge before the report is written: the words are
    # shared by one and kept by the other only while their copy names the schools.
    async def agreement_arrived() -> bool:
        async with system.reviews_db.session() as session:
            in_reviews = await session.get(ReviewsAgreement, uuid.UUID(pid))
        async with system.knowledge_db.session() as session:
            in_knowledge = await session.get(KnowledgeAgreement, uuid.UUID(pid))
        return all(
            terms is not None and terms.partnership_visibility == "named"
            for terms in (in_reviews, in_knowledge)
        )

    await eventually(agreement_arrived, within=20)
    council_reader = bearer(issue_token("reviews:read", la=["881"]))  # aggregates only
    assert_problem(
        await system.reviews.get(f"/v1/reviews/{review_id}", headers=council_reader), 404
    )

    wrong = {**WRONG, "review_day": ("outsider", 404), "workshop": ("outsider", 404)}
    findings = await walk_every_stage(walker, review_id, wrong)
    assert len(findings) == 1

    # Every move, by the right person, once, in the history.
    history = await walker.history(review_id)
    moves = [
        (h["changes"]["state"]["to"], h["actor_person_id"])
        for h in history
        if h["action"] == "transitioned"
    ]
    assert moves == [(to, ids[role]) for to, role in WALK]

    # The schedule's events: one planned event per published review, no duplicates.
    await outbox_drained(system.scheduling_db, SchedulingOutbox)
    schedule_events = await stream_events(nats_server, "SCHEDULING", "scheduling.review.>")
    planned_ids = Counter(
        e["data"]["review_id"] for _, e in schedule_events if _kind(e) == "review.planned"
    )
    assert planned_ids == {r["id"]: 1 for r in planned}
    assert len(schedule_events) == len(planned)
    assert len({e["id"] for _, e in schedule_events}) == len(schedule_events)

    # The plan names its people, and the report the school receives names them and the
    # partnership (from the directory), not their ids.
    [plan_data] = [e["data"] for _, e in schedule_events if e["data"]["review_id"] == review_id]
    names = [m["name"] for m in plan_data["team"]]
    names.append(plan_data["improvement_champion"]["name"])
    assert all(names), plan_data
    rendered = await system.reviews.get(
        f"/v1/reviews/{review_id}/report?format=markdown", headers=who["head"]
    )
    assert rendered.status_code == 200, rendered.text
    for name in names:
        assert name in rendered.text
    assert "Partnership: Not known" not in rendered.text
    assert "Name not yet received" not in rendered.text

    # The review's events on REVIEWS: each move once; the report, the plan, the 90-day review
    # and the closing once each.
    await outbox_drained(system.reviews_db)
    published = [
        (subject, e)
        for subject, e in await stream_events(nats_server, "REVIEWS", "reviews.>")
        if e["data"]["review_id"] == review_id
    ]
    # Each on the review's tenancy path (<service>.<aggregate>.<event>.v1.<la>.<partnership>.<urn>).
    assert {s.split(".", 4)[4] for s, _ in published} == {f"881.{pid}.{target['urn']}"}
    mine = [e for _, e in published]
    assert Counter(_kind(e) for e in mine) == {
        "review.transitioned": len(WALK),
        "report.published": 1,
        "action_plan.agreed": 1,
        "progress.reviewed": 1,
        "review.closed": 1,
    }
    assert len({e["id"] for e in mine}) == len(mine)
    transitions = [e["data"] for e in mine if _kind(e) == "review.transitioned"]
    assert [(t["from_state"], t["to_state"]) for t in transitions] == list(pairwise(STAGES))
    [report] = [e["data"] for e in mine if _kind(e) == "report.published"]
    assert [f["finding_id"] for f in report["findings"]] == findings
    assert (report["text_shared"], report["untriangulated_override"]) == (True, False)

    # Knowledge consumed each of them once: its inbox holds them all, its figures count the
    # one finding, and the lead finds its words under the school's name.
    async def ingested() -> bool:
        ids_ = {e["id"] for e in mine}
        done = await inbox_applied(system.knowledge_db, KnowledgeInbox, "knowledge-reviews", ids_)
        return done == len(mine)

    await eventually(ingested, within=30)
    reader = bearer(issue_token("knowledge:read", partnerships=[pid]))
    scope = {"scope": "partnership", "id": pid, "year": built.academic_year}
    themes = ok(await system.knowledge.get("/v1/insights/themes", params=scope, headers=reader))
    assert themes["view"] == "named"
    reviewed = {"value": 1, "suppressed": False, "suppressed_reason": None}
    assert themes["reviewed_schools"] == reviewed
    reading = {(t["code"], t["kind"]): t for t in themes["themes"]}[
        ("curriculum.reading", "strength")
    ]
    assert (reading["findings"], reading["triangulated"], reading["urns"]) == (
        1,
        1,
        [target["urn"]],
    )
    outcomes = ok(
        await system.knowledge.get(
            "/v1/insights/outcomes", params={**scope, "by": "theme"}, headers=reader
        )
    )
    by_theme = {o["key"]: o for o in outcomes["data"]}
    rated = by_theme["curriculum.reading"]["actions"]
    assert (rated["on_track"], sum(rated.values())) == (1, 1)
    hits = ok(
        await system.knowledge.get(
            "/v1/insights/search",
            params={"q": "widely", "scope": "partnership", "id": pid},
            headers=reader,
        )
    )["data"]
    assert [(h["type"], h["id"], h["text"], h["school_name"]) for h in hits] == [
        ("finding", findings[0], STRENGTH_TEXT, f"School {target['urn']}")
    ]

    # KNOWLEDGE: the seeded taxonomy once (ready means seeded), no emerging theme from one
    # review.
    async def seeded() -> bool:
        return (await system.knowledge.get("/readyz")).status_code == 200

    await eventually(seeded, within=20)
    await outbox_drained(system.knowledge_db, KnowledgeOutbox)
    knowledge_events = await stream_events(nats_server, "KNOWLEDGE", "knowledge.>")
    assert [_kind(e) for _, e in knowledge_events] == ["taxonomy.updated"]

    # The schedule's event delivered again (a new stream message, same CloudEvent id) is
    # acknowledged by both consumers and changes nothing.
    [(subject, event)] = [(s, e) for s, e in schedule_events if e["data"]["review_id"] == review_id]
    before = (await walker.get(review_id)).json()
    nc = await nats.connect(nats_server.url)
    try:
        ack = await nc.jetstream().publish(subject, json.dumps(event).encode())
    finally:
        await nc.close()
    assert not ack.duplicate  # no Nats-Msg-Id: JetStream keeps it, the inboxes must drop it
    await _acknowledged(nats_server, ["reviews-schedule", "knowledge-schedule"], ack.seq)
    assert (
        await inbox_applied(system.reviews_db, ReviewsInbox, "reviews-schedule", {event["id"]}) == 1
    )
    assert (await walker.get(review_id)).json() == before
    assert len(await walker.history(review_id)) == len(history)
    await outbox_drained(system.reviews_db)
    again = [
        e
        for _, e in await stream_events(nats_server, "REVIEWS", "reviews.>")
        if e["data"]["review_id"] == review_id
    ]
    assert again == mine
    assert (
        ok(await system.knowledge.get("/v1/insights/themes", params=scope, headers=reader))
        == themes
    )
