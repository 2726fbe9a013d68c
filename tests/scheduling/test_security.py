"""Every route: 401 without a token, 403 without the scope, and another tenant's object is 404.

The route table below must name every /v1 route the app serves, so a new route cannot ship
without these checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bench.gias_extract import ESTABLISHMENT_COLUMNS, GROUP_COLUMNS, establishment, to_cp1252
from common.testing.apps import eventually
from scheduling.main import create_app
from tests.support import TokenFactory, assert_problem, bearer

SCHOOL = {"name": "Owned School", "phase": "primary", "la_code": "881", "status": "open"}
AGREEMENT = {
    "partnership_visibility": "named",
    "trust_visibility": "none",
    "local_authority_visibility": "aggregated",
    "suppression_threshold": 6,
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    scope: str
    body: Any = None
    is_object: bool = True  # addresses one tenant's object (else a collection)


ROUTES = [
    Route("PUT", "/v1/schools/{urn}", "directory:write", SCHOOL),
    Route("GET", "/v1/schools/{urn}", "directory:read"),
    Route("GET", "/v1/schools", "directory:read", is_object=False),
    Route("POST", "/v1/partnerships", "directory:write", is_object=False),
    Route("GET", "/v1/partnerships", "directory:read", is_object=False),
    Route("GET", "/v1/partnerships/{partnership_id}", "directory:read"),
    Route("PATCH", "/v1/partnerships/{partnership_id}", "directory:write", {"name": "Taken"}),
    Route("GET", "/v1/partnerships/{partnership_id}/members", "directory:read"),
    Route("PUT", "/v1/partnerships/{partnership_id}/members/{urn}", "directory:write"),
    Route("DELETE", "/v1/partnerships/{partnership_id}/members/{urn}", "directory:write"),
    Route("GET", "/v1/partnerships/{partnership_id}/agreement", "directory:read"),
    Route("PUT", "/v1/partnerships/{partnership_id}/agreement", "directory:write", AGREEMENT),
    # trusts, links and the GIAS import
    Route("GET", "/v1/schools/{urn}/links", "directory:read"),
    Route("GET", "/v1/trusts", "directory:read", is_object=False),
    Route("GET", "/v1/trusts/{uid}", "directory:read"),
    Route("POST", "/v1/imports", "directory:write", is_object=False),
    Route("GET", "/v1/imports/{import_id}", "directory:write"),
    Route("DELETE", "/v1/imports/{import_id}", "directory:write"),
]

TRUST_UID = "16234"
ESTABLISHMENTS = to_cp1252(
    ESTABLISHMENT_COLUMNS,
    [establishment(115000, EstablishmentName="Owned School", **{"Trusts (code)": TRUST_UID})],
)
GROUPS = to_cp1252(
    GROUP_COLUMNS,
    [
        {
            "Group UID": TRUST_UID,
            "Group Name": "Owned Trust",
            "Group Type": "Multi-academy trust",
            "Group Status": "Open",
        }
    ],
)


def test_the_table_covers_every_route() -> None:
    served = {
        (method.upper(), path)
        for path, operations in create_app().openapi()["paths"].items()
        if path.startswith("/v1")
        for method in operations
    }
    assert served == {(r.method, r.path) for r in ROUTES}


@dataclass
class Owned:
    urn: int
    partnership_id: str
    import_id: str

    def path(self, route: Route) -> str:
        return route.path.format(
            urn=self.urn,
            partnership_id=self.partnership_id,
            uid=TRUST_UID,
            import_id=self.import_id,
        )


@pytest.fixture
async def owned(client: httpx.AsyncClient, issue_token: TokenFactory) -> Owned:
    """A school and a partnership of LA 881, the school a member."""
    owner = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    assert (await client.put("/v1/schools/115000", json=SCHOOL, headers=owner)).status_code == 201
    created = await client.post(
        "/v1/partnerships",
        json={"name": "Chelmsford North", "kind": "la_cluster", "la_code": "881"},
        headers=owner,
    )
    assert created.status_code == 201, created.text
    partnership_id = created.json()["id"]
    joined = await client.put(f"/v1/partnerships/{partnership_id}/members/115000", headers=owner)
    assert joined.status_code == 201
    imported = await client.post(
        "/v1/imports",
        files={"establishments": ("e.csv", ESTABLISHMENTS), "groups": ("g.csv", GROUPS)},
        headers=owner,
    )
    assert imported.status_code == 202, imported.text
    location = imported.headers["location"]

    async def finished() -> bool:
        job = (await client.get(location, headers=owner)).json()
        return bool(job["status"] == "succeeded")

    await eventually(finished)
    return Owned(urn=115000, partnership_id=partnership_id, import_id=imported.json()["id"])


async def _call(
    client: httpx.AsyncClient, route: Route, path: str, headers: dict[str, str]
) -> httpx.Response:
    headers = {**headers, "If-Match": '"1"'}
    if route.method == "POST" and route.path == "/v1/imports":
        files = {"establishments": ("e.csv", ESTABLISHMENTS)}
        return await client.post(path, files=files, headers=headers)
    body = route.body
    if route.method == "POST":
        body = {"name": "New", "kind": "la_cluster", "la_code": "881"}
    return await client.request(route.method, path, json=body, headers=headers)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_without_a_token_is_401(
    client: httpx.AsyncClient, owned: Owned, route: Route
) -> None:
    response = await _call(client, route, owned.path(route), {})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    garbage = await _call(client, route, owned.path(route), bearer("not-a-jwt"))
    assert_problem(garbage, 401)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_without_the_scope_is_403(
    client: httpx.AsyncClient, owned: Owned, route: Route, issue_token: TokenFactory
) -> None:
    other_scopes = {"directory:read", "directory:write", "reviews:read"} - {route.scope}
    token = issue_token(*other_scopes, la=["881"])
    response = await _call(client, route, owned.path(route), bearer(token))
    assert_problem(response, 403)


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.is_object], ids=lambda r: f"{r.method} {r.path}"
)
async def test_another_tenants_object_is_404_and_unchanged(
    client: httpx.AsyncClient, owned: Owned, route: Route, issue_token: TokenFactory
) -> None:
    stranger = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    owner = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    before = await _snapshot(client, owned, owner)
    response = await _call(client, route, owned.path(route), stranger)
    assert_problem(response, 404)
    assert await _snapshot(client, owned, owner) == before


async def test_strangers_collections_hide_other_tenants(
    client: httpx.AsyncClient, owned: Owned, issue_token: TokenFactory
) -> None:
    stranger = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    schools = await client.get("/v1/schools", headers=stranger)
    assert schools.json()["data"] == []
    partnerships = await client.get("/v1/partnerships", headers=stranger)
    assert partnerships.json()["data"] == []
    created = await client.post(
        "/v1/partnerships",
        json={"name": "Not yours", "kind": "la_cluster", "la_code": "881"},
        headers=stranger,
    )
    assert_problem(created, 403)


async def test_a_member_school_sees_but_cannot_manage_its_partnership(
    client: httpx.AsyncClient, owned: Owned, issue_token: TokenFactory
) -> None:
    head = bearer(issue_token("directory:read", "directory:write", schools=[str(owned.urn)]))
    path = f"/v1/partnerships/{owned.partnership_id}"
    assert (await client.get(path, headers=head)).status_code == 200
    renamed = await client.patch(path, json={"name": "Mine"}, headers={**head, "If-Match": '"1"'})
    assert_problem(renamed, 403)


async def _snapshot(client: httpx.AsyncClient, owned: Owned, owner: dict[str, str]) -> Any:
    school = (await client.get(f"/v1/schools/{owned.urn}", headers=owner)).json()
    base = f"/v1/partnerships/{owned.partnership_id}"
    partnership = (await client.get(base, headers=owner)).json()
    members = (await client.get(f"{base}/members", headers=owner)).json()
    agreement = (await client.get(f"{base}/agreement", headers=owner)).json()
    trust = (await client.get(f"/v1/trusts/{TRUST_UID}", headers=owner)).json()
    links = (await client.get(f"/v1/schools/{owned.urn}/links", headers=owner)).json()
    job = (await client.get(f"/v1/imports/{owned.import_id}", headers=owner)).json()
    return school, partnership, members, agreement, trust, links, job
