"""The school resource: create or replace, read, list, ETags, and bad input that changes nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.support import TokenFactory, assert_problem, bearer

SCHOOL = {
    "name": "Chelmer Valley Primary School",
    "phase": "primary",
    "la_code": "881",
    "establishment_number": "2001",
    "trust_uid": "16234",
    "postcode": "cm1 2ab",
    "easting": 570500,
    "northing": 207800,
    "status": "open",
}


@pytest.fixture
def writer(issue_token: TokenFactory) -> dict[str, str]:
    return bearer(issue_token("directory:read", "directory:write", la=["881"]))


async def test_put_creates_then_replaces_with_if_match(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    created = await client.put("/v1/schools/115000", json=SCHOOL, headers=writer)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/schools/115000"
    assert created.headers["etag"] == '"1"'
    body = created.json()
    assert body["postcode"] == "CM1 2AB"
    assert body["laestab"] == "8812001"

    renamed = {**SCHOOL, "name": "Chelmer Valley Primary Academy"}
    missing = await client.put("/v1/schools/115000", json=renamed, headers=writer)
    assert_problem(missing, 428)
    stale = await client.put(
        "/v1/schools/115000", json=renamed, headers={**writer, "If-Match": '"7"'}
    )
    assert_problem(stale, 412)

    replaced = await client.put(
        "/v1/schools/115000", json=renamed, headers={**writer, "If-Match": '"1"'}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["etag"] == '"2"'
    fetched = await client.get("/v1/schools/115000", headers=writer)
    assert fetched.json()["name"] == "Chelmer Valley Primary Academy"
    assert fetched.headers["etag"] == '"2"'


async def test_replacing_with_the_same_values_keeps_the_version(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await client.put("/v1/schools/115001", json=SCHOOL, headers=writer)
    again = await client.put(
        "/v1/schools/115001", json=SCHOOL, headers={**writer, "If-Match": '"1"'}
    )
    assert again.status_code == 200
    assert again.headers["etag"] == '"1"'


async def test_list_filters_and_pages(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    for index in range(5):
        trust = "16234" if index % 2 == 0 else None
        body = {**SCHOOL, "trust_uid": trust, "name": f"School {index}"}
        response = await client.put(f"/v1/schools/{120000 + index}", json=body, headers=writer)
        assert response.status_code == 201

    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = await client.get("/v1/schools", params=params, headers=writer)
        assert page.status_code == 200, page.text
        seen += [s["urn"] for s in page.json()["data"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [120000 + i for i in range(5)]

    by_trust = await client.get("/v1/schools", params={"trust": "16234"}, headers=writer)
    assert [s["urn"] for s in by_trust.json()["data"]] == [120000, 120002, 120004]
    other_la = await client.get("/v1/schools", params={"la": "882"}, headers=writer)
    assert other_la.json()["data"] == []
    future = await client.get(
        "/v1/schools", params={"updated_since": "2999-01-01T00:00:00Z"}, headers=writer
    )
    assert future.json()["data"] == []
    naive = await client.get(
        "/v1/schools", params={"updated_since": "2020-01-01T00:00:00"}, headers=writer
    )
    assert_problem(naive, 422)
    bad_cursor = await client.get("/v1/schools", params={"cursor": "nonsense!"}, headers=writer)
    assert_problem(bad_cursor, 422)
    too_many = await client.get("/v1/schools", params={"limit": "201"}, headers=writer)
    assert_problem(too_many, 422)


@pytest.mark.parametrize(
    ("urn", "body", "status"),
    [
        ("12345", SCHOOL, 422),  # malformed URN: five digits
        ("abcdef", SCHOOL, 422),
        ("115002", {**SCHOOL, "easting": "far"}, 422),  # wrong type
        ("115002", {**SCHOOL, "colour": "blue"}, 422),  # unknown field
        ("115002", {**SCHOOL, "la_code": "88"}, 422),
        ("115002", {**SCHOOL, "postcode": "not a postcode"}, 422),
        ("115002", {**SCHOOL, "phase": "kindergarten"}, 422),
        ("115002", [SCHOOL], 422),
    ],
)
async def test_bad_input_is_a_problem_and_changes_nothing(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    urn: str,
    body: object,
    status: int,
) -> None:
    response = await client.put(f"/v1/schools/{urn}", json=body, headers=writer)
    problem = assert_problem(response, status)
    if status == 422:
        assert problem["errors"], problem
    listing = await client.get("/v1/schools", headers=writer)
    assert listing.json()["data"] == []


async def test_malformed_json_and_oversized_bodies_change_nothing(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    headers = {**writer, "Content-Type": "application/json"}
    broken = await client.put("/v1/schools/115003", content=b'{"name": ', headers=headers)
    assert_problem(broken, 400)
    huge = {**SCHOOL, "name": "x" * 2_000_000}
    oversized = await client.put("/v1/schools/115003", json=huge, headers=writer)
    assert_problem(oversized, 413)
    missing = await client.get("/v1/schools/115003", headers=writer)
    assert_problem(missing, 404)
