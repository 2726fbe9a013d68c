"""The stream over HTTP against a real NATS server: an SSE client that disconnects and
reconnects with Last-Event-ID misses nothing and sees nothing twice, the paged feed walks the
same events, and an event the caller may not see never appears in either."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI, Request

from common.auth.principal import Principal
from common.eventstream import (
    EventsHost,
    StreamEntry,
    Visible,
    cursor_for,
    events_router,
    read_feed,
    sequence_of,
)
from common.eventstream.tickets import TicketSigner
from common.http.app import create_service_app
from common.messaging import Broker, CloudEvent, ensure_stream
from common.settings import ServiceSettings
from common.testing.servers import serving
from tests.support import TokenFactory, assert_problem, bearer

STREAM = "TESTEVENTS"


def visibility(request: Request, principal: Principal) -> Visible:
    async def visible(entry: StreamEntry) -> bool:
        return entry.subject.split(".")[4] in principal.la  # the subject's LA token

    return visible


def events_app(broker: Broker, dev_key_path: Path, stream: str = STREAM) -> FastAPI:
    host = EventsHost(
        stream=stream,
        scope="events:read",
        visibility=visibility,
        jetstream=lambda request: broker.js,
        keep_alive_seconds=0.3,
    )
    return create_service_app(
        title="events test",
        version="1",
        description="The stream routes on a test service.",
        settings=ServiceSettings(service_name="events", auth_dev_key_path=dev_key_path),
        routers=[events_router(host)],
    )


async def publish(broker: Broker, la: str, n: int) -> CloudEvent:
    event = CloudEvent(
        source="/test", type="org.criticalfriend.test.review.moved.v1", data={"n": n}
    )
    await broker.js.publish(f"test.review.moved.v1.{la}._.100001", event.to_bytes())
    return event


async def sse_items(response: httpx.Response) -> AsyncIterator[dict[str, str]]:
    """``text/event-stream`` as a browser's EventSource reads it: each event's fields, and
    each comment as ``{"comment": ...}``."""
    frame: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield {"comment": line[1:].strip()}
        elif line == "":
            if frame:
                yield frame
            frame = {}
        else:
            name, _, value = line.partition(":")
            frame[name] = value.removeprefix(" ")


async def read_events(
    client: httpx.AsyncClient, headers: dict[str, str], count: int, *, params: dict[str, str]
) -> list[dict[str, str]]:
    """Connect, read ``count`` events, disconnect."""
    received: list[dict[str, str]] = []
    async with (
        asyncio.timeout(20),
        client.stream("GET", "/v1/events/stream", headers=headers, params=params) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for item in sse_items(response):
            if "id" in item:
                received.append(item)
            if len(received) == count:
                break
    return received


async def test_sse_resumes_without_loss_or_repeat_and_the_feed_pages_the_same(
    nats_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    broker = await Broker.connect(nats_url, name="events-test")
    await ensure_stream(broker.js, STREAM, ["test.>"])
    essex = bearer(issue_token("events:read", la=["881"]))
    visible: list[CloudEvent] = []
    for n in range(6):
        event = await publish(broker, "881" if n % 2 == 0 else "886", n)
        if n % 2 == 0:
            visible.append(event)
    app = events_app(broker, dev_key_path)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        # From the start of the stream; the client goes away after two events.
        start = {"after": cursor_for(0)}
        first = await read_events(client, essex, 2, params=start)
        # Published while nobody listens, one visible, one not.
        for n in range(6, 10):
            event = await publish(broker, "881" if n % 2 == 0 else "886", n)
            if n % 2 == 0:
                visible.append(event)
        resumed = {**essex, "Last-Event-ID": first[-1]["id"]}
        backlog = len(visible) - len(first)
        # The resumed stream: the backlog, then a live event, then a keep-alive while idle.
        received: list[dict[str, str]] = []
        async with (
            asyncio.timeout(20),
            client.stream("GET", "/v1/events/stream", headers=resumed) as response,
        ):
            async for item in sse_items(response):
                if "id" in item:
                    received.append(item)
                    if len(received) == backlog:
                        await publish(broker, "886", 98)
                        visible.append(await publish(broker, "881", 99))
                elif len(received) > backlog and item["comment"] == "keep-alive":
                    break  # idle after the live event: the keep-alive comment came
        frames = first + received
        ids = [int(f["id"]) for f in frames]
        assert ids == sorted(set(ids)), "out of order or repeated"
        assert [json.loads(f["data"])["id"] for f in frames] == [e.id for e in visible]
        assert {f["event"] for f in frames} == {"org.criticalfriend.test.review.moved.v1"}
        hidden = {1, 3, 5, 7, 9, 98}  # published under LA 886
        assert not {json.loads(f["data"])["data"]["n"] for f in frames} & hidden

        # The feed: pages of two, oldest first, the same events; then it waits at the end.
        paged: list[str] = []
        cursor = None
        for _ in range(20):
            params = {"limit": "2", **({"after": cursor} if cursor else {})}
            page = await client.get("/v1/events", params=params, headers=essex)
            assert page.status_code == 200, page.text
            body = page.json()
            paged += [entry["event"]["id"] for entry in body["data"]]
            if not body["data"]:
                break
            cursor = body["next_cursor"]
        assert paged == [e.id for e in visible]
        assert body["next_cursor"] == cursor
        later = await publish(broker, "881", 100)
        page = await client.get("/v1/events", params={"after": cursor}, headers=essex)
        assert [entry["event"]["id"] for entry in page.json()["data"]] == [later.id]

        # Refusals, as problems.
        assert_problem(
            await client.get("/v1/events", params={"after": "bogus"}, headers=essex), 422
        )
        assert_problem(await client.get("/v1/events", params={"limit": "0"}, headers=essex), 422)
        bad_id = {**essex, "Last-Event-ID": "yesterday"}
        assert_problem(await client.get("/v1/events/stream", headers=bad_id), 422)
        assert_problem(await client.get("/v1/events"), 401)
        other_scope = bearer(issue_token("reviews:read", la=["881"]))
        assert_problem(await client.get("/v1/events/stream", headers=other_scope), 403)
        # A caller who sees no LA here gets an empty feed, not someone else's events.
        kent_only = bearer(issue_token("events:read", la=["999"]))
        empty = await client.get("/v1/events", headers=kent_only)
        assert empty.json()["data"] == []

    # A stream not created yet (the service is still starting): 503, not a 500.
    unready = events_app(broker, dev_key_path, stream="NOT_YET")
    async with serving(unready) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        assert_problem(await client.get("/v1/events", headers=essex), 503)
        assert_problem(await client.get("/v1/events/stream", headers=essex), 503)

    # A page reads a bounded stretch: a reader who sees nothing walks on, a few at a time,
    # until the cursor stops moving at the end.
    async def nothing(entry: StreamEntry) -> bool:
        return False

    after, walked = 0, []
    while True:
        page = await read_feed(
            broker.js, STREAM, after=after, limit=50, visible=nothing, max_scanned=3
        )
        assert page.data == []
        if sequence_of(page.next_cursor) == after:
            break
        walked.append(sequence_of(page.next_cursor) - after)
        after = sequence_of(page.next_cursor)
    assert set(walked[:-1]) == {3}
    assert walked[-1] <= 3
    assert after == (await broker.js.stream_info(STREAM)).state.last_seq
    await broker.close()


async def test_a_browser_opens_the_stream_with_a_ticket_good_for_nothing_else(
    nats_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    broker = await Broker.connect(nats_url, name="events-ticket-test")
    await ensure_stream(broker.js, STREAM, ["test.>"])
    essex = bearer(issue_token("events:read", "things:write", la=["881"], subject="lead"))
    app = events_app(broker, dev_key_path)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        assert_problem(await client.post("/v1/events/stream-tickets"), 401)
        other_scope = bearer(issue_token("reviews:read", la=["881"]))
        assert_problem(await client.post("/v1/events/stream-tickets", headers=other_scope), 403)
        issued = await client.post("/v1/events/stream-tickets", headers=essex)
        assert issued.status_code == 200, issued.text
        assert issued.headers["cache-control"] == "no-store"
        ticket = issued.json()["ticket"]
        assert issued.json()["expires_at"].endswith("Z")
        start = cursor_for((await broker.js.stream_info(STREAM)).state.last_seq)
        first = await publish(broker, "881", 1)
        await publish(broker, "886", 2)  # another LA: not for this ticket's tenancy
        last = await publish(broker, "881", 3)
        # No Authorization header, as an EventSource sends it; reusable until it expires.
        for _ in range(2):
            frames = await read_events(client, {}, 2, params={"ticket": ticket, "after": start})
            assert [json.loads(f["data"])["id"] for f in frames] == [first.id, last.id]
        # A new EventSource resumes with last_event_id (it cannot send the header).
        resumed = await read_events(
            client, {}, 1, params={"ticket": ticket, "last_event_id": frames[0]["id"]}
        )
        assert json.loads(resumed[0]["data"])["id"] == last.id

        # Good for nothing else: not a bearer token, not a way into the feed.
        assert_problem(await client.get("/v1/events", params={"ticket": ticket}), 401)
        assert_problem(await client.get("/v1/events", headers=bearer(ticket)), 401)
        assert_problem(await client.post("/v1/events/stream-tickets", headers=bearer(ticket)), 401)
        for bad in ("nonsense", ticket[:-4] + "AAAA", issue_token("events:read", la=["881"])):
            response = await client.get("/v1/events/stream", params={"ticket": bad})
            assert_problem(response, 401)
        # Another service's ticket (same secret, other audience) and an expired one.
        signer = TicketSigner.create(None, service="events", scope="events:read")
        app.state.stream_tickets = signer
        elsewhere = dataclasses.replace(signer, audience="reviews:events-stream")
        lead = Principal(subject="lead", scopes=frozenset({"events:read"}), la=("881",))
        stale = signer.issue(lead, now=datetime.now(UTC) - timedelta(minutes=5)).ticket
        for bad in (elsewhere.issue(lead).ticket, stale, ticket):  # ticket: the old key's
            response = await client.get("/v1/events/stream", params={"ticket": bad})
            assert_problem(response, 401)
        fresh = signer.issue(lead).ticket
        frames = await read_events(client, {}, 1, params={"ticket": fresh, "after": cursor_for(0)})
        assert frames
    await broker.close()


async def test_a_bounded_read_ends_the_response_after_its_events_or_its_wait(
    nats_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    """For a client that reads a response whole: ``max_events`` counts only the events the
    caller sees; ``wait_seconds`` ends a response that has nothing (more) to send."""
    broker = await Broker.connect(nats_url, name="events-bounded-test")
    await ensure_stream(broker.js, STREAM, ["test.>"])
    essex = bearer(issue_token("events:read", la=["881"]))
    start = cursor_for((await broker.js.stream_info(STREAM)).state.last_seq)
    mine = [await publish(broker, la, n) for n, la in enumerate(("881", "886", "881", "881"))]
    app = events_app(broker, dev_key_path)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        bounded = await client.get(
            "/v1/events/stream", params={"after": start, "max_events": "2"}, headers=essex
        )
        assert bounded.status_code == 200, bounded.text
        assert bounded.headers["content-type"].startswith("text/event-stream")
        ids = [line[4:] for line in bounded.text.splitlines() if line.startswith("id: ")]
        frames = [
            json.loads(line[6:]) for line in bounded.text.splitlines() if line[:6] == "data: "
        ]
        assert [f["id"] for f in frames] == [mine[0].id, mine[2].id]  # 886's is not counted
        # From the last id, with more asked for than there is: the wait ends it.
        rest = await client.get(
            "/v1/events/stream",
            params={"last_event_id": ids[-1], "max_events": "10", "wait_seconds": "0.3"},
            headers=essex,
        )
        frames = [json.loads(line[6:]) for line in rest.text.splitlines() if line[:6] == "data: "]
        assert [f["id"] for f in frames] == [mine[3].id]
        for bad in ({"max_events": "0"}, {"max_events": "1001"}, {"wait_seconds": "-1"}):
            assert_problem(await client.get("/v1/events/stream", params=bad, headers=essex), 422)
    await broker.close()
