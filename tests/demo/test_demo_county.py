"""The demo's loading steps, scaled down (two partnerships of five schools), against the three
services on real HTTP with a real NATS server and real databases: what it creates reads back
through the API, and a second run changes nothing (not one write) and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from common.testing.nats import NatsServer
from common.testing.plugin import DatabaseFactory
from demo.county.generate import generate_county
from demo.county.model import County
from demo.runner import DemoConfig, run_demo
from tests.demo.small import SEED, SMALL
from tests.live_services import live_services
from tests.support import TokenFactory, bearer

# The county and its year's plan; the schedule and what follows are test_demo_year's.
LOADING = frozenset(
    {"preflight", "directory", "partnerships", "calendars", "people", "person-details", "cycles",
     "summary"}
)  # fmt: skip


async def test_small_county_loads_a_second_run_changes_nothing_a_third_puts_back_edits(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
    tmp_path: Path,
) -> None:
    county = generate_county(SEED, SMALL)
    async with live_services(database_factory, nats_server.url, dev_key_path, tmp_path) as urls:
        config = DemoConfig(seed=SEED, size=SMALL, urls=urls, key_path=dev_key_path, only=LOADING)
        first_lines: list[str] = []
        first = await run_demo(config, say=first_lines.append)
        assert first.changed > 0
        assert first.traffic.writes > 0
        assert "This run:" in first_lines[-1]

        token = issue_token("directory:read", la=["881"])
        async with httpx.AsyncClient(base_url=urls["scheduling"]) as api:
            await _reads_back(api, token, county)

        second_lines: list[str] = []
        second = await run_demo(config, say=second_lines.append)
        assert second.changed == 0
        assert second.traffic.writes == 0, second.traffic
        assert second_lines[-1].startswith("Nothing changed"), second_lines[-1]

        # Someone changes three things by hand: the next run puts exactly those back.
        writer = issue_token("directory:read", "directory:write", la=["881"])
        async with httpx.AsyncClient(base_url=urls["scheduling"]) as api:
            await _meddle(api, writer, county)
        third = await run_demo(config, say=lambda _: None)
        updated = {
            kind: tally.updated
            for report in third.reports
            for kind, tally in report.tallies.items()
            if tally.updated or tally.created
        }
        assert updated == {"agreements": 1, "people": 1, "school requests": 1}
        async with httpx.AsyncClient(base_url=urls["scheduling"]) as api:
            await _reads_back(api, token, county)

        # Next year's Improvement Champions are added; this year's appointments are kept.
        next_year = DemoConfig(
            seed=SEED, size=SMALL, urls=urls, key_path=dev_key_path, first_year=2027,
            only=frozenset({"people"}),
        )  # fmt: skip
        await run_demo(next_year, say=lambda _: None)
        async with httpx.AsyncClient(base_url=urls["scheduling"]) as api:
            people = await _pages(api, "/v1/people", token, role="improvement_champion")
        years = {r["academic_year"] for p in people for r in p["roles"] if r["academic_year"]}
        assert years == {"2026-27", "2027-28"}


async def _pages(
    api: httpx.AsyncClient, path: str, token: str, **params: str
) -> list[dict[str, Any]]:
    response = await api.get(path, params={**params, "limit": "200"}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return list(body["data"])


async def _reads_back(api: httpx.AsyncClient, token: str, county: County) -> None:
    schools = {s["urn"]: s for s in await _pages(api, "/v1/schools", token, la="881")}
    assert {s.urn for s in county.schools} | {p.urn for p in county.predecessors} == set(schools)
    for school in county.schools:
        assert schools[school.urn]["name"] == school.name
        assert schools[school.urn]["trust_uid"] == school.trust_uid
    trusts = {t["uid"] for t in await _pages(api, "/v1/trusts", token)}
    assert {t.uid for t in county.trusts} == trusts

    partnerships = {p["name"]: p for p in await _pages(api, "/v1/partnerships", token, la="881")}
    assert set(partnerships) == {p.name for p in county.partnerships}
    for wanted in county.partnerships:
        pid = partnerships[wanted.name]["id"]
        members = await _pages(api, f"/v1/partnerships/{pid}/members", token)
        assert {m["urn"] for m in members} == set(wanted.urns)
        agreement = (
            await api.get(f"/v1/partnerships/{pid}/agreement", headers=bearer(token))
        ).json()
        assert {k: agreement[k] for k in wanted.agreement.body()} == wanted.agreement.body()
        cycles = await _pages(api, "/v1/cycles", token, partnership=pid, academic_year="2026-27")
        assert len(cycles) == 1
        requests = await _pages(api, f"/v1/cycles/{cycles[0]['id']}/requests", token)
        assert {r["urn"] for r in requests} == set(wanted.urns)

    people = {p["email"]: p for p in await _pages(api, "/v1/people", token)}
    assert set(people) == {p.email for p in county.people}
    for person in county.people:
        held = people[person.email]
        assert held["name"] == person.name
        assert sorted(held["expertise"]) == sorted(person.expertise)
        assert len(held["training"]) == len(person.training)
        assert {r["role"] for r in held["roles"]} == {r.role for r in person.roles}
    leads = [p for p in county.people if p.has_partnership_role]
    assert len(leads) == len(county.partnerships)

    calendar = await api.get("/v1/calendars/las/881/2026-27", headers=bearer(token))
    assert calendar.status_code == 200
    terms = [(t["half_term"], t["starts_on"]) for t in calendar.json()["terms"]]
    assert terms == [(t.half_term, t.starts_on.isoformat()) for t in county.calendar.terms]
    for own in county.school_calendars:
        effective = await api.get(f"/v1/calendars/schools/{own.urn}/2026-27", headers=bearer(token))
        assert effective.status_code == 200
        source = effective.json()["terms_source"]
        assert source == ("school" if own.terms else "la")


async def _meddle(api: httpx.AsyncClient, token: str, county: County) -> None:
    """Change an agreement, a person's name and a school's request, as a user might."""
    partnership = county.partnerships[0]
    rows = await _pages(api, "/v1/partnerships", token, la="881")
    pid = next(p["id"] for p in rows if p["name"] == partnership.name)
    agreement = await api.get(f"/v1/partnerships/{pid}/agreement", headers=bearer(token))
    stricter = {**partnership.agreement.body(), "suppression_threshold": 9}
    changed = await api.put(
        f"/v1/partnerships/{pid}/agreement",
        json=stricter,
        headers=bearer(token, **{"If-Match": agreement.headers["ETag"]}),
    )
    assert changed.status_code == 200, changed.text

    person = next(
        p for p in await _pages(api, "/v1/people", token) if p["email"] == county.people[1].email
    )
    renamed = await api.patch(
        f"/v1/people/{person['id']}",
        json={"name": "Somebody Else"},
        headers=bearer(token, **{"If-Match": f'"{person["version"]}"'}),
    )
    assert renamed.status_code == 200, renamed.text

    cycle = (await _pages(api, "/v1/cycles", token, partnership=pid))[0]
    urn = partnership.urns[0]
    path = f"/v1/cycles/{cycle['id']}/requests/{urn}"
    request = await api.get(path, headers=bearer(token))
    body = {**{k: request.json()[k] for k in ("focus", "preferred_half_terms", "mode")}, "days": 2}
    if request.json()["days"] == 2:
        body["days"] = 1
    moved = await api.put(
        path, json=body, headers=bearer(token, **{"If-Match": request.headers["ETag"]})
    )
    assert moved.status_code == 200, moved.text
