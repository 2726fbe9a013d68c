"""Cycles: one per partnership per year (idempotent create, 409 for a second), the policy with
defaults and validation, PATCH with If-Match, member schools' requests, and who may do what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support import TokenFactory, assert_problem, bearer

SCHOOL = {"name": "Member", "phase": "primary", "la_code": "881", "status": "open"}
REQUEST = {
    "focus": ["reading", "send"],
    "preferred_half_terms": ["autumn2", "spring1"],
    "mode": "in_person",
    "days": 1,
}


@dataclass
class Setting:
    council: dict[str, str]
    partnership_id: str
    other_partnership_id: str


@pytest.fixture
async def setting(client: httpx.AsyncClient, issue_token: TokenFactory) -> Setting:
    """LA 881: partnership North with 115000 (trust 5001) and 115001; South with 115002."""
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    for urn, trust in ((115000, "5001"), (115001, None), (115002, None)):
        body = {**SCHOOL, "name": f"School {urn}", "trust_uid": trust}
        assert (
            await client.put(f"/v1/schools/{urn}", json=body, headers=council)
        ).status_code == 201
    ids = []
    for name, urns in (("North", (115000, 115001)), ("South", (115002,))):
        created = await client.post(
            "/v1/partnerships",
            json={"name": name, "kind": "la_cluster", "la_code": "881"},
            headers=council,
        )
        ids.append(created.json()["id"])
        for urn in urns:
            assert (
                await client.put(f"/v1/partnerships/{ids[-1]}/members/{urn}", headers=council)
            ).status_code == 201
    return Setting(council=council, partnership_id=ids[0], other_partnership_id=ids[1])


async def _cycle(client: httpx.AsyncClient, setting: Setting, **extra: Any) -> dict[str, Any]:
    body = {"partnership_id": setting.partnership_id, "academic_year": "2026-27", **extra}
    response = await client.post("/v1/cycles", json=body, headers=setting.council)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_create_with_defaults_read_and_one_per_year(
    client: httpx.AsyncClient, setting: Setting, issue_token: TokenFactory
) -> None:
    body = {"partnership_id": setting.partnership_id, "academic_year": "2026-27"}
    headers = {**setting.council, "Idempotency-Key": "cycle-2026"}
    created = await client.post("/v1/cycles", json=body, headers=headers)
    assert created.status_code == 201, created.text
    replayed = await client.post("/v1/cycles", json=body, headers=headers)
    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json()["id"] == created.json()["id"]

    cycle = created.json()
    assert created.headers["location"] == f"/v1/cycles/{cycle['id']}"
    policy = cycle["policy"]
    assert policy["team"] == {"reviewers": 2, "ic_from_other_school": True}
    assert policy["limits"]["max_reviews_per_person_per_year"] == 3
    assert policy["modes"] == ["in_person", "virtual", "blended"]
    assert policy["milestones"]["ninety_day_review"] == 90
    assert policy["reciprocal_pairs_allowed"] is False
    assert policy["rotation_cycles"] == 1
    assert policy["triangulation_min_kinds"] == 2

    second = await client.post("/v1/cycles", json=body, headers=setting.council)
    assert_problem(second, 409)
    next_year = await client.post(
        "/v1/cycles", json={**body, "academic_year": "2027-28"}, headers=setting.council
    )
    assert next_year.status_code == 201
    listed = await client.get(
        "/v1/cycles", params={"academic_year": "2026-27"}, headers=setting.council
    )
    assert [c["id"] for c in listed.json()["data"]] == [cycle["id"]]
    got = await client.get(f"/v1/cycles/{cycle['id']}", headers=setting.council)
    assert got.headers["etag"] == '"1"'

    # The same under the partnership: POST /v1/partnerships/{id}/cycles.
    under = f"/v1/partnerships/{setting.partnership_id}/cycles"
    later = {"academic_year": "2028-29", "policy": {"triangulation_min_kinds": 3}}
    nested = await client.post(under, json=later, headers=setting.council)
    assert nested.status_code == 201, nested.text
    assert nested.json()["partnership_id"] == setting.partnership_id
    assert nested.json()["policy"]["triangulation_min_kinds"] == 3
    assert nested.headers["location"] == f"/v1/cycles/{nested.json()['id']}"
    assert_problem(await client.post(under, json=later, headers=setting.council), 409)
    assert_problem(
        await client.post(under, json={**later, "partnership_id": "x"}, headers=setting.council),
        422,
    )
    unknown = "/v1/partnerships/01a20000-0000-7000-8000-000000000000/cycles"
    assert_problem(await client.post(unknown, json=later, headers=setting.council), 404)
    member = bearer(issue_token("directory:read", "directory:write", schools=["115000"]))
    soon = {"academic_year": "2029-30"}
    assert_problem(await client.post(under, json=soon, headers=member), 403)
    stranger = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    assert_problem(await client.post(under, json=soon, headers=stranger), 404)


@pytest.mark.parametrize(
    "policy",
    [
        {"team": {"reviewers": 0}},
        {"limits": {"max_reviews_per_person_per_term": 0}},
        {"limits": {"max_reviews_per_person_per_term": 4, "max_reviews_per_person_per_year": 3}},
        {"limits": {"max_reviews_per_week": 0}},
        {"milestones": {"workshop_window_start": 30, "workshop_window_end": 10}},
        {"milestones": {"self_review_due": 5, "pre_review_meeting": 10}},
        {"modes": []},
        {"modes": ["in_person", "in_person"]},
        {"modes": ["teleport"]},
        {"max_distance_km": 0},
        {"weights": {"travel": -1}},
        {"triangulation_min_kinds": 0},
        {"colour": "red"},
    ],
)
async def test_bad_policies_are_refused(
    client: httpx.AsyncClient, setting: Setting, policy: dict[str, Any]
) -> None:
    body = {"partnership_id": setting.partnership_id, "academic_year": "2026-27", "policy": policy}
    assert_problem(await client.post("/v1/cycles", json=body, headers=setting.council), 422)
    cycle = await _cycle(client, setting)
    path = f"/v1/cycles/{cycle['id']}"
    patched = await client.patch(
        path, json={"policy": policy}, headers={**setting.council, "If-Match": '"1"'}
    )
    assert_problem(patched, 422)
    assert (await client.get(path, headers=setting.council)).json() == cycle


async def test_bad_cycles_are_refused(client: httpx.AsyncClient, setting: Setting) -> None:
    for body in (
        {"partnership_id": setting.partnership_id, "academic_year": "2026-28"},
        {"partnership_id": "01a20000-0000-7000-8000-000000000000", "academic_year": "2026-27"},
        {"academic_year": "2026-27"},
    ):
        assert_problem(await client.post("/v1/cycles", json=body, headers=setting.council), 422)


async def test_patch_merges_the_policy_with_if_match(
    client: httpx.AsyncClient, setting: Setting
) -> None:
    cycle = await _cycle(client, setting, policy={"team": {"reviewers": 3}})
    path = f"/v1/cycles/{cycle['id']}"
    change = {"policy": {"limits": {"max_reviews_per_week": 2}, "modes": ["virtual"]}}
    assert_problem(await client.patch(path, json=change, headers=setting.council), 428)
    stale = await client.patch(path, json=change, headers={**setting.council, "If-Match": '"5"'})
    assert_problem(stale, 412)
    patched = await client.patch(path, json=change, headers={**setting.council, "If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"2"'
    policy = patched.json()["policy"]
    assert policy["team"]["reviewers"] == 3  # kept
    assert policy["limits"]["max_reviews_per_week"] == 2
    assert policy["limits"]["max_reviews_per_person_per_term"] == 1  # default kept
    assert policy["modes"] == ["virtual"]


async def test_requests_by_schools_and_the_lead(
    client: httpx.AsyncClient, setting: Setting, issue_token: TokenFactory
) -> None:
    cycle = await _cycle(client, setting, policy={"modes": ["in_person", "virtual"]})
    base = f"/v1/cycles/{cycle['id']}/requests"
    school = bearer(issue_token("directory:read", "directory:write", schools=["115000"]))

    created = await client.put(f"{base}/115000", json=REQUEST, headers=school)
    assert created.status_code == 201, created.text
    assert created.json()["focus"] == ["reading", "send"]
    assert_problem(await client.put(f"{base}/115000", json=REQUEST, headers=school), 428)
    changed = {**REQUEST, "days": 2, "preferred_half_terms": ["summer1"]}
    replaced = await client.put(
        f"{base}/115000", json=changed, headers={**school, "If-Match": '"1"'}
    )
    assert replaced.status_code == 200
    assert replaced.json()["days"] == 2

    for bad in (
        {**REQUEST, "focus": ["juggling"]},
        {**REQUEST, "focus": []},
        {**REQUEST, "preferred_half_terms": ["autumn3"]},
        {**REQUEST, "days": 3},
        {**REQUEST, "mode": "blended"},  # not allowed by this cycle's policy
    ):
        assert_problem(
            await client.put(f"{base}/115000", json=bad, headers={**school, "If-Match": '"2"'}),
            422,
        )

    # The school reads the cycle and its own request, not another member's, and cannot
    # change the policy.
    assert (await client.get(f"/v1/cycles/{cycle['id']}", headers=school)).status_code == 200
    lead = bearer(
        issue_token("directory:read", "directory:write", partnerships=[setting.partnership_id])
    )
    assert (await client.put(f"{base}/115001", json=REQUEST, headers=lead)).status_code == 201
    assert_problem(await client.get(f"{base}/115001", headers=school), 404)
    assert_problem(await client.put(f"{base}/115001", json=REQUEST, headers=school), 404)
    mine = await client.get(base, headers=school)
    assert [r["urn"] for r in mine.json()["data"]] == [115000]
    everything = await client.get(base, headers=lead)
    assert sorted(r["urn"] for r in everything.json()["data"]) == [115000, 115001]
    refused = await client.patch(
        f"/v1/cycles/{cycle['id']}",
        json={"policy": {"team": {"reviewers": 1}}},
        headers={**school, "If-Match": '"1"'},
    )
    assert_problem(refused, 403)

    # The trust of a member school manages that school's request too.
    trust = bearer(issue_token("directory:read", "directory:write", trusts=["5001"]))
    assert (await client.get(f"{base}/115000", headers=trust)).status_code == 200
    # A school outside the partnership has no request here.
    assert_problem(await client.put(f"{base}/115002", json=REQUEST, headers=lead), 404)


async def test_a_partnership_lead_manages_its_cycle_only(
    client: httpx.AsyncClient, setting: Setting, issue_token: TokenFactory
) -> None:
    lead = bearer(
        issue_token("directory:read", "directory:write", partnerships=[setting.partnership_id])
    )
    body = {"partnership_id": setting.partnership_id, "academic_year": "2026-27"}
    created = await client.post("/v1/cycles", json=body, headers=lead)
    assert created.status_code == 201, created.text
    other = {"partnership_id": setting.other_partnership_id, "academic_year": "2026-27"}
    assert_problem(await client.post("/v1/cycles", json=other, headers=lead), 422)  # unseen
    theirs = await client.post("/v1/cycles", json=other, headers=setting.council)
    assert theirs.status_code == 201
    assert_problem(await client.get(f"/v1/cycles/{theirs.json()['id']}", headers=lead), 404)
    listed = await client.get("/v1/cycles", headers=lead)
    assert [c["id"] for c in listed.json()["data"]] == [created.json()["id"]]
    member = bearer(issue_token("directory:read", "directory:write", schools=["115001"]))
    assert_problem(
        await client.post("/v1/cycles", json=body | {"academic_year": "2027-28"}, headers=member),
        403,
    )
