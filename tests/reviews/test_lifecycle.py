"""Transitions: only the moves in the table, only by their roles, with If-Match; each one kept
in the history and published through the outbox."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import nats
import pytest

from common.testing.nats import NatsServer
from contracts.reviews import ReviewState
from reviews.review.models import TRANSITIONS, allowed_next
from tests.reviews.kit import (
    IC,
    LA,
    LEAD,
    PARTNERSHIP,
    REVIEWER,
    RW,
    SHADOW,
    URN,
    Kit,
    plan,
)
from tests.reviews.walk import WALK, advance, people, walk_to
from tests.support import assert_problem

_people = people


async def _walk_to(kit: Kit, review_id: uuid.UUID, state: str) -> None:
    await walk_to(kit, review_id, state)


async def _reviews_events(server: NatsServer, count: int) -> list[tuple[str, dict[str, Any]]]:
    nc = await nats.connect(server.url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            "reviews.review.>", durable=None, stream="REVIEWS"
        )
        received: list[tuple[str, dict[str, Any]]] = []
        while len(received) < count:
            for msg in await sub.fetch(count - len(received), timeout=10):
                received.append((msg.subject, json.loads(msg.data)))
                await msg.ack()
        return received
    finally:
        await nc.close()


def test_the_table_is_the_lifecycle() -> None:
    early = {ReviewState.PLANNED, ReviewState.SELF_REVIEW, ReviewState.PRE_REVIEW}
    for (origin, to), roles in TRANSITIONS.items():
        assert roles, (origin, to)
        if to in (ReviewState.POSTPONED, ReviewState.CANCELLED):
            assert origin in early | {ReviewState.POSTPONED}
    assert allowed_next(ReviewState.CLOSED) == []
    assert allowed_next(ReviewState.CANCELLED) == []
    assert allowed_next(ReviewState.POSTPONED) == [ReviewState.PLANNED, ReviewState.CANCELLED]


async def test_a_full_walk_by_the_right_roles(kit: Kit, nats_server: NatsServer) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    for to, who in WALK:
        moved = await advance(kit, review_id, to, who)
        assert moved.status_code == 200, (to, who, moved.text)
        review = (await kit.get(review_id)).json()
        assert review["state"] == to
        # Publishing the report and agreeing the plan answer with their own resource, and
        # the review's new ETag.
        assert moved.headers["etag"] == f'"{review["version"]}"'
    history = (
        await kit.client.get(f"/v1/reviews/{review_id}/history?limit=5", headers=kit.admin)
    ).json()
    entries = history["data"]
    while history["next_cursor"]:
        history = (
            await kit.client.get(
                f"/v1/reviews/{review_id}/history?limit=5&cursor={history['next_cursor']}",
                headers=kit.admin,
            )
        ).json()
        entries += history["data"]
    moves = [e for e in entries if e["action"] in ("planned", "transitioned")]
    assert [e["action"] for e in moves] == ["planned"] + ["transitioned"] * len(WALK)
    last = entries[-1]
    assert last["changes"] == {"state": {"from": "progress_review", "to": "closed"}}
    assert last["actor_person_id"] == str(IC)
    assert last["reason"] == "by ic"

    events = await _reviews_events(nats_server, len(WALK) + 1)
    subjects = [s for s, _ in events]
    assert subjects[0] == f"reviews.review.transitioned.v1.{LA}.{PARTNERSHIP}.{URN}"
    assert subjects[-1] == f"reviews.review.closed.v1.{LA}.{PARTNERSHIP}.{URN}"
    transitions = [e["data"] for s, e in events if ".transitioned." in s]
    assert [(t["from_state"], t["to_state"]) for t in transitions][-1] == (
        "progress_review",
        "closed",
    )
    assert {e["partitionkey"] for _, e in events} == {f"review:{review_id}"}
    assert all("reason" not in e["data"] for _, e in events)


@pytest.mark.parametrize("state", ["planned", "pre_review", "report_drafted", "closed"])
async def test_impossible_transitions_are_409_with_allowed(kit: Kit, state: str) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    await _walk_to(kit, review_id, state)
    before = (await kit.get(review_id)).json()
    allowed = {s.value for s in allowed_next(ReviewState(state))}
    impossible = [s.value for s in ReviewState if s.value not in allowed]
    for to in impossible:
        response = await kit.move(review_id, to, kit.admin)
        body = assert_problem(response, 409)
        assert body["allowed"] == [s.value for s in allowed_next(ReviewState(state))]
        assert body["state"] == state
    assert (await kit.get(review_id)).json() == before


@pytest.mark.parametrize(
    ("state", "to", "wrong"),
    [
        ("planned", "self_review", ["lead", "reviewer", "ic", "partnership_lead"]),
        ("pre_review", "review_day", ["head", "reviewer", "shadow", "ic", "partnership_lead"]),
        ("report_drafted", "report_published", ["head", "reviewer", "ic"]),
        ("report_published", "workshop", ["head", "lead", "partnership_lead"]),
        ("planned", "cancelled", ["head", "lead", "ic"]),
        ("self_review", "postponed", ["head", "lead", "reviewer"]),
    ],
)
async def test_wrong_roles_are_403_and_nothing_changes(
    kit: Kit, state: str, to: str, wrong: list[str]
) -> None:
    review_id = uuid.uuid4()
    await kit.plan(
        plan(review_id, team=[(LEAD, "lead_reviewer"), (REVIEWER, "reviewer"), (SHADOW, "shadow")])
    )
    await _walk_to(kit, review_id, state)
    before = (await kit.get(review_id)).json()
    people = _people(kit)
    for who in wrong:
        response = await kit.move(review_id, to, people[who])
        assert_problem(response, 403)
    # Someone who cannot see the review at all gets 404.
    stranger = kit.token(*RW, person=uuid.uuid4(), schools=["115999"])
    assert_problem(await kit.move(review_id, to, stranger), 404)
    assert (await kit.get(review_id)).json() == before


async def test_a_team_member_from_the_school_is_not_the_head(kit: Kit) -> None:
    """The school's role is its head: a token of the school whose person is on the team is not."""
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    on_team = kit.token(*RW, person=REVIEWER, schools=[str(URN)])
    assert_problem(await kit.move(review_id, "self_review", on_team), 403)


async def test_postponed_returns_to_planned_then_cancelled(kit: Kit) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    await _walk_to(kit, review_id, "self_review")
    assert (await kit.move(review_id, "postponed", kit.admin, reason="Ofsted")).status_code == 200
    assert (await kit.get(review_id)).json()["allowed_transitions"] == ["planned", "cancelled"]
    assert (await kit.move(review_id, "planned", kit.admin)).status_code == 200
    cancelled = await kit.move(review_id, "cancelled", kit.admin, reason="Merger")
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "Merger"


async def test_stale_or_missing_if_match(kit: Kit) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    head = _people(kit)["head"]
    path = f"/v1/reviews/{review_id}/transitions"
    body = {"to": "self_review"}
    assert (await kit.move(review_id, "self_review", head)).status_code == 200
    stale = await kit.client.post(path, json=body, headers={**head, "If-Match": '"1"'})
    assert_problem(stale, 412)
    missing = await kit.client.post(path, json={"to": "pre_review"}, headers=head)
    assert_problem(missing, 428)
    assert (await kit.get(review_id)).json()["state"] == "self_review"


async def test_bad_bodies_are_422_and_change_nothing(kit: Kit) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    head = {**_people(kit)["head"], "If-Match": '"1"'}
    path = f"/v1/reviews/{review_id}/transitions"
    for body in (
        {"to": "nowhere"},
        {"to": "self_review", "extra": 1},
        {},
        {"to": "self_review", "reason": ""},
    ):
        assert_problem(await kit.client.post(path, json=body, headers=head), 422)
    assert (await kit.get(review_id)).json()["state"] == "planned"


async def test_concurrent_moves_with_one_etag_apply_once(kit: Kit) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    people = _people(kit)
    path = f"/v1/reviews/{review_id}/transitions"

    async def attempt(to: str, who: str) -> int:
        headers = {**people[who], "If-Match": '"1"'}
        return (await kit.client.post(path, json={"to": to}, headers=headers)).status_code

    attempts = [("self_review", "head"), ("postponed", "partnership_lead")] * 3
    statuses = await asyncio.gather(*(attempt(to, who) for to, who in attempts))
    assert sorted(statuses) == [200] + [412] * 5
    history = await kit.client.get(f"/v1/reviews/{review_id}/history", headers=kit.admin)
    assert len(history.json()["data"]) == 2
    assert (await kit.get(review_id)).json()["version"] == 2
