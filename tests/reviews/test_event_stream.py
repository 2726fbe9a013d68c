"""The live stream and the feed of the reviews service, served by uvicorn over a real NATS
server: an SSE client that disconnects and reconnects with Last-Event-ID misses nothing and
sees nothing twice across the whole lifecycle (the schedule's events and reviews' own, one
sequence), the feed pages the same events, and each reader gets only what its token covers."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from common.eventstream import cursor_for
from common.testing.nats import NatsServer
from common.testing.servers import serving
from tests.common.test_eventstream import read_events, sse_items
from tests.reviews.kit import (
    CONTENT,
    LA,
    LIFECYCLE,
    PARTNERSHIP,
    TRUST,
    URN,
    Kit,
    plan,
    reschedule_and_cancel,
    review_events,
)
from tests.reviews.walk import walk_to
from tests.support import assert_problem


async def _feed(
    client: httpx.AsyncClient, headers: dict[str, str], limit: int = 4
) -> list[tuple[str, dict[str, Any]]]:
    """Every page from the start until ``next_cursor`` stops moving: ``(cursor, event)``."""
    read: list[tuple[str, dict[str, Any]]] = []
    cursor = cursor_for(0)
    while True:
        page = await client.get(
            "/v1/events", params={"after": cursor, "limit": limit}, headers=headers
        )
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["data"]) <= limit
        read += [(entry["cursor"], entry["event"]) for entry in body["data"]]
        if body["next_cursor"] == cursor:
            return read
        cursor = body["next_cursor"]


async def test_the_stream_resumes_without_loss_or_repeat_and_the_feed_pages_the_same(
    kit: Kit, nats_server: NatsServer
) -> None:
    await kit.agreement(partnership="named")  # not named to the LA or the trust
    await kit.school(URN)
    county = kit.token("reviews:read", subject="essex-county", la=[LA])
    lead = kit.token("reviews:read", subject="partnership-app", partnerships=[str(PARTNERSHIP)])
    trust = kit.token("reviews:read", subject="trust-mis", trusts=[TRUST])
    strangers = [
        kit.token("reviews:read", la=["886"]),
        kit.token("reviews:read", partnerships=[str(uuid.uuid4())]),
        kit.token("reviews:read", trusts=["99999"]),
    ]
    review = uuid.uuid4()
    await kit.plan(plan(review, first_day=date.today() + timedelta(days=40)))
    await walk_to(kit, review, "report_published")

    async with serving(kit.app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        # From the start; the county's client goes away after three events.
        start = {"after": cursor_for(0)}
        first = await read_events(client, county, 3, params=start)

        # While nobody listens: the rest of the lifecycle, and a second review cancelled.
        await walk_to(kit, review, "closed")
        await reschedule_and_cancel(kit)
        stream = await review_events(nats_server, 20)
        visible = [(seq, e) for seq, e in stream if e["type"] in LIFECYCLE]
        backlog = len(visible) - len(first)

        # Reconnected with Last-Event-ID: the backlog, then a review planned live.
        resumed = {**county, "Last-Event-ID": first[-1]["id"]}
        received: list[dict[str, str]] = []
        live_id = uuid.uuid4()
        async with (
            asyncio.timeout(30),
            client.stream("GET", "/v1/events/stream", headers=resumed) as response,
        ):
            assert response.status_code == 200
            async for item in sse_items(response):
                if "id" not in item:
                    continue
                received.append(item)
                if len(received) == backlog:
                    await kit.plan(plan(live_id, first_day=date.today() + timedelta(days=70)))
                if len(received) == backlog + 1:
                    break
        frames = first + received
        ids = [int(f["id"]) for f in frames]
        assert ids == sorted(set(ids)), "out of order or repeated"
        live = json.loads(received[-1]["data"])
        assert live["data"]["review_id"] == str(live_id)
        assert [(int(f["id"]), json.loads(f["data"])["id"]) for f in frames[:-1]] == [
            (seq, e["id"]) for seq, e in visible
        ]
        assert all(f["event"] == json.loads(f["data"])["type"] for f in frames)
        assert not {json.loads(f["data"])["type"] for f in frames} & CONTENT

        # The feed: the same events in the same order, each with its cursor; the partnership
        # lead's also has the content events; the trust's the lifecycle; strangers nothing.
        everything = await review_events(nats_server, 21)
        county_feed = await _feed(client, county)
        assert [e["id"] for _, e in county_feed] == [json.loads(f["data"])["id"] for f in frames]
        assert [e["id"] for _, e in await _feed(client, trust, limit=50)] == [
            e["id"] for _, e in everything if e["type"] in LIFECYCLE
        ]
        assert [e["id"] for _, e in await _feed(client, lead, limit=7)] == [
            e["id"] for _, e in everything
        ]
        for stranger in strangers:
            assert await _feed(client, stranger) == []
            page = await client.get("/v1/events", headers=stranger)
            assert page.json()["data"] == []
        # A feed cursor starts the stream too, just after it.
        middle = county_feed[4][0]
        after_cursor = await read_events(client, county, 2, params={"after": middle})
        assert [json.loads(f["data"])["id"] for f in after_cursor] == [
            e["id"] for _, e in county_feed[5:7]
        ]
        assert_problem(await client.get("/v1/events", params={"after": "x"}, headers=county), 422)
