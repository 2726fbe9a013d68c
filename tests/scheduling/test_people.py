"""People: register (idempotently), change with If-Match, roles, training, unavailable dates,
conflicts of interest (automatic and declared, waivers), validation and who sees whom."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from common.auth import issue_dev_token, load_or_create_dev_key
from tests.support import AUDIENCE, ISSUER, TokenFactory, assert_problem, bearer

SCHOOL = {"name": "Chelmer Valley", "phase": "primary", "la_code": "881", "status": "open"}


@dataclass
class Directory:
    council: dict[str, str]
    p1: str
    p2: str


@pytest.fixture
async def directory(client: httpx.AsyncClient, issue_token: TokenFactory) -> Directory:
    """LA 881: schools 115000 (trust 5001) and 115001 (trust 5002); partnership p1 has 115000,
    p2 has 115001."""
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    for urn, trust in ((115000, "5001"), (115001, "5002")):
        body = {**SCHOOL, "name": f"School {urn}", "trust_uid": trust}
        assert (
            await client.put(f"/v1/schools/{urn}", json=body, headers=council)
        ).status_code == 201
    ids = []
    for name, urn in (("North", 115000), ("South", 115001)):
        created = await client.post(
            "/v1/partnerships",
            json={"name": name, "kind": "la_cluster", "la_code": "881"},
            headers=council,
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
        joined = await client.put(f"/v1/partnerships/{ids[-1]}/members/{urn}", headers=council)
        assert joined.status_code == 201
    return Directory(council=council, p1=ids[0], p2=ids[1])


def person(email: str = "j.smith@chelmer.essex.sch.uk", urn: int = 115000) -> dict[str, Any]:
    return {
        "name": "Jo Smith",
        "email": email,
        "roles": [{"role": "headteacher", "urn": urn}],
        "expertise": ["reading", "send"],
    }


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post("/v1/people", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_register_read_patch_and_list(
    client: httpx.AsyncClient, directory: Directory
) -> None:
    council = directory.council
    created = await client.post("/v1/people", json=person(), headers=council)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/people/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert [{k: v for k, v in r.items() if k != "id"} for r in body["roles"]] == [
        {"role": "headteacher", "urn": 115000, "partnership_id": None, "academic_year": None}
    ]
    assert body["expertise"] == ["reading", "send"]

    path = f"/v1/people/{body['id']}"
    assert_problem(await client.patch(path, json={"name": "Jo"}, headers=council), 428)
    stale = await client.patch(path, json={"name": "Jo"}, headers={**council, "If-Match": '"9"'})
    assert_problem(stale, 412)
    patched = await client.patch(
        path,
        json={"name": "Joanna Smith", "expertise": ["maths"]},
        headers={**council, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"2"'
    assert patched.json()["expertise"] == ["maths"]
    got = await client.get(path, headers=council)
    assert got.json()["name"] == "Joanna Smith"
    assert got.headers["etag"] == '"2"'

    other = await _create(client, council, person("a.khan@south.sch.uk", 115001))
    everyone = await client.get("/v1/people", headers=council)
    assert {p["id"] for p in everyone.json()["data"]} == {body["id"], other["id"]}
    by_school = await client.get("/v1/people", params={"school": 115001}, headers=council)
    assert [p["id"] for p in by_school.json()["data"]] == [other["id"]]
    by_partnership = await client.get(
        "/v1/people", params={"partnership": directory.p1}, headers=council
    )
    assert [p["id"] for p in by_partnership.json()["data"]] == [body["id"]]
    by_expertise = await client.get("/v1/people", params={"expertise": "maths"}, headers=council)
    assert [p["id"] for p in by_expertise.json()["data"]] == [body["id"]]
    by_role = await client.get("/v1/people", params={"role": "reviewer"}, headers=council)
    assert by_role.json()["data"] == []
    paged = await client.get("/v1/people", params={"limit": 1}, headers=council)
    assert paged.json()["next_cursor"]
    rest = await client.get(
        "/v1/people", params={"limit": 1, "cursor": paged.json()["next_cursor"]}, headers=council
    )
    assert len(rest.json()["data"]) == 1
    since = await client.get(
        "/v1/people", params={"updated_since": got.json()["updated_at"]}, headers=council
    )
    # Inclusive: the row changed at that instant comes again, then what changed later.
    assert [p["id"] for p in since.json()["data"]] == [body["id"], other["id"]]
    since = await client.get(
        "/v1/people", params={"updated_since": other["updated_at"]}, headers=council
    )
    assert [p["id"] for p in since.json()["data"]] == [other["id"]]


async def test_idempotent_registration(client: httpx.AsyncClient, directory: Directory) -> None:
    headers = {**directory.council, "Idempotency-Key": "person-1"}
    first = await client.post("/v1/people", json=person(), headers=headers)
    again = await client.post("/v1/people", json=person(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    other = await client.post("/v1/people", json=person("x@y.sch.uk"), headers=headers)
    assert_problem(other, 422)
    listing = await client.get("/v1/people", headers=directory.council)
    assert len(listing.json()["data"]) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"email": "not-an-email"},
        {"email": "two@@example.org"},
        {"expertise": ["juggling"]},
        {"roles": []},
        {"roles": [{"role": "headteacher"}]},
        {"roles": [{"role": "headteacher", "urn": 115000, "partnership_id": None, "x": 1}]},
        {"roles": [{"role": "partnership_lead", "urn": 115000}]},
        {"roles": [{"role": "improvement_champion", "urn": 115000}]},
        {"roles": [{"role": "improvement_champion", "urn": 115000, "academic_year": "2026-28"}]},
        {"roles": [{"role": "reviewer", "urn": 999999}]},
        {"colour": "red"},
    ],
)
async def test_bad_people_are_refused(
    client: httpx.AsyncClient, directory: Directory, change: dict[str, Any]
) -> None:
    response = await client.post(
        "/v1/people", json={**person(), **change}, headers=directory.council
    )
    assert_problem(response, 422)
    assert (await client.get("/v1/people", headers=directory.council)).json()["data"] == []


async def test_email_is_unique(client: httpx.AsyncClient, directory: Directory) -> None:
    await _create(client, directory.council, person())
    again = await client.post(
        "/v1/people", json=person("J.Smith@CHELMER.essex.sch.uk"), headers=directory.council
    )
    # The domain is case-insensitive; the local part is kept as written.
    assert again.status_code == 201
    duplicate = await client.post("/v1/people", json=person(), headers=directory.council)
    assert_problem(duplicate, 409)


def own_token(dev_key_path: Path, person_id: str) -> str:
    """A token of the person themselves (``person_id`` claim), with no tenancy."""
    key = load_or_create_dev_key(dev_key_path)
    return issue_dev_token(
        key,
        issuer=ISSUER,
        audience=AUDIENCE,
        subject="person",
        scopes=["directory:read"],
        person_id=person_id,
    )


async def test_sub_resources_bump_the_version(
    client: httpx.AsyncClient, directory: Directory, dev_key_path: Path
) -> None:
    council = directory.council
    body = await _create(client, council, person())
    base = f"/v1/people/{body['id']}"

    def at(version: int) -> dict[str, str]:
        return {**council, "If-Match": f'"{version}"'}

    roles = {
        "roles": [
            {"role": "headteacher", "urn": 115000},
            {"role": "lead_reviewer", "partnership_id": directory.p1},
            {"role": "improvement_champion", "urn": 115000, "academic_year": "2026-27"},
        ]
    }
    assert_problem(await client.put(f"{base}/roles", json=roles, headers=council), 428)
    replaced = await client.put(f"{base}/roles", json=roles, headers=at(1))
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["etag"] == '"2"'
    assert len(replaced.json()["roles"]) == 3

    training = {"kind": "lead_reviewer", "completed_on": "2026-07-01", "expires_on": "2029-07-01"}
    assert_problem(await client.post(f"{base}/training", json=training, headers=at(1)), 412)
    trained = await client.post(f"{base}/training", json=training, headers=at(2))
    assert trained.status_code == 200, trained.text
    record = trained.json()["training"][0]
    reversed_training = {**training, "expires_on": "2020-01-01"}
    assert_problem(
        await client.post(f"{base}/training", json=reversed_training, headers=at(3)), 422
    )
    bad_kind = {**training, "kind": "juggler"}
    assert_problem(await client.post(f"{base}/training", json=bad_kind, headers=at(3)), 422)

    away = {"starts_on": "2026-11-02", "ends_on": "2026-11-06", "reason": "Ofsted visit"}
    reversed_away = {**away, "ends_on": "2026-11-01"}
    assert_problem(
        await client.post(f"{base}/unavailability", json=reversed_away, headers=at(3)), 422
    )
    added = await client.post(f"{base}/unavailability", json=away, headers=at(3))
    assert added.status_code == 200, added.text
    # The reason is private to the person: the council sees the dates only.
    assert added.json()["unavailability"][0]["reason"] is None
    themselves = bearer(own_token(dev_key_path, body["id"]))
    own = await client.get(base, headers=themselves)
    assert own.status_code == 200
    assert own.json()["unavailability"][0]["reason"] == "Ofsted visit"

    removed = await client.delete(f"{base}/training/{record['id']}", headers=at(4))
    assert removed.status_code == 200
    assert removed.json()["training"] == []
    assert_problem(await client.delete(f"{base}/training/{record['id']}", headers=at(5)), 404)
    gone = await client.delete(
        f"{base}/unavailability/{added.json()['unavailability'][0]['id']}", headers=at(5)
    )
    assert gone.status_code == 200
    assert gone.json()["version"] == 6


async def test_conflicts_automatic_declared_and_waived(
    client: httpx.AsyncClient, directory: Directory
) -> None:
    council = directory.council
    body = await _create(client, council, person())
    base = f"/v1/people/{body['id']}"
    hard = {"kind": "governor_or_trustee", "urn": 115001, "severity": "hard"}
    soft = {"kind": "recent_employment", "urn": 115002, "severity": "soft", "note": "Until 2024"}
    assert (
        await client.post(f"{base}/conflicts", json=hard, headers={**council, "If-Match": '"1"'})
    ).status_code == 200
    declared = await client.post(
        f"{base}/conflicts", json=soft, headers={**council, "If-Match": '"2"'}
    )
    assert declared.status_code == 200
    bad = {**hard, "kind": "rivalry"}
    assert_problem(
        await client.post(f"{base}/conflicts", json=bad, headers={**council, "If-Match": '"3"'}),
        422,
    )

    listed = await client.get(f"{base}/conflicts", headers=council)
    assert listed.status_code == 200
    conflicts = listed.json()["data"]
    assert [(c["source"], c["kind"], c["urn"], c["severity"]) for c in conflicts] == [
        ("automatic", "own_school", 115000, "hard"),
        ("declared", "governor_or_trustee", 115001, "hard"),
        ("declared", "recent_employment", 115002, "soft"),
    ]
    hard_id, soft_id = conflicts[1]["id"], conflicts[2]["id"]
    refused = await client.put(
        f"{base}/conflicts/{hard_id}/waiver",
        json={"reason": "Please"},
        headers={**council, "If-Match": '"3"'},
    )
    assert_problem(refused, 409)
    waived = await client.put(
        f"{base}/conflicts/{soft_id}/waiver",
        json={"reason": "Left in 2024"},
        headers={**council, "If-Match": '"3"'},
    )
    assert waived.status_code == 200, waived.text
    after = (await client.get(f"{base}/conflicts", headers=council)).json()["data"]
    assert after[2]["waiver"]["reason"] == "Left in 2024"
    assert after[2]["waiver"]["waived_by"]
    assert after[1]["waiver"] is None

    withdrawn = await client.delete(
        f"{base}/conflicts/{hard_id}", headers={**council, "If-Match": '"4"'}
    )
    assert withdrawn.status_code == 200
    final = (await client.get(f"{base}/conflicts", headers=council)).json()["data"]
    assert [c["kind"] for c in final] == ["own_school", "recent_employment"]


async def test_nobody_sees_another_partnerships_people(
    client: httpx.AsyncClient, directory: Directory, issue_token: TokenFactory
) -> None:
    north = await _create(client, directory.council, person("north@a.sch.uk", 115000))
    lead = {"role": "partnership_lead", "partnership_id": directory.p2}
    south_lead = await _create(
        client, directory.council, {**person("lead@b.sch.uk"), "roles": [lead]}
    )
    south = await _create(client, directory.council, person("south@b.sch.uk", 115001))

    p1 = bearer(issue_token("directory:read", "directory:write", partnerships=[directory.p1]))
    seen = await client.get("/v1/people", headers=p1)
    assert [p["id"] for p in seen.json()["data"]] == [north["id"]]
    for hidden in (south, south_lead):
        assert_problem(await client.get(f"/v1/people/{hidden['id']}", headers=p1), 404)
        changed = await client.patch(
            f"/v1/people/{hidden['id']}", json={"name": "X"}, headers={**p1, "If-Match": '"1"'}
        )
        assert_problem(changed, 404)
    # A partnership lead cannot place people in another partnership's schools.
    assert_problem(
        await client.post("/v1/people", json=person("n@a.sch.uk", 115001), headers=p1), 403
    )
    # ...but manages its own people.
    ok = await client.patch(
        f"/v1/people/{north['id']}", json={"name": "N"}, headers={**p1, "If-Match": '"1"'}
    )
    assert ok.status_code == 200

    p2 = bearer(issue_token("directory:read", partnerships=[directory.p2]))
    seen2 = {p["id"] for p in (await client.get("/v1/people", headers=p2)).json()["data"]}
    assert seen2 == {south["id"], south_lead["id"]}


async def test_a_trusts_client_sees_its_schools_people(
    client: httpx.AsyncClient, directory: Directory, issue_token: TokenFactory
) -> None:
    mine = await _create(client, directory.council, person("mine@a.sch.uk", 115000))
    await _create(client, directory.council, person("theirs@b.sch.uk", 115001))
    trust = bearer(issue_token("directory:read", "directory:write", trusts=["5001"]))
    seen = await client.get("/v1/people", headers=trust)
    assert [p["id"] for p in seen.json()["data"]] == [mine["id"]]
    assert (await client.get(f"/v1/people/{mine['id']}", headers=trust)).status_code == 200
    # Seeing is not managing: a trust token cannot change the school's staff.
    changed = await client.patch(
        f"/v1/people/{mine['id']}", json={"name": "X"}, headers={**trust, "If-Match": '"1"'}
    )
    assert_problem(changed, 403)


async def test_a_school_manages_its_own_staff(
    client: httpx.AsyncClient, directory: Directory, issue_token: TokenFactory
) -> None:
    school = bearer(issue_token("directory:read", "directory:write", schools=["115000"]))
    created = await client.post("/v1/people", json=person(), headers=school)
    assert created.status_code == 201, created.text
    elsewhere = await client.post("/v1/people", json=person("x@b.sch.uk", 115001), headers=school)
    assert_problem(elsewhere, 403)
    roles = {"roles": [{"role": "reviewer", "partnership_id": directory.p1}]}
    assert_problem(
        await client.put(
            f"/v1/people/{created.json()['id']}/roles",
            json=roles,
            headers={**school, "If-Match": '"1"'},
        ),
        403,
    )


async def test_two_stale_writers_one_wins_no_update_is_lost(
    client: httpx.AsyncClient, directory: Directory
) -> None:
    """Two writers read version 1 and change the person at once: one is applied (200), the
    other gets 412 and nothing of it is written; so for the sub-resources (training)."""
    council = directory.council
    body = await _create(client, council, person())
    path = f"/v1/people/{body['id']}"
    stale = {**council, "If-Match": '"1"'}

    async def rename(name: str) -> httpx.Response:
        return await client.patch(path, json={"name": name}, headers=stale)

    first, second = await asyncio.gather(rename("Writer A"), rename("Writer B"))
    assert sorted((first.status_code, second.status_code)) == [200, 412]
    winner = first if first.status_code == 200 else second
    loser = second if winner is first else first
    assert_problem(loser, 412)
    now = (await client.get(path, headers=council)).json()
    assert now["name"] == winner.json()["name"]
    assert now["version"] == 2

    current = {**council, "If-Match": '"2"'}
    trainings = [
        {"kind": "reviewer", "completed_on": "2026-07-01"},
        {"kind": "lead_reviewer", "completed_on": "2026-07-02"},
    ]
    answers = await asyncio.gather(
        *(client.post(f"{path}/training", json=t, headers=current) for t in trainings)
    )
    assert sorted(a.status_code for a in answers) == [200, 412]
    [applied] = [a for a in answers if a.status_code == 200]
    final = (await client.get(path, headers=council)).json()
    assert final["training"] == applied.json()["training"]
    assert len(final["training"]) == 1
    assert final["version"] == 3
