"""Actions as they are lived: interim progress updates on an agreed plan's actions (by the IC
or the school, between the agreement and the 90-day review), kept in the action's updates and
the review's history, each with its event in the same transaction; strangers get 404."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from common.testing.nats import NatsServer
from tests.reviews.kit import RW, Kit, plan
from tests.reviews.test_focus import _history
from tests.reviews.walk import ok, people, published_events, walk_to, walker
from tests.support import assert_problem


async def test_progress_updates_between_agreement_and_the_90_day_review(
    kit: Kit, nats_server: NatsServer
) -> None:
    await kit.agreement(partnership="named")  # the note may leave the school
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    await walk_to(kit, review_id, "action_plan_agreed")
    who = people(kit)
    base = f"/v1/reviews/{review_id}"
    [action] = ok(await kit.client.get(f"{base}/action-plan", headers=who["ic"]))["actions"]
    url = f"{base}/action-plan/actions/{action['id']}/updates"
    today = date.today()
    first = {
        "noted_on": (today - timedelta(days=7)).isoformat(),
        "note": "Started in Y5.",
        "criteria": "not_yet",
    }
    second = {"noted_on": today.isoformat(), "note": "Five of six classes.", "criteria": "partly"}

    # Who may: the school and the IC write; the team reads; a stranger finds nothing.
    assert_problem(await kit.client.post(url, json=first, headers=who["lead"]), 403)
    stranger = kit.token(*RW, schools=["999999"])
    assert_problem(await kit.client.post(url, json=first, headers=stranger), 404)
    assert_problem(await kit.client.get(url, headers=stranger), 404)
    other_action = f"{base}/action-plan/actions/{uuid.uuid4()}/updates"
    assert_problem(await kit.client.post(other_action, json=first, headers=who["ic"]), 404)
    for bad in (
        {**first, "noted_on": (today + timedelta(days=1)).isoformat()},
        {**first, "criteria": "mostly"},
        {**first, "note": ""},
    ):
        assert_problem(await kit.client.post(url, json=bad, headers=who["head"]), 422)

    noted = await kit.client.post(url, json=first, headers=who["head"])
    assert noted.status_code == 201, noted.text
    assert noted.json()["criteria"] == "not_yet"
    ok(await kit.client.post(url, json=second, headers=who["ic"]), 201)
    listed = ok(await kit.client.get(url, headers=who["lead"]))["data"]
    assert [(u["criteria"], u["note"]) for u in listed] == [
        ("not_yet", "Started in Y5."),
        ("partly", "Five of six classes."),
    ]
    history = [h["action"] for h in await _history(kit, review_id)]
    assert history.count("action_updated") == 2

    events = await published_events(kit, nats_server, "reviews.action.>")
    assert [e["data"]["criteria"] for _, e in events] == ["not_yet", "partly"]
    assert events[0][1]["data"]["note"] == "Started in Y5."
    assert events[0][1]["data"]["action_id"] == action["id"]

    # Still open in progress_review; closed once the 90-day review is recorded.
    await walk_to(kit, review_id, "progress_review")
    ok(await kit.client.post(url, json=second, headers=who["head"]), 201)
    ok(await walker(kit).record_progress(review_id), 201)
    assert_problem(await kit.client.post(url, json=second, headers=who["head"]), 409)
    assert len(ok(await kit.client.get(url, headers=who["head"]))["data"]) == 3
