"""Every route: 401 without a token, 403 without the scope, and another tenant's object is 404.

The route table below must name every /v1 route the app serves, so a new route cannot ship
without these checks. Each check walks the whole table against one set of owned objects (a
school, a partnership, an import, a person, calendars, a cycle with a request, and a second
partnership with a published schedule: a job, a planned review), reporting every route that
fails, so the table costs one app and one fixture per check, not one per route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bench.gias_extract import ESTABLISHMENT_COLUMNS as EST_COLUMNS
from bench.gias_extract import GROUP_COLUMNS, establishment, to_cp1252
from common.testing.apps import eventually
from scheduling.main import create_app
from tests.scheduling.kit import Built, build_partnership, finished_job
from tests.support import TokenFactory, assert_problem, bearer

ALL_SCOPES = (
    "directory:read",
    "directory:write",
    "schedule:read",
    "schedule:write",
    "reviews:read",
)

SCHOOL = {"name": "Owned School", "phase": "primary", "la_code": "881", "status": "open"}
AGREEMENT = {
    "partnership_visibility": "named",
    "trust_visibility": "none",
    "local_authority_visibility": "aggregated",
    "suppression_threshold": 6,
}
CONSENT = {"urn": 115000, "version": 1, "decision": "consented"}

PERSON = {
    "name": "Jo Smith",
    "email": "jo@owned.sch.uk",
    "roles": [{"role": "headteacher", "urn": 115000}],
}
BULK = {"source": "mis", "people": [{**PERSON, "external_id": "M1", "email": "m1@owned.sch.uk"}]}
TRAINING = {"kind": "reviewer", "completed_on": "2026-07-01"}
AWAY = {"starts_on": "2026-11-02", "ends_on": "2026-11-06"}
CONFLICT = {"kind": "other", "urn": 115001, "severity": "soft"}
WAIVER = {"reason": "Agreed"}
LA_CALENDAR = {
    "terms": [
        {"half_term": "autumn1", "starts_on": "2026-09-03", "ends_on": "2026-10-23"},
        {"half_term": "autumn2", "starts_on": "2026-11-02", "ends_on": "2026-12-18"},
        {"half_term": "spring1", "starts_on": "2027-01-05", "ends_on": "2027-02-12"},
        {"half_term": "spring2", "starts_on": "2027-02-22", "ends_on": "2027-03-26"},
        {"half_term": "summer1", "starts_on": "2027-04-12", "ends_on": "2027-05-28"},
        {"half_term": "summer2", "starts_on": "2027-06-07", "ends_on": "2027-07-21"},
    ],
    "inset_days": ["2026-09-02"],
}
SCHOOL_CALENDAR = {"inset_days": ["2027-01-04"]}
YEAR = "2026-27"
CYCLE_REQUEST = {"focus": ["maths"], "mode": "virtual", "days": 2}
MEETING = {
    "title": "Extra",
    "starts_at": "2027-11-24T13:30:00Z",
    "ends_at": "2027-11-24T15:30:00Z",
}
FEED = {"kind": "school", "urn": 115000}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    scope: str | None  # None: public (the calendar feed, whose secret URL is the credential)
    body: Any = None
    is_object: bool = True  # addresses one tenant's object (else a collection)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


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
    Route("GET", "/v1/partnerships/{partnership_id}/agreement/versions", "directory:read"),
    Route("GET", "/v1/partnerships/{partnership_id}/agreement/schools", "directory:read"),
    Route("GET", "/v1/partnerships/{partnership_id}/agreement/consents", "directory:read"),
    Route(
        "POST", "/v1/partnerships/{partnership_id}/agreement/consents", "directory:write", CONSENT
    ),
    Route("GET", "/v1/schools/{urn}/links", "directory:read"),
    Route("GET", "/v1/trusts", "directory:read", is_object=False),
    Route("GET", "/v1/trusts/{uid}", "directory:read"),
    Route("POST", "/v1/imports", "directory:write", is_object=False),
    Route("GET", "/v1/imports", "directory:write", is_object=False),
    Route("GET", "/v1/imports/{import_id}", "directory:write"),
    Route("DELETE", "/v1/imports/{import_id}", "directory:write"),
    # people
    Route("POST", "/v1/people", "directory:write", PERSON, is_object=False),
    Route("GET", "/v1/people", "directory:read", is_object=False),
    Route("POST", "/v1/people/bulk", "directory:write", BULK, is_object=False),
    Route("GET", "/v1/tombstones", "directory:read", is_object=False),
    Route("GET", "/v1/people/{person_id}", "directory:read"),
    Route("PATCH", "/v1/people/{person_id}", "directory:write", {"name": "Taken"}),
    Route("PUT", "/v1/people/{person_id}/roles", "directory:write", {"roles": PERSON["roles"]}),
    Route("POST", "/v1/people/{person_id}/training", "directory:write", TRAINING),
    Route("DELETE", "/v1/people/{person_id}/training/{item_id}", "directory:write"),
    Route("POST", "/v1/people/{person_id}/unavailability", "directory:write", AWAY),
    Route("DELETE", "/v1/people/{person_id}/unavailability/{item_id}", "directory:write"),
    Route("GET", "/v1/people/{person_id}/conflicts", "directory:read"),
    Route("POST", "/v1/people/{person_id}/conflicts", "directory:write", CONFLICT),
    Route("DELETE", "/v1/people/{person_id}/conflicts/{item_id}", "directory:write"),
    Route("PUT", "/v1/people/{person_id}/conflicts/{item_id}/waiver", "directory:write", WAIVER),
    # calendars
    Route("GET", "/v1/calendars/las/{la_code}/{academic_year}", "directory:read"),
    Route("PUT", "/v1/calendars/las/{la_code}/{academic_year}", "directory:write", LA_CALENDAR),
    Route("GET", "/v1/calendars/schools/{urn}/{academic_year}", "directory:read"),
    Route("GET", "/v1/calendars/schools/{urn}/{academic_year}/override", "directory:read"),
    Route(
        "PUT",
        "/v1/calendars/schools/{urn}/{academic_year}/override",
        "directory:write",
        SCHOOL_CALENDAR,
    ),
    # a council's view
    Route("GET", "/v1/local-authorities/{la_code}/coverage", "directory:read"),
    # An LA's areas (the stranger matrix in detail: tests/scheduling/test_areas.py)
    Route("GET", "/v1/local-authorities/{la_code}/areas", "directory:read"),
    Route("POST", "/v1/local-authorities/{la_code}/areas", "directory:write", {"name": "Mine"}),
    Route("GET", "/v1/local-authorities/{la_code}/areas/{area_id}", "directory:read"),
    Route(
        "PATCH", "/v1/local-authorities/{la_code}/areas/{area_id}", "directory:write", {"name": "X"}
    ),
    Route("DELETE", "/v1/local-authorities/{la_code}/areas/{area_id}", "directory:write"),
    Route(
        "PUT",
        "/v1/local-authorities/{la_code}/areas/{area_id}/partnerships/{partnership_id}",
        "directory:write",
    ),
    Route(
        "DELETE",
        "/v1/local-authorities/{la_code}/areas/{area_id}/partnerships/{partnership_id}",
        "directory:write",
    ),
    Route("GET", "/v1/local-authorities/{la_code}/pipeline-forecast", "schedule:read"),
    Route("GET", "/v1/partnerships/{partnership_id}/pipeline-forecast", "schedule:read"),
    # cycles
    Route("POST", "/v1/cycles", "directory:write", {"academic_year": YEAR}, is_object=False),
    Route("GET", "/v1/cycles", "directory:read", is_object=False),
    Route("GET", "/v1/cycles/{cycle_id}", "directory:read"),
    Route("PATCH", "/v1/cycles/{cycle_id}", "directory:write", {"policy": {"rotation_cycles": 2}}),
    Route("GET", "/v1/cycles/{cycle_id}/requests", "directory:read"),
    Route("GET", "/v1/cycles/{cycle_id}/requests/{urn}", "directory:read"),
    Route("PUT", "/v1/cycles/{cycle_id}/requests/{urn}", "directory:write", CYCLE_REQUEST),
    Route(
        "POST",
        "/v1/partnerships/{partnership_id}/cycles",
        "directory:write",
        {"academic_year": "2027-28"},
    ),
    # schedules
    Route("POST", "/v1/cycles/{cycle_id}/schedule-jobs", "schedule:write", {}),
    Route("POST", "/v1/schedule-jobs", "schedule:write", {"la_code": "881"}, is_object=False),
    Route("GET", "/v1/schedule-jobs", "schedule:read", is_object=False),
    Route("GET", "/v1/schedule-jobs/{job_id}", "schedule:read"),
    Route("DELETE", "/v1/schedule-jobs/{job_id}", "schedule:write"),
    Route("POST", "/v1/cycles/{cycle_id}/repairs", "schedule:write", {}),
    Route("GET", "/v1/cycles/{cycle_id}/schedule", "schedule:read"),
    Route("POST", "/v1/cycles/{cycle_id}/schedule/publish", "schedule:write"),
    Route("GET", "/v1/planned-reviews", "schedule:read", is_object=False),
    Route("GET", "/v1/planned-reviews/{review_id}", "schedule:read"),
    Route("PATCH", "/v1/planned-reviews/{review_id}", "schedule:write", {"mode": "virtual"}),
    Route(
        "POST", "/v1/planned-reviews/{review_id}/cancellation", "schedule:write", {"reason": "x"}
    ),
    # meetings and calendar feeds
    Route("GET", "/v1/cycles/{cycle_id}/meetings", "schedule:read"),
    Route("POST", "/v1/cycles/{cycle_id}/meetings", "schedule:write", MEETING),
    Route("POST", "/v1/cycles/{cycle_id}/meetings/generation", "schedule:write"),
    Route("GET", "/v1/meetings/{meeting_id}", "schedule:read"),
    Route("PATCH", "/v1/meetings/{meeting_id}", "schedule:write", {"title": "Taken"}),
    Route("DELETE", "/v1/meetings/{meeting_id}", "schedule:write"),
    Route("POST", "/v1/feed-tokens", "schedule:read", FEED, is_object=False),
    Route("GET", "/v1/feed-tokens", "schedule:read", is_object=False),
    Route("DELETE", "/v1/feed-tokens/{token_id}", "schedule:read"),
    Route("GET", "/v1/feeds/{secret}.ics", None, is_object=False),
]
# The routes whose {cycle_id} is the cycle with the published schedule.
SCHEDULED = ("/schedule-jobs", "/schedule", "/repairs", "/meetings")

TRUST_UID = "16234"
ESTABLISHMENTS = to_cp1252(
    EST_COLUMNS,
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
    person_id: str = ""
    item_id: str = "01a20000-0000-7000-8000-000000000000"
    cycle_id: str = ""
    scheduled: Built | None = None  # a partnership with a published schedule
    job_id: str = ""
    review_id: str = ""
    meeting_id: str = ""
    token_id: str = ""
    area_id: str = ""
    secret: str = "x" * 43

    def path(self, route: Route) -> str:
        scheduled = any(part in route.path for part in SCHEDULED)
        assert self.scheduled is not None
        return route.path.format(
            urn=self.urn,
            partnership_id=self.partnership_id,
            uid=TRUST_UID,
            import_id=self.import_id,
            person_id=self.person_id,
            item_id=self.item_id,
            la_code="881",
            academic_year=YEAR,
            cycle_id=self.scheduled.cycle_id if scheduled else self.cycle_id,
            job_id=self.job_id,
            review_id=self.review_id,
            meeting_id=self.meeting_id,
            token_id=self.token_id,
            area_id=self.area_id,
            secret=self.secret,
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
    person = await client.post("/v1/people", json=PERSON, headers=owner)
    assert person.status_code == 201, person.text
    calendar = await client.put(f"/v1/calendars/las/881/{YEAR}", json=LA_CALENDAR, headers=owner)
    assert calendar.status_code == 201, calendar.text
    school = bearer(issue_token("directory:read", "directory:write", schools=["115000"]))
    override = f"/v1/calendars/schools/115000/{YEAR}/override"
    assert (await client.put(override, json=SCHOOL_CALENDAR, headers=school)).status_code == 201
    cycle = await client.post(
        "/v1/cycles", json={"partnership_id": partnership_id, "academic_year": YEAR}, headers=owner
    )
    assert cycle.status_code == 201, cycle.text
    cycle_id = cycle.json()["id"]
    request = f"/v1/cycles/{cycle_id}/requests/115000"
    assert (await client.put(request, json=CYCLE_REQUEST, headers=school)).status_code == 201
    council = bearer(issue_token(*ALL_SCOPES, la=["881"]))
    scheduled = await build_partnership(
        client, council, urns=[125001, 125002, 125003, 125004], name="Scheduled"
    )
    started = await client.post(
        f"/v1/cycles/{scheduled.cycle_id}/schedule-jobs", json={}, headers=council
    )
    job = await finished_job(client, started.headers["location"], council)
    assert job["status"] == "succeeded", job
    published = await client.post(
        f"/v1/cycles/{scheduled.cycle_id}/schedule/publish", headers=council
    )
    assert published.status_code == 201, published.text
    generated = await client.post(
        f"/v1/cycles/{scheduled.cycle_id}/meetings/generation", headers=council
    )
    assert generated.status_code == 200, generated.text
    token = await client.post(
        "/v1/feed-tokens",
        json={"kind": "partnership", "partnership_id": scheduled.partnership_id},
        headers=council,
    )
    assert token.status_code == 201, token.text
    area = await client.post(
        "/v1/local-authorities/881/areas", json={"name": "North East Quadrant"}, headers=owner
    )
    assert area.status_code == 201, area.text
    return Owned(
        area_id=area.json()["id"],
        urn=115000,
        partnership_id=partnership_id,
        import_id=imported.json()["id"],
        person_id=person.json()["id"],
        cycle_id=cycle_id,
        scheduled=scheduled,
        job_id=job["id"],
        review_id=published.json()["reviews"][0]["id"],
        meeting_id=generated.json()["created"][0]["id"],
        token_id=token.json()["id"],
        secret=token.json()["url"].removeprefix("/v1/feeds/").removesuffix(".ics"),
    )


async def _call(
    client: httpx.AsyncClient, route: Route, path: str, headers: dict[str, str]
) -> httpx.Response:
    headers = {**headers, "If-Match": '"1"'}
    if route.method == "POST" and route.path == "/v1/imports":
        files = {"establishments": ("e.csv", ESTABLISHMENTS)}
        return await client.post(path, files=files, headers=headers)
    body = route.body
    if route.method == "POST" and body is None and "/schedule" not in route.path:
        body = {"name": "New", "kind": "la_cluster", "la_code": "881"}
    if route.path == "/v1/schedule-jobs" and route.method == "POST":
        body = {**body, "academic_year": YEAR}
    return await client.request(route.method, path, json=body, headers=headers)


def _failures(found: list[str]) -> None:
    assert not found, "\n".join(found)


def _is_problem(response: httpx.Response, status: int) -> bool:
    return response.status_code == status and response.headers.get("content-type", "").startswith(
        "application/problem+json"
    )


async def test_without_a_token_is_401(client: httpx.AsyncClient, owned: Owned) -> None:
    failed = []
    for route in ROUTES:
        if route.scope is None:
            continue
        response = await _call(client, route, owned.path(route), {})
        garbage = await _call(client, route, owned.path(route), bearer("not-a-jwt"))
        if not (
            _is_problem(response, 401)
            and response.headers["www-authenticate"].startswith("Bearer")
            and _is_problem(garbage, 401)
        ):
            failed.append(f"{route}: {response.status_code} {garbage.status_code}")
    _failures(failed)


async def test_without_the_scope_is_403(
    client: httpx.AsyncClient, owned: Owned, issue_token: TokenFactory
) -> None:
    failed = []
    for route in ROUTES:
        if route.scope is None:
            continue
        token = issue_token(*(set(ALL_SCOPES) - {route.scope}), la=["881"])
        response = await _call(client, route, owned.path(route), bearer(token))
        if not _is_problem(response, 403):
            failed.append(f"{route}: {response.status_code} {response.text}")
    _failures(failed)


async def test_another_tenants_object_is_404_and_unchanged(
    client: httpx.AsyncClient, owned: Owned, issue_token: TokenFactory
) -> None:
    stranger = bearer(issue_token(*ALL_SCOPES, la=["882"]))
    owner = bearer(issue_token(*ALL_SCOPES, la=["881"]))
    failed = []
    before = await _snapshot(client, owned, owner)
    for route in ROUTES:
        if not route.is_object or route.scope is None:
            continue
        response = await _call(client, route, owned.path(route), stranger)
        if not _is_problem(response, 404):
            failed.append(f"{route}: {response.status_code} {response.text}")
        elif await _snapshot(client, owned, owner) != before:
            failed.append(f"{route}: changed something")
    _failures(failed)


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


async def test_strangers_sync_lists_hide_other_tenants(
    client: httpx.AsyncClient, owned: Owned, issue_token: TokenFactory
) -> None:
    owner = bearer(issue_token(*ALL_SCOPES, la=["881"]))
    stranger = bearer(issue_token(*ALL_SCOPES, la=["882"]))
    other = {**SCHOOL, "name": "Leaving School"}
    assert (await client.put("/v1/schools/115002", json=other, headers=owner)).is_success
    base = f"/v1/partnerships/{owned.partnership_id}/members/115002"
    assert (await client.put(base, headers=owner)).is_success
    assert (await client.delete(base, headers=owner)).status_code == 204
    for path in ("/v1/imports", "/v1/schedule-jobs", "/v1/tombstones"):
        assert (await client.get(path, headers=owner)).json()["data"], path
        assert (await client.get(path, headers=stranger)).json()["data"] == [], path
    bulk = await client.post("/v1/people/bulk", json=BULK, headers=stranger)
    assert bulk.json()["results"][0]["status"] == 403


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
    person = (await client.get(f"/v1/people/{owned.person_id}", headers=owner)).json()
    calendars = [
        (await client.get(f"/v1/calendars/{path}", headers=owner)).json()
        for path in (f"las/881/{YEAR}", f"schools/{owned.urn}/{YEAR}/override")
    ]
    cycle = [
        (await client.get(f"/v1/cycles/{owned.cycle_id}{path}", headers=owner)).json()
        for path in ("", f"/requests/{owned.urn}")
    ]
    assert owned.scheduled is not None
    scheduled = [
        (await client.get(path, headers=owner)).json()
        for path in (
            f"/v1/cycles/{owned.scheduled.cycle_id}/schedule",
            f"/v1/schedule-jobs/{owned.job_id}",
            f"/v1/planned-reviews?cycle={owned.scheduled.cycle_id}",
            f"/v1/cycles/{owned.scheduled.cycle_id}/meetings",
            f"/v1/meetings/{owned.meeting_id}",
            "/v1/feed-tokens",
        )
    ]
    scheduled.append((await client.get(f"/v1/feeds/{owned.secret}.ics")).status_code)
    return (
        school,
        partnership,
        members,
        agreement,
        trust,
        links,
        job,
        person,
        calendars,
        cycle,
        scheduled,
    )
