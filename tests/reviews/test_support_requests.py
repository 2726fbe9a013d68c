"""A partner school named to support an action (``support_urn``) is told when the plan is agreed
(``reviews.support.requested`` reaches its webhooks, though it cannot read the review) and
accepts or declines once; the answer is in the review's history and its own event. Another
school, the reviewed school itself and strangers find no request (404)."""

from __future__ import annotations

import contextlib
import uuid

from common.testing.apps import eventually
from common.testing.nats import NatsServer
from common.webhooks import new_secret
from tests.common.webhook_support import RecordingReceiver, serving
from tests.reviews.kit import CONTENT, OTHER_URN, RW, Kit, plan, short, subscribe
from tests.reviews.test_focus import _history
from tests.reviews.test_workshop import WORKSHOP, _action, _put
from tests.reviews.walk import ok, people, published_events, walk_to
from tests.support import assert_problem


async def test_the_supporting_school_is_told_and_answers_once(
    kit: Kit, nats_server: NatsServer
) -> None:
    await kit.agreement(partnership="named")
    who = people(kit)
    helper = kit.token(*RW, subject="helper-mis", schools=[str(OTHER_URN)])
    reader_only = kit.token("reviews:read", schools=[str(OTHER_URN)])
    other_school = kit.token(*RW, subject="other-mis", schools=["115999"])
    secret = new_secret()
    receivers = {name: RecordingReceiver([secret]) for name in ("helper", "other")}
    async with contextlib.AsyncExitStack() as stack:
        urls = {n: await stack.enter_async_context(serving(r.app)) for n, r in receivers.items()}
        types = sorted(CONTENT)
        await subscribe(kit, helper, urls["helper"] + "/", secret, types)
        await subscribe(kit, other_school, urls["other"] + "/", secret, types)

        review_id = uuid.uuid4()
        await kit.plan(plan(review_id))
        await walk_to(kit, review_id, "workshop")
        base = f"/v1/reviews/{review_id}"
        ok(await _put(kit, f"{base}/workshop", WORKSHOP, who["ic"], base))
        body = {
            "actions": [
                _action(),
                _action(
                    what="Reading champions", kind="school_to_school_support", support_urn=OTHER_URN
                ),
            ]
        }
        written = ok(await _put(kit, f"{base}/action-plan", body, who["ic"], base))
        assert [a["support_status"] for a in written["actions"]] == [None, None]
        assert ok(await kit.client.get("/v1/support-requests", headers=helper))["data"] == []
        review_etag = (await kit.get(review_id)).headers["etag"]
        agreed = await kit.client.post(
            f"{base}/action-plan/agreement", json={}, headers={**who["ic"], "If-Match": review_etag}
        )
        assert agreed.status_code == 200, agreed.text
        assert [a["support_status"] for a in agreed.json()["actions"]] == [None, "asked"]
        action_id = written["actions"][1]["id"]

        # Told: its webhook gets the request (not the plan it cannot read); the other's nothing.
        async def told() -> bool:
            return [short(e["type"]) for e in receivers["helper"].events()] == ["support.requested"]

        await eventually(told, within=30)
        [event] = receivers["helper"].events()
        assert event["data"]["action_id"] == action_id
        assert event["data"]["support_urn"] == OTHER_URN
        assert event["data"]["text"] == "Reading champions"

        listed = ok(await kit.client.get("/v1/support-requests", headers=helper))["data"]
        assert [(r["action_id"], r["status"]) for r in listed] == [(action_id, "asked")]
        assert ok(await kit.client.get("/v1/support-requests", headers=other_school))["data"] == []
        assert_problem(await kit.client.get(base, headers=helper), 404)  # not the review itself

        # Answering: only the school asked, with reviews:write, once.
        url = f"/v1/support-requests/{action_id}/answer"
        accept = {"answer": "accepted", "note": "Our English lead visits fortnightly."}
        for stranger in (other_school, who["head"], who["ic"]):
            assert_problem(await kit.client.post(url, json=accept, headers=stranger), 404)
        assert_problem(await kit.client.post(url, json=accept, headers=reader_only), 403)
        missing = f"/v1/support-requests/{uuid.uuid4()}/answer"
        assert_problem(await kit.client.post(missing, json=accept, headers=helper), 404)
        first_action = f"/v1/support-requests/{written['actions'][0]['id']}/answer"
        assert_problem(await kit.client.post(first_action, json=accept, headers=helper), 404)
        assert_problem(await kit.client.post(url, json={"answer": "maybe"}, headers=helper), 422)
        answered = ok(await kit.client.post(url, json=accept, headers=helper))
        assert answered["status"] == "accepted"
        decline = {"answer": "declined"}
        assert_problem(await kit.client.post(url, json=decline, headers=helper), 409)

        plan_now = ok(await kit.client.get(f"{base}/action-plan", headers=who["head"]))
        assert [a["support_status"] for a in plan_now["actions"]] == [None, "accepted"]
        assert plan_now["actions"][1]["support_note"] == accept["note"]
        history = [h["action"] for h in await _history(kit, review_id)]
        assert history.count("support_answered") == 1

        async def answered_too() -> bool:
            return [short(e["type"]) for e in receivers["helper"].events()] == [
                "support.requested",
                "support.answered",
            ]

        await eventually(answered_too, within=30)
        assert receivers["other"].events() == []

    events = await published_events(kit, nats_server, "reviews.support.>")
    assert [(e["data"]["action_id"], e["type"].split(".")[-2]) for _, e in events] == [
        (action_id, "requested"),
        (action_id, "answered"),
    ]
