"""The improvement workshop and its action plan (written by the IC and the school, agreed by
the IC as the only way to action_plan_agreed), then the 90-day review (recorded once by the IC,
every action rated; the review closes only after it)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from common.testing.nats import NatsServer
from tests.reviews.kit import IC, LA, OTHER_URN, URN, Kit, plan
from tests.reviews.test_findings import day_with_evidence, finding
from tests.reviews.test_focus import _history
from tests.reviews.test_report import _drafting
from tests.reviews.walk import ok, people, published_events, walk_to
from tests.support import assert_problem

WORKSHOP = {
    "held_on": date.today().isoformat(),
    "attendance": [{"name": "R. Patel", "role": "English lead"}],
    "grow": {"goal": "G", "reality": "R", "options": "O", "will": "W"},
}


def _action(**extra: Any) -> dict[str, Any]:
    return {
        "what": "Weekly book talk in every KS2 class",
        "kind": "teaching_practice",
        "owner_role": "English lead",
        "due_date": (date.today() + timedelta(days=60)).isoformat(),
        "success_criteria": "Nine in ten pupils name a book they chose",
        **extra,
    }


async def _put(kit: Kit, path: str, body: Any, who: dict[str, str], fallback: str) -> Any:
    current = await kit.client.get(path, headers=people(kit)["ic"])
    if current.status_code == 404:
        current = await kit.get(uuid.UUID(fallback.rsplit("/", 1)[-1]))
    return await kit.client.put(
        path, json=body, headers={**who, "If-Match": current.headers["etag"]}
    )


async def test_workshop_plan_progress_close(kit: Kit, nats_server: NatsServer) -> None:
    await kit.agreement(partnership="aggregated")  # the actions' words stay in the school
    who = people(kit)
    review_id, ids = await _drafting(kit)
    base = f"/v1/reviews/{review_id}"
    assert_problem(await _put(kit, f"{base}/workshop", WORKSHOP, who["ic"], base), 409)
    await walk_to(kit, review_id, "workshop")

    # The workshop: the IC (or the school); not the team or the partnership lead.
    for outsider in ("lead", "partnership_lead"):
        assert_problem(await _put(kit, f"{base}/workshop", WORKSHOP, who[outsider], base), 403)
    assert_problem(await kit.client.get(f"{base}/workshop", headers=who["ic"]), 404)
    recorded = ok(await _put(kit, f"{base}/workshop", WORKSHOP, who["ic"], base))
    assert recorded["led_by"] == str(IC)
    bad_workshop = {**WORKSHOP, "attendance": []}
    assert_problem(await _put(kit, f"{base}/workshop", bad_workshop, who["ic"], base), 422)
    assert (await kit.client.get(f"{base}/workshop", headers=who["reviewer"])).status_code == 200

    # Findings are frozen once the report is published.
    frozen = await kit.client.post(f"{base}/findings", json=finding([]), headers=who["lead"])
    assert_problem(frozen, 409)
    # The plan: findings of this review only, support from another school.
    other_id, _, _ = await day_with_evidence(kit)
    other_finding = ok(
        await kit.client.post(
            f"/v1/reviews/{other_id}/findings", json=finding([]), headers=who["lead"]
        ),
        201,
    )
    plan_url = f"{base}/action-plan"
    for bad in (
        {"actions": [_action(finding_ids=[other_finding["id"]])]},
        {"actions": [_action(support_urn=URN)]},
        {"actions": [_action(kind="magic")]},
        {"actions": [_action(owner_role="x" * 81)]},
        {"actions": [_action(id=str(uuid.uuid4()))]},
        {"actions": []},
    ):
        assert_problem(await _put(kit, plan_url, bad, who["ic"], base), 422)
    source = str(uuid.uuid4())
    first = {
        "actions": [
            _action(finding_ids=[ids["weak"], ids["strong"]], research_source_ids=[source]),
            _action(
                what="Reading champions", kind="school_to_school_support", support_urn=OTHER_URN
            ),
            _action(what="Stop the weekly spelling test", kind="stop"),
        ]
    }
    written = ok(await _put(kit, plan_url, first, who["head"], base))
    assert [a["kind"] for a in written["actions"]][-1] == "stop"  # de-implementing
    assert written["actions"][0]["theme_codes"] == ["curriculum.reading"]
    assert written["actions"][0]["research_source_ids"] == [source]
    kept = {"actions": [{**_action(), "id": written["actions"][1]["id"], "what": "Champions"}]}
    rewritten = ok(await _put(kit, plan_url, kept, who["ic"], base))
    assert [a["id"] for a in rewritten["actions"]] == [written["actions"][1]["id"]]
    assert rewritten["version"] > written["version"]
    assert_problem(await kit.client.get(plan_url, headers=who["partnership_lead"]), 403)

    # Agreeing: by the IC, by its own route, with the review's If-Match.
    moved = await kit.move(review_id, "action_plan_agreed", who["ic"])
    assert assert_problem(moved, 409)["use"] == "POST /v1/reviews/{id}/action-plan/agreement"
    review_etag = (await kit.get(review_id)).headers["etag"]
    agreement = f"{plan_url}/agreement"
    assert_problem(
        await kit.client.post(agreement, json={}, headers={**who["head"], "If-Match": review_etag}),
        403,
    )
    assert_problem(
        await kit.client.post(agreement, json={}, headers={**who["ic"], "If-Match": '"1"'}), 412
    )
    agreed = await kit.client.post(
        agreement, json={"note": "Agreed by all"}, headers={**who["ic"], "If-Match": review_etag}
    )
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["agreed_at"] is not None
    assert (await kit.get(review_id)).json()["state"] == "action_plan_agreed"
    assert_problem(await _put(kit, plan_url, first, who["ic"], base), 409)  # frozen

    # The 90-day review: the IC, once, every action rated; closing waits for it.
    await walk_to(kit, review_id, "progress_review")
    closing = await kit.move(review_id, "closed", who["ic"])
    assert assert_problem(closing, 409)["missing"] == "progress_reviewed_on"
    [action] = rewritten["actions"]
    rating = {"action_id": action["id"], "rating": "at_risk", "evidence_of_impact": "Started."}
    today = date.today().isoformat()
    progress_url = f"{base}/progress-review"
    for bad in (
        {"reviewed_on": today, "ratings": [{**rating, "action_id": str(uuid.uuid4())}]},
        {"reviewed_on": (date.today() + timedelta(days=1)).isoformat(), "ratings": [rating]},
        {"reviewed_on": today, "ratings": [{**rating, "rating": "fine"}]},
        {"reviewed_on": today, "ratings": [rating, rating]},
    ):
        assert_problem(await kit.client.post(progress_url, json=bad, headers=who["ic"]), 422)
    body = {"reviewed_on": today, "ratings": [rating]}
    assert_problem(await kit.client.post(progress_url, json=body, headers=who["head"]), 403)
    assert_problem(await kit.client.get(progress_url, headers=who["ic"]), 404)
    progress = await kit.client.post(progress_url, json=body, headers=who["ic"])
    assert progress.status_code == 201, progress.text
    assert progress.json()["on_time"] is True
    assert_problem(await kit.client.post(progress_url, json=body, headers=who["ic"]), 409)
    assert (await kit.client.get(progress_url, headers=who["head"])).json()["ratings"] == [rating]
    assert (await kit.move(review_id, "closed", who["ic"])).status_code == 200

    actions = [h["action"] for h in await _history(kit, review_id)]
    for action_name in ("workshop_recorded", "action_plan_agreed", "progress_reviewed"):
        assert actions.count(action_name) == 1, action_name
    assert actions.count("action_plan_set") == 2

    agreed_events = await published_events(kit, nats_server, "reviews.action_plan.>")
    assert len(agreed_events) == 1
    data = agreed_events[0][1]["data"]
    assert data["text_shared"] is False
    assert [(a["kind"], a["text"], a["support_urn"]) for a in data["actions"]] == [
        ("teaching_practice", None, None)
    ]
    [(subject, event)] = await published_events(kit, nats_server, "reviews.progress.>")
    assert subject.startswith(f"reviews.progress.reviewed.v1.{LA}.")
    assert event["data"]["ratings"][0]["rating"] == "at_risk"
    assert event["data"]["on_time"] is True


async def test_a_late_90_day_review_is_not_on_time(kit: Kit) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id, first_day=date.today() - timedelta(days=200)))
    await walk_to(kit, review_id, "progress_review")
    who = people(kit)
    action = ok(await kit.client.get(f"/v1/reviews/{review_id}/action-plan", headers=who["ic"]))
    body = {
        "reviewed_on": date.today().isoformat(),
        "ratings": [
            {"action_id": a["id"], "rating": "done", "evidence_of_impact": "Done."}
            for a in action["actions"]
        ],
    }
    recorded = await kit.client.post(
        f"/v1/reviews/{review_id}/progress-review", json=body, headers=who["ic"]
    )
    assert recorded.json()["on_time"] is False
    assert (
        recorded.json()["due_date"]
        == (await kit.get(review_id)).json()["milestones"]["progress_review_due"]
    )
