"""An LA's areas (``/v1/local-authorities/{la}/areas``): created, renamed and deleted by the
LA, partnerships put in at most one, published through the outbox; any other token 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from common.testing.nats import NatsServer
from tests.scheduling.test_events import _messages
from tests.support import TokenFactory, assert_problem, bearer

AREAS = "/v1/local-authorities/881/areas"


async def _partnership(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    created = await client.post(
        "/v1/partnerships",
        json={"name": name, "kind": "la_cluster", "la_code": "881"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _area(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> dict[str, Any]:
    created = await client.post(AREAS, json={"name": name}, headers=headers)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def test_an_la_groups_its_partnerships_into_areas(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    north, south = [await _partnership(client, council, n) for n in ("North", "South")]
    ne = await _area(client, council, "North East Quadrant")
    sw = await _area(client, council, "South West Quadrant")
    assert ne["la_code"] == "881"
    assert ne["partnerships"] == []
    assert_problem(
        await client.post(AREAS, json={"name": "North East Quadrant"}, headers=council), 409
    )
    assert_problem(await client.post(AREAS, json={"name": " "}, headers=council), 422)

    put = await client.put(f"{AREAS}/{ne['id']}/partnerships/{north}", headers=council)
    assert put.status_code == 200, put.text
    assert put.json()["partnerships"] == [{"id": north, "name": "North"}]
    again = await client.put(f"{AREAS}/{ne['id']}/partnerships/{north}", headers=council)
    assert again.json()["version"] == put.json()["version"]  # idempotent
    await client.put(f"{AREAS}/{sw['id']}/partnerships/{south}", headers=council)
    partnership = (await client.get(f"/v1/partnerships/{north}", headers=council)).json()
    assert partnership["area_id"] == ne["id"]

    # At most one area: putting North in the south-west moves it.
    moved = await client.put(f"{AREAS}/{sw['id']}/partnerships/{north}", headers=council)
    assert [p["name"] for p in moved.json()["partnerships"]] == ["North", "South"]
    listed = (await client.get(AREAS, headers=council)).json()
    assert [(a["name"], len(a["partnerships"])) for a in listed] == [
        ("North East Quadrant", 0),
        ("South West Quadrant", 2),
    ]

    renamed = await client.patch(f"{AREAS}/{sw['id']}", json={"name": "South"}, headers=council)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "South"
    taken = await client.patch(
        f"{AREAS}/{sw['id']}", json={"name": "North East Quadrant"}, headers=council
    )
    assert_problem(taken, 409)

    out = await client.delete(f"{AREAS}/{sw['id']}/partnerships/{south}", headers=council)
    assert out.status_code == 204
    assert_problem(
        await client.delete(f"{AREAS}/{sw['id']}/partnerships/{south}", headers=council), 404
    )
    assert (await client.delete(f"{AREAS}/{sw['id']}", headers=council)).status_code == 204
    assert_problem(await client.get(f"{AREAS}/{sw['id']}", headers=council), 404)
    # The partnerships stay, in no area.
    assert (await client.get(f"/v1/partnerships/{north}", headers=council)).json()[
        "area_id"
    ] is None


async def test_areas_are_the_las_own(client: httpx.AsyncClient, issue_token: TokenFactory) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    north = await _partnership(client, council, "North")
    area = await _area(client, council, "Quadrant")
    other = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    elsewhere = await client.post(
        "/v1/partnerships",
        json={"name": "Away", "kind": "la_cluster", "la_code": "882"},
        headers=other,
    )
    away = elsewhere.json()["id"]
    strangers = [
        other,
        bearer(issue_token("directory:read", "directory:write", partnerships=[north])),
        bearer(issue_token("directory:read", "directory:write", schools=["115001"])),
        bearer(issue_token("directory:read", "directory:write", "imports:admin")),
    ]
    path = f"{AREAS}/{area['id']}"
    for headers in strangers:
        assert_problem(await client.get(AREAS, headers=headers), 404)
        assert_problem(await client.get(path, headers=headers), 404)
        assert_problem(await client.post(AREAS, json={"name": "Mine"}, headers=headers), 404)
        assert_problem(await client.patch(path, json={"name": "Mine"}, headers=headers), 404)
        assert_problem(await client.put(f"{path}/partnerships/{north}", headers=headers), 404)
        assert_problem(await client.delete(f"{path}/partnerships/{north}", headers=headers), 404)
        assert_problem(await client.delete(path, headers=headers), 404)
    # Another LA's area under 881's path, and another LA's partnership in 881's area: 404.
    theirs = (
        await client.post("/v1/local-authorities/882/areas", json={"name": "Q"}, headers=other)
    ).json()
    assert_problem(await client.get(f"{AREAS}/{theirs['id']}", headers=council), 404)
    assert_problem(await client.put(f"{path}/partnerships/{away}", headers=council), 404)
    reader = bearer(issue_token("directory:read", la=["881"]))
    assert_problem(await client.post(AREAS, json={"name": "R"}, headers=reader), 403)
    assert (await client.get(AREAS, headers=reader)).status_code == 200
    assert_problem(await client.get("/v1/local-authorities/88/areas", headers=council), 422)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_area_events_and_the_partnership_event_carry_the_area(
    client: httpx.AsyncClient, nats_server: NatsServer, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    north = await _partnership(client, council, "North")
    area = await _area(client, council, "Quadrant")
    await client.put(f"{AREAS}/{area['id']}/partnerships/{north}", headers=council)
    await client.patch(f"{AREAS}/{area['id']}", json={"name": "NE"}, headers=council)
    await client.delete(f"{AREAS}/{area['id']}", headers=council)
    messages = await _messages(nats_server, 8)
    events = [(s, e["data"]) for s, _, e in messages]
    aid = area["id"]
    # In order for each aggregate (the outbox keeps order per partition key, not across them).
    areas = [(s.split(".")[2], d) for s, d in events if s.startswith("scheduling.area.")]
    assert [action for action, _ in areas] == ["created", "renamed", "deleted"]
    assert areas[0][1] == {**areas[0][1], "id": aid, "name": "Quadrant", "la_code": "881"}
    assert [d["name"] for _, d in areas] == ["Quadrant", "NE", "NE"]
    assert all(s.endswith("881._._") for s, _ in events if s.startswith("scheduling.area."))
    partnership = [
        (d["area_id"], d["area_name"])
        for s, d in events
        if s.startswith("scheduling.partnership.") and f".{north}." in s and "agreement" not in s
    ]
    assert partnership == [(None, None), (aid, "Quadrant"), (aid, "NE"), (None, None)]
