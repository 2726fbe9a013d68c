"""Sync for an MIS: the compound (updated_at, id) boundary, tombstones of deleted rows,
people's external ids and the bulk upsert."""

from __future__ import annotations

from typing import Any

import httpx

from tests.scheduling.kit import build_partnership, finished_job
from tests.scheduling.test_security import ALL_SCOPES, ESTABLISHMENTS, GROUPS
from tests.support import TokenFactory, assert_problem, bearer

SCHOOL = {"name": "Chelmer Valley", "phase": "primary", "la_code": "881", "status": "open"}


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": f"M{n}",
        "name": f"Person {n}",
        "email": f"p{n}@chelmer.sch.uk",
        "roles": [{"role": "senior_leader", "urn": 115000}],
        **extra,
    }


async def _directory(client: httpx.AsyncClient, council: dict[str, str]) -> str:
    for urn in (115000, 115001):
        body = {**SCHOOL, "name": f"School {urn}"}
        assert (await client.put(f"/v1/schools/{urn}", json=body, headers=council)).is_success
    created = await client.post(
        "/v1/partnerships",
        json={"name": "North", "kind": "la_cluster", "la_code": "881"},
        headers=council,
    )
    partnership_id: str = created.json()["id"]
    for urn in (115000, 115001):
        member = f"/v1/partnerships/{partnership_id}/members/{urn}"
        assert (await client.put(member, headers=council)).is_success
    return partnership_id


async def _pull(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], since: dict[str, str]
) -> list[dict[str, Any]]:
    """Every page after ``since``, as a sync client reads it."""
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {**since, "limit": 2}
    for _ in range(50):
        page = (await client.get(path, params=params, headers=headers)).json()
        rows += page["data"]
        if page["next_cursor"] is None:
            return rows
        params = {**since, "limit": 2, "cursor": page["next_cursor"]}
    raise AssertionError("too many pages")


async def test_bulk_upsert_is_idempotent_and_answers_per_row(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    await _directory(client, council)
    outsider = _person(3, roles=[{"role": "headteacher", "urn": 999999}])
    batch = {"source": "arbor", "people": [_person(1), _person(2), outsider]}
    first = (await client.post("/v1/people/bulk", json=batch, headers=council)).json()
    assert [r["status"] for r in first["results"]] == [201, 201, 422]
    assert first["results"][2]["problem"]["status"] == 422
    again = (await client.post("/v1/people/bulk", json=batch, headers=council)).json()
    assert [r["outcome"] for r in again["results"]] == ["unchanged", "unchanged", "failed"]
    renamed = {"source": "arbor", "people": [_person(1, name="Person One")]}
    changed = (await client.post("/v1/people/bulk", json=renamed, headers=council)).json()
    row = changed["results"][0]
    assert (row["outcome"], row["person"]["name"]) == ("updated", "Person One")
    assert row["person"]["external_ids"] == {"arbor": "M1"}
    found = await client.get(
        "/v1/people", params={"external_source": "arbor", "external_id": "M1"}, headers=council
    )
    assert [p["id"] for p in found.json()["data"]] == [row["person"]["id"]]
    too_many = {"source": "arbor", "people": [_person(n) for n in range(101)]}
    assert_problem(await client.post("/v1/people/bulk", json=too_many, headers=council), 422)
    # an external id is unique within its system
    taken = {**_person(9), "external_ids": {"arbor": "M1"}}
    taken.pop("external_id")
    assert_problem(await client.post("/v1/people", json=taken, headers=council), 409)


async def test_the_compound_boundary_never_reads_a_row_twice(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    await _directory(client, council)
    batch = {"source": "arbor", "people": [_person(n) for n in range(5)]}
    assert (await client.post("/v1/people/bulk", json=batch, headers=council)).is_success
    everyone = await _pull(client, "/v1/people", council, {})
    assert len(everyone) == 5
    last = everyone[-1]
    boundary = {"updated_since": last["updated_at"], "after_id": last["id"]}
    assert await _pull(client, "/v1/people", council, boundary) == []
    inclusive = await _pull(client, "/v1/people", council, {"updated_since": last["updated_at"]})
    assert last["id"] in [p["id"] for p in inclusive]
    # a row changed later comes once
    middle = everyone[2]
    renamed = {"source": "arbor", "people": [_person(2, name="Renamed")]}
    assert (await client.post("/v1/people/bulk", json=renamed, headers=council)).is_success
    assert [p["name"] for p in await _pull(client, "/v1/people", council, boundary)] == ["Renamed"]
    assert middle["external_ids"] == {"arbor": "M2"}
    bad = await client.get("/v1/people", params={"after_id": last["id"]}, headers=council)
    assert_problem(bad, 422)
    for path in ("/v1/schools", "/v1/partnerships", "/v1/trusts", "/v1/cycles"):
        listed = await client.get(path, params=boundary | {"after_id": "1"}, headers=council)
        assert listed.status_code in (200, 422), path


async def test_deletions_are_tombstones(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    stranger = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    partnership_id = await _directory(client, council)
    members = await _pull(client, f"/v1/partnerships/{partnership_id}/members", council, {})
    assert {m["urn"] for m in members} == {115000, 115001}
    member = f"/v1/partnerships/{partnership_id}/members/115001"
    assert (await client.delete(member, headers=council)).status_code == 204
    created = await client.post(
        "/v1/people/bulk", json={"source": "hr", "people": [_person(1)]}, headers=council
    )
    person = created.json()["results"][0]["person"]
    moved = _person(1, roles=[{"role": "senior_leader", "urn": 115001}])
    assert (
        await client.post(
            "/v1/people/bulk", json={"source": "hr", "people": [moved]}, headers=council
        )
    ).is_success
    dead = await _pull(client, "/v1/tombstones", council, {})
    assert [(t["collection"], t["entity_id"]) for t in dead] == [
        ("partnership_members", "115001"),
        ("person_roles", person["roles"][0]["id"]),
    ]
    after = {"updated_since": dead[0]["removed_at"], "after_id": dead[0]["id"]}
    assert [t["collection"] for t in await _pull(client, "/v1/tombstones", council, after)] == [
        "person_roles"
    ]
    only = await client.get(
        "/v1/tombstones", params={"collection": "partnership_members"}, headers=council
    )
    assert len(only.json()["data"]) == 1
    assert (await client.get("/v1/tombstones", headers=stranger)).json()["data"] == []


async def _finished(client: httpx.AsyncClient, location: str, headers: dict[str, str]) -> None:
    job = await finished_job(client, location, headers)
    assert job["status"] == "succeeded", job


async def test_job_lists_find_new_jobs_after_id(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token(*ALL_SCOPES, la=["881"]))
    stranger = bearer(issue_token(*ALL_SCOPES, la=["882"]))
    files = {"establishments": ("e.csv", ESTABLISHMENTS), "groups": ("g.csv", GROUPS)}
    imports: list[str] = []
    for _ in range(3):
        started = await client.post("/v1/imports", files=files, headers=council)
        assert started.status_code == 202, started.text
        await _finished(client, started.headers["location"], council)
        imports.append(started.json()["id"])
    built = await build_partnership(client, council, urns=[125001, 125002, 125003, 125004])
    jobs: list[str] = []
    for _ in range(2):
        started = await client.post(
            f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={}, headers=council
        )
        assert started.status_code == 202, started.text
        await _finished(client, started.headers["location"], council)
        jobs.append(started.json()["id"])

    for path, ids in (("/v1/imports", imports), ("/v1/schedule-jobs", jobs)):
        newest_first = [j["id"] for j in await _pull(client, path, council, {})]
        assert newest_first == ids[::-1], path
        after = [j["id"] for j in await _pull(client, path, council, {"after_id": ids[0]})]
        assert after == ids[1:], path  # oldest first, without the one held
        assert await _pull(client, path, council, {"after_id": ids[-1]}) == []
        # Another LA's job is no boundary for the stranger (nor a way to probe it).
        refused = await client.get(path, params={"after_id": ids[0]}, headers=stranger)
        assert_problem(refused, 422)
        assert_problem(await client.get(path, params={"after_id": "x"}, headers=council), 422)
