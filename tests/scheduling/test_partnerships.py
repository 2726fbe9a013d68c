"""Partnerships: create (idempotently), change with If-Match, members, data-sharing agreement."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support import TokenFactory, assert_problem, bearer

NEW = {"name": "Chelmsford North", "kind": "la_cluster", "la_code": "881"}
SCHOOL = {"name": "Member School", "phase": "secondary", "la_code": "881", "status": "open"}


@pytest.fixture
def lead(issue_token: TokenFactory) -> dict[str, str]:
    return bearer(issue_token("directory:read", "directory:write", la=["881"]))


async def _create(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/partnerships", json=NEW, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_create_read_and_patch(client: httpx.AsyncClient, lead: dict[str, str]) -> None:
    created = await client.post("/v1/partnerships", json=NEW, headers=lead)
    assert created.status_code == 201
    body = created.json()
    assert created.headers["location"] == f"/v1/partnerships/{body['id']}"
    assert body["version"] == 1
    assert body["kind"] == "la_cluster"

    path = f"/v1/partnerships/{body['id']}"
    assert_problem(await client.patch(path, json={"name": "X"}, headers=lead), 428)
    patched = await client.patch(
        path, json={"name": "Chelmsford North Trio"}, headers={**lead, "If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"2"'
    assert (await client.get(path, headers=lead)).json()["name"] == "Chelmsford North Trio"
    unknown = await client.patch(path, json={"colour": "red"}, headers={**lead, "If-Match": '"2"'})
    assert_problem(unknown, 422)


async def test_retried_post_with_the_same_key_creates_one(
    client: httpx.AsyncClient, lead: dict[str, str]
) -> None:
    headers = {**lead, "Idempotency-Key": "mis-sync-42"}
    answers = await asyncio.gather(
        *(client.post("/v1/partnerships", json=NEW, headers=headers) for _ in range(5))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 4
    listing = await client.get("/v1/partnerships", headers=lead)
    assert len(listing.json()["data"]) == 1

    other_body = await client.post(
        "/v1/partnerships", json={**NEW, "name": "Other"}, headers=headers
    )
    assert_problem(other_body, 422)
    assert len((await client.get("/v1/partnerships", headers=lead)).json()["data"]) == 1


async def test_members_join_idempotently_and_leave(
    client: httpx.AsyncClient, lead: dict[str, str]
) -> None:
    partnership_id = await _create(client, lead)
    await client.put("/v1/schools/130000", json=SCHOOL, headers=lead)
    base = f"/v1/partnerships/{partnership_id}/members"
    assert (await client.put(f"{base}/130000", headers=lead)).status_code == 201
    assert (await client.put(f"{base}/130000", headers=lead)).status_code == 200
    assert_problem(await client.put(f"{base}/130001", headers=lead), 404)  # no such school
    members = await client.get(base, headers=lead)
    assert [m["urn"] for m in members.json()["data"]] == [130000]
    in_partnership = await client.get(
        "/v1/schools", params={"partnership": partnership_id}, headers=lead
    )
    assert [s["urn"] for s in in_partnership.json()["data"]] == [130000]

    assert (await client.delete(f"{base}/130000", headers=lead)).status_code == 204
    assert_problem(await client.delete(f"{base}/130000", headers=lead), 404)
    assert (await client.get(base, headers=lead)).json()["data"] == []


async def test_agreement_defaults_and_rules(
    client: httpx.AsyncClient, lead: dict[str, str]
) -> None:
    partnership_id = await _create(client, lead)
    path = f"/v1/partnerships/{partnership_id}/agreement"
    current = await client.get(path, headers=lead)
    assert current.json() | {"updated_at": None} == {
        "partnership_id": partnership_id,
        "partnership_visibility": "named",
        "trust_visibility": "aggregated",
        "local_authority_visibility": "aggregated",
        "suppression_threshold": 5,
        "named_for_support": False,
        "version": 1,
        "updated_at": None,
    }
    agreement = {
        "partnership_visibility": "aggregated",
        "trust_visibility": "none",
        "local_authority_visibility": "aggregated",
        "suppression_threshold": 8,
    }
    changed = await client.put(path, json=agreement, headers={**lead, "If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["suppression_threshold"] == 8
    # The trust and the LA may be named by explicit opt-in (the default stays aggregated).
    named = {
        **agreement,
        "trust_visibility": "named",
        "local_authority_visibility": "named",
        "named_for_support": True,
    }
    opted_in = await client.put(path, json=named, headers={**lead, "If-Match": '"2"'})
    assert opted_in.status_code == 200, opted_in.text
    assert opted_in.json() | {"updated_at": None} == {
        "partnership_id": partnership_id,
        **named,
        "version": 3,
        "updated_at": None,
    }
    too_low = {**agreement, "suppression_threshold": 1}
    assert_problem(await client.put(path, json=too_low, headers={**lead, "If-Match": '"3"'}), 422)
    unknown = {**agreement, "local_authority_visibility": "public"}
    assert_problem(await client.put(path, json=unknown, headers={**lead, "If-Match": '"3"'}), 422)
    assert (await client.get(path, headers=lead)).json()["local_authority_visibility"] == "named"


async def test_concurrent_updates_lose_nothing(
    client: httpx.AsyncClient, lead: dict[str, str]
) -> None:
    """Ten writers all read version 1 and rename: one wins, nine get 412 and retry; every
    rename that was answered 200 is reflected in the version count."""
    partnership_id = await _create(client, lead)
    path = f"/v1/partnerships/{partnership_id}"

    async def rename(n: int) -> int:
        response = await client.patch(
            path, json={"name": f"Name {n}"}, headers={**lead, "If-Match": '"1"'}
        )
        return response.status_code

    statuses = await asyncio.gather(*(rename(n) for n in range(10)))
    assert sorted(statuses) == [200] + [412] * 9

    successes = 1
    for n in range(10, 15):  # the losers retry with a fresh read: each succeeds
        current = await client.get(path, headers=lead)
        response = await client.patch(
            path, json={"name": f"Name {n}"}, headers={**lead, "If-Match": current.headers["etag"]}
        )
        assert response.status_code == 200
        successes += 1
    final = (await client.get(path, headers=lead)).json()
    assert final["version"] == 1 + successes
    assert final["name"] == "Name 14"
