"""A schedule published in scheduling becomes the review records in reviews: each planned
review arrives with its plan (days, team, IC, milestones, the triangulation rule), and later
changes published by scheduling (a team change, a cancellation) reach the record too."""

from __future__ import annotations

from typing import Any

from common.testing.apps import eventually
from tests.e2e.conftest import System
from tests.scheduling.kit import build_partnership, finished_job
from tests.support import TokenFactory, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read", "schedule:write")


async def test_a_published_schedule_reaches_the_review_records(
    system: System, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token(*SCOPES, la=["881"]))
    built = await build_partnership(
        system.scheduling,
        council,
        urns=[152001, 152002, 152003, 152004],
        policy={"team": {"reviewers": 1}, "triangulation_min_kinds": 3},
    )
    started = await system.scheduling.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={}, headers=council
    )
    job = await finished_job(system.scheduling, started.headers["location"], council)
    assert job["status"] == "succeeded", job
    published = await system.scheduling.post(
        f"/v1/cycles/{built.cycle_id}/schedule/publish", headers=council
    )
    assert published.status_code == 201, published.text
    planned = published.json()["reviews"]

    lead = bearer(issue_token("reviews:read", "reviews:write", partnerships=[built.partnership_id]))
    records: dict[str, Any] = {}

    async def arrived() -> bool:
        for review in planned:
            answer = await system.reviews.get(f"/v1/reviews/{review['id']}", headers=lead)
            if answer.status_code != 200:
                return False
            records[review["id"]] = answer.json()
        return True

    await eventually(arrived, within=30)
    for review in planned:
        record = records[review["id"]]
        assert record["state"] == "planned"
        assert record["urn"] == review["urn"]
        assert [str(d) for d in record["days"]] == review["days"]
        assert [m["person_id"] for m in record["team"]] == [m["person_id"] for m in review["team"]]
        assert (
            record["improvement_champion"]["person_id"]
            == (review["improvement_champion"]["person_id"])
        )
        assert record["milestones"]["report_due"] == review["milestones"]["report_due"]
        assert record["plan_version"] == review["version"]

    # a change in scheduling reaches the record: another reviewer, then a cancellation
    target = planned[0]
    url = f"/v1/planned-reviews/{target['id']}"
    new_reviewer = next(
        s.deputy
        for urn, s in built.staff.items()
        if urn != target["urn"]
        and s.deputy not in {m["person_id"] for r in planned for m in r["team"]}
        and urn != target["improvement_champion"]["home_urn"]
    )
    changed = await system.scheduling.patch(
        url,
        json={"reviewer_ids": [new_reviewer], "force": True, "reason": "Swap agreed"},
        headers={**council, "If-Match": f'"{target["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    version = changed.json()["version"]

    async def team_changed() -> bool:
        record = (await system.reviews.get(f"/v1/reviews/{target['id']}", headers=lead)).json()
        return bool(record["plan_version"] == version)

    await eventually(team_changed, within=30)
    record = (await system.reviews.get(f"/v1/reviews/{target['id']}", headers=lead)).json()
    assert new_reviewer in {m["person_id"] for m in record["team"]}

    cancelled = await system.scheduling.post(
        f"{url}/cancellation",
        json={"reason": "The school closed"},
        headers={**council, "If-Match": f'"{version}"'},
    )
    assert cancelled.status_code == 200, cancelled.text

    async def cancelled_there() -> bool:
        record = (await system.reviews.get(f"/v1/reviews/{target['id']}", headers=lead)).json()
        return bool(record["state"] == "cancelled")

    await eventually(cancelled_there, within=30)
