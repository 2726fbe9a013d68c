"""The scheduling tests' kit: a small, solvable partnership built through the API, for the
schedule tests (schools close together in one LA, three people each: a trained head who leads
and reviews, a deputy who reviews, an Improvement Champion for the year; the LA's calendar for
next academic year, computed from today so the reviews always lie in the future; a cycle and
each school's request), and the helpers those tests share (a finished job, a person's token,
the review events on the stream)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.js.api import DeliverPolicy

from common.auth import issue_dev_token, load_or_create_dev_key
from common.clock import utcnow
from common.testing.apps import eventually
from common.testing.nats import NatsServer
from tests.support import AUDIENCE, ISSUER


def next_academic_year() -> tuple[str, int]:
    today = utcnow().date()
    first = (today.year if today.month >= 9 else today.year - 1) + 1
    return f"{first}-{(first + 1) % 100:02d}", first


def la_calendar(first: int) -> dict[str, Any]:
    spans = [
        ("autumn1", date(first, 9, 3), date(first, 10, 22)),
        ("autumn2", date(first, 11, 2), date(first, 12, 18)),
        ("spring1", date(first + 1, 1, 5), date(first + 1, 2, 12)),
        ("spring2", date(first + 1, 2, 22), date(first + 1, 3, 26)),
        ("summer1", date(first + 1, 4, 12), date(first + 1, 5, 28)),
        ("summer2", date(first + 1, 6, 7), date(first + 1, 7, 21)),
    ]
    return {
        "terms": [
            {"half_term": code, "starts_on": s.isoformat(), "ends_on": e.isoformat()}
            for code, s, e in spans
        ],
        "inset_days": [date(first, 9, 3).isoformat()],
        "blackouts": [
            {
                "starts_on": date(first + 1, 5, 10).isoformat(),
                "ends_on": date(first + 1, 5, 14).isoformat(),
                "phases": ["primary"],
                "reason": "KS2 tests",
            }
        ],
    }


@dataclass
class Staff:
    head: str
    deputy: str
    champion: str


@dataclass
class Built:
    partnership_id: str
    cycle_id: str
    academic_year: str
    first_year: int
    urns: list[int]
    staff: dict[int, Staff] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def person_ids(self) -> list[str]:
        return [p for s in self.staff.values() for p in (s.head, s.deputy, s.champion)]


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def build_partnership(
    client: httpx.AsyncClient,
    council: dict[str, str],
    *,
    urns: list[int],
    name: str = "Chelmer Valley",
    la: str = "881",
    policy: dict[str, Any] | None = None,
    trust_uid: str | None = None,
    calendar: bool = True,
) -> Built:
    year, first = next_academic_year()
    for i, urn in enumerate(urns):
        body = {
            "name": f"School {urn}",
            "phase": "primary",
            "la_code": la,
            "status": "open",
            "easting": 570_000 + 1_000 * i,
            "northing": 206_000 + 700 * (i % 3),
            "trust_uid": trust_uid if i == 0 else None,
        }
        await _ok(await client.put(f"/v1/schools/{urn}", json=body, headers=council))
    created = await _ok(
        await client.post(
            "/v1/partnerships",
            json={"name": name, "kind": "la_cluster", "la_code": la},
            headers=council,
        )
    )
    pid = created["id"]
    for urn in urns:
        await _ok(await client.put(f"/v1/partnerships/{pid}/members/{urn}", headers=council))
    if calendar:
        response = await client.get(f"/v1/calendars/las/{la}/{year}", headers=council)
        if response.status_code == 404:
            put = f"/v1/calendars/las/{la}/{year}"
            await _ok(await client.put(put, json=la_calendar(first), headers=council))
    built = Built(pid, "", year, first, list(urns))
    trained = date(first - 1, 6, 1).isoformat()
    for urn in urns:
        ids = []
        for kind, roles in (
            ("head", [{"role": "headteacher", "urn": urn}, {"role": "lead_reviewer", "urn": urn}]),
            ("deputy", [{"role": "deputy", "urn": urn}, {"role": "reviewer", "urn": urn}]),
            (
                "champion",
                [
                    {"role": "senior_leader", "urn": urn},
                    {"role": "improvement_champion", "urn": urn, "academic_year": year},
                ],
            ),
        ):
            person_name = f"{kind.title()} of {urn}"
            person = await _ok(
                await client.post(
                    "/v1/people",
                    json={
                        "name": person_name,
                        "email": f"{kind}.{urn}@school.example",
                        "roles": roles,
                        "expertise": ["reading", "maths"] if kind == "head" else ["send"],
                    },
                    headers=council,
                )
            )
            ids.append(person["id"])
            built.names[person["id"]] = person_name
            if kind in ("head", "champion"):
                course = "lead_reviewer" if kind == "head" else "improvement_champion"
                training = {"kind": course, "completed_on": trained}
                await _ok(
                    await client.post(
                        f"/v1/people/{person['id']}/training",
                        json=training,
                        headers={**council, "If-Match": '"1"'},
                    ),
                    200,
                )
        built.staff[urn] = Staff(*ids)
    cycle = await _ok(
        await client.post(
            f"/v1/partnerships/{pid}/cycles",
            json={"academic_year": year, "policy": policy or {"team": {"reviewers": 1}}},
            headers=council,
        )
    )
    built.cycle_id = cycle["id"]
    for i, urn in enumerate(urns):
        request = {
            "focus": ["reading"] if i % 2 else ["send"],
            "preferred_half_terms": ["autumn2"] if i == 0 else [],
            "mode": "in_person",
        }
        path = f"/v1/cycles/{built.cycle_id}/requests/{urn}"
        await _ok(await client.put(path, json=request, headers=council))
    return built


async def finished_job(
    client: httpx.AsyncClient, location: str, headers: dict[str, str]
) -> dict[str, Any]:
    job: dict[str, Any] = {}

    async def done() -> bool:
        nonlocal job
        job = (await client.get(location, headers=headers)).json()
        return job["status"] in ("succeeded", "failed", "cancelled")

    await eventually(done, within=60)
    return job


def later(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def person_token(dev_key_path: Path, person_id: str, *scopes: str) -> str:
    """A token of the person themselves (``person_id`` claim), with no tenancy."""
    return issue_dev_token(
        load_or_create_dev_key(dev_key_path),
        issuer=ISSUER,
        audience=AUDIENCE,
        subject=f"person-{person_id}",
        scopes=scopes,
        person_id=person_id,
    )


class ReviewEvents:
    """The schedule's review events on the SCHEDULING stream, read in order as they come."""

    def __init__(self, server: NatsServer) -> None:
        self.server = server
        self.seen: list[tuple[str, dict[str, Any]]] = []

    async def take(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        """The next ``count`` events (type suffix, CloudEvent) after those already taken."""
        nc = await nats.connect(self.server.url)
        try:
            js = nc.jetstream()
            sub = await js.subscribe(
                "scheduling.review.>",
                stream="SCHEDULING",
                ordered_consumer=True,
                deliver_policy=DeliverPolicy.ALL,
            )
            events: list[tuple[str, dict[str, Any]]] = []
            while len(events) < len(self.seen) + count:
                msg = await sub.next_msg(timeout=20)
                event = json.loads(msg.data)
                events.append((event["type"].split(".")[-2], event))
            await sub.unsubscribe()
        finally:
            await nc.close()
        fresh = events[len(self.seen) :]
        self.seen = events
        return fresh


def plan_of(reviews: list[dict[str, Any]]) -> dict[int, tuple[Any, ...]]:
    """Each review's dates, team, IC and milestones, by URN: what "the same schedule" means."""
    return {
        r["urn"]: (
            tuple(r["days"]),
            tuple(m["person_id"] for m in r["team"]),
            r["improvement_champion"]["person_id"],
            tuple(sorted(r["milestones"].items())),
        )
        for r in reviews
    }
