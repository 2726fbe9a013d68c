"""Shadows and assistant ICs through the API: a policy with their places gives a draft that
fills them from the people in training, the `planned` events carry them (shadows in the team,
the assistant beside the IC), a PATCH changes them under the checker's rules, a stranger
cannot change them (404), and a person's accreditation is read with the person."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from common.testing.nats import NatsServer
from tests.scheduling.kit import ReviewEvents, build_partnership, finished_job
from tests.support import TokenFactory, assert_problem, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read", "schedule:write")
URNS = [121001, 121002, 121003, 121004, 121005]
POLICY = {
    "team": {"reviewers": 1},
    "trainees": {"shadows_per_review": 1, "assistant_ic": True},
}


async def _assistant(
    client: httpx.AsyncClient, council: dict[str, str], urn: int, year: str
) -> str:
    body = {
        "name": f"Assistant of {urn}",
        "email": f"assistant.{urn}@school.example",
        "roles": [
            {"role": "senior_leader", "urn": urn},
            {"role": "assistant_ic", "urn": urn, "academic_year": year},
        ],
    }
    created = await client.post("/v1/people", json=body, headers=council)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_shadows_and_assistant_ics_are_planned_published_and_patched(
    client: httpx.AsyncClient, issue_token: TokenFactory, nats_server: NatsServer
) -> None:
    council = bearer(issue_token(*SCOPES, la=["881"]))
    built = await build_partnership(client, council, urns=URNS, policy=POLICY)
    assistants = {await _assistant(client, council, u, built.academic_year) for u in URNS[:2]}
    deputies = {s.deputy for s in built.staff.values()}  # reviewers with no training: learners
    heads = {s.head for s in built.staff.values()}

    # accreditation: what the training rules read, with the person
    head = next(iter(heads))
    read = (await client.get(f"/v1/people/{head}", headers=council)).json()
    [lead] = read["accreditation"]
    assert (lead["kind"], lead["valid_until"], lead["current"]) == ("lead_reviewer", None, True)

    started = await client.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={"seed": 2}, headers=council
    )
    assert started.status_code == 202, started.text
    job = await finished_job(client, started.headers["location"], council)
    assert job["status"] == "succeeded", job
    path = f"/v1/cycles/{built.cycle_id}/schedule"
    draft = (await client.get(path, headers=council)).json()
    shadowed = [r for r in draft["reviews"] if r["shadows"]]
    assert shadowed, draft["reviews"]
    for r in draft["reviews"]:
        team = {m["person_id"] for m in r["team"]}
        assert len(r["team"]) == 2  # a lead and one reviewer: shadows are not the team
        assert all(s["role"] == "shadow" and s["person_id"] in deputies for s in r["shadows"])
        assert not team & {s["person_id"] for s in r["shadows"]}
        if r["assistant_ic"] is not None:
            assert r["assistant_ic"]["person_id"] in assistants
            assert r["assistant_ic"]["home_urn"] != r["urn"]
    assert any(r["assistant_ic"] for r in draft["reviews"])

    # publishing sends them: shadows in the team, the assistant beside the IC
    events = ReviewEvents(nats_server)
    published = await client.post(f"{path}/publish", headers=council)
    assert published.status_code == 201, published.text
    reviews = {r["id"]: r for r in published.json()["reviews"]}
    planned = await events.take(len(URNS))
    for _, event in planned:
        data = event["data"]
        review = reviews[data["review_id"]]
        shadows = [m["person_id"] for m in data["team"] if m["role"] == "shadow"]
        assert shadows == [s["person_id"] for s in review["shadows"]]
        assistant = review["assistant_ic"]
        champion = data["improvement_champion"]
        assert champion["assistant_person_id"] == (assistant["person_id"] if assistant else None)
        assert champion["assistant_home_urn"] == (assistant["home_urn"] if assistant else None)

    # PATCH: a head is not in training (409, the checker's rule); removing them is a change
    target = next(r for r in reviews.values() if r["shadows"])
    one = f"/v1/planned-reviews/{target['id']}"
    etag = {**council, "If-Match": f'"{target["version"]}"'}
    outsider = next(h for h in heads if h not in {m["person_id"] for m in target["team"]})
    refused = await client.patch(one, json={"shadow_ids": [outsider]}, headers=etag)
    assert_problem(refused, 409)
    assert "shadow_in_training" in {v["rule"] for v in refused.json()["violations"]}
    cleared = await client.patch(
        one, json={"shadow_ids": [], "assistant_ic_id": None}, headers=etag
    )
    assert cleared.status_code == 200, cleared.text
    after: dict[str, Any] = cleared.json()
    assert after["shadows"] == []
    assert after["assistant_ic"] is None
    assert after["version"] == target["version"] + 1
    [(kind, event)] = await events.take(1)
    assert kind == "team_changed"
    assert [m["role"] for m in event["data"]["team"]] == ["lead_reviewer", "reviewer"]
    assert event["data"]["improvement_champion"]["assistant_person_id"] is None

    # a stranger (another partnership's lead, another LA) cannot change it: 404, no change
    for stranger in (
        bearer(issue_token(*SCOPES, partnerships=[str(uuid.uuid4())])),
        bearer(issue_token(*SCOPES, la=["882"])),
    ):
        headers = {**stranger, "If-Match": f'"{after["version"]}"'}
        denied = await client.patch(one, json={"shadow_ids": []}, headers=headers)
        assert_problem(denied, 404)
    unchanged = (await client.get(one, headers=council)).json()
    assert unchanged["version"] == after["version"]
