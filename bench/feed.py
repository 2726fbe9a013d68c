"""The event feed against an ordinary list, per item, side by side: the reviews service under
uvicorn in a process of its own (SQLite, a real NATS server), paged by this process over
loopback. The feed (``GET /v1/events``) pages ``EVENTS`` review events (one in five a content
event, whose audience is decided by the database); the list (``GET /v1/reviews``) pages
``ROWS`` reviews. Both read by the partnership lead's token (who may read every review),
``limit=200``, every page to the end, after a warm-up pass; the figure is the median over
``ROUNDS`` passes of (time / items).

Writes ``bench/results/feed.json``. Run: ``.venv/bin/python -m bench feed``.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats

from common.auth import issue_dev_token, load_or_create_dev_key
from common.db import create_database
from common.db.migrations import upgrade
from common.eventstream import cursor_for
from common.messaging import CloudEvent, ensure_stream
from common.testing.nats import NatsServer, free_port
from contracts import reviews as review_events
from contracts.catalog import STREAMS
from contracts.events import TenancyPath
from contracts.reviews import ReviewState
from contracts.schedule import ReviewMode
from reviews.review.models import Review

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "feed.json"
LA = "881"
PARTNERSHIP = uuid.UUID("01900000-0000-7000-8000-0000000000b1")
ROWS = 1000
EVENTS = 1000
LIMIT = 200
ROUNDS = 3
STARTUP_SECONDS = 240.0


async def _seed(url: str) -> list[tuple[uuid.UUID, uuid.UUID, int]]:
    database = create_database(url)
    reviews = []
    try:
        async with database.session() as session:
            day = date(2027, 3, 10)
            for n in range(ROWS):
                review_id, partnership_id, urn = uuid.uuid4(), PARTNERSHIP, 115000 + n
                reviews.append((review_id, partnership_id, urn))
                session.add(
                    Review(
                        id=review_id,
                        cycle_id=uuid.uuid4(),
                        partnership_id=partnership_id,
                        la_code=LA,
                        urn=urn,
                        academic_year="2026-27",
                        mode=ReviewMode.IN_PERSON,
                        first_day=day,
                        days=[day.isoformat()],
                        focus_areas=["curriculum.reading"],
                        self_review_due=day - timedelta(days=28),
                        pre_review_meeting=day - timedelta(days=10),
                        report_due=day + timedelta(days=10),
                        workshop_window_start=day + timedelta(days=20),
                        workshop_window_end=day + timedelta(days=40),
                        progress_review_due=day + timedelta(days=130),
                        state=ReviewState.FEEDBACK,
                        plan_version=1,
                        team=[],
                    )
                )
                if n % 200 == 199:
                    await session.commit()
            await session.commit()
    finally:
        await database.dispose()
    return reviews


async def _publish(nats_url: str, reviews: list[tuple[uuid.UUID, uuid.UUID, int]]) -> None:
    """``EVENTS`` events on the REVIEWS stream (copied into REVIEW_EVENTS by the service)."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        for n in range(EVENTS):
            review_id, partnership_id, urn = reviews[n % len(reviews)]
            content = n % 5 == 4
            definition = (
                review_events.REPORT_PUBLISHED if content else review_events.REVIEW_TRANSITIONED
            )
            data = {
                "review_id": str(review_id),
                "cycle_id": str(uuid.uuid4()),
                "partnership_id": str(partnership_id),
                "la_code": LA,
                "urn": urn,
                "academic_year": "2026-27",
                "from_state": "fieldwork",
                "to_state": "feedback",
                "version": n,
            }
            event = CloudEvent(source="/reviews", type=definition.type, data=data)
            subject = definition.subject(TenancyPath(LA, str(partnership_id), urn))
            await js.publish(subject, event.to_bytes())
    finally:
        await connection.close()


async def _streams(nats_url: str) -> None:
    """Every producer's stream (their services are not running here)."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        for name in STREAMS:
            await ensure_stream(js, name, STREAMS[name])
    finally:
        await connection.close()


async def _wait_for(client: httpx.AsyncClient, headers: dict[str, str], events: int) -> None:
    """Until the service answers and its feed holds every event published."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            seen = await _page_all(client, "/v1/events", headers, feed=True)
            if seen >= events:
                return
            print(f"the feed holds {seen} of {events} events", file=sys.stderr)
        except httpx.HTTPError as exc:
            print("waiting for the service:", repr(exc)[:200], file=sys.stderr)
        await asyncio.sleep(0.5)
    raise TimeoutError("the reviews service did not serve the feed in time")


async def _page_all(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], *, feed: bool
) -> int:
    """Every page to the end; how many items were read."""
    items = 0
    params: dict[str, Any] = {"limit": LIMIT}
    if feed:
        params["after"] = cursor_for(0)
    for _ in range(10_000):
        response = await client.get(path, params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        items += len(body["data"])
        if feed:
            if body["next_cursor"] == params["after"]:
                return items
            params["after"] = body["next_cursor"]
        else:
            if body["next_cursor"] is None:
                return items
            params["cursor"] = body["next_cursor"]
    raise RuntimeError("too many pages")


async def _per_item_ms(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    feed = path == "/v1/events"
    samples = []
    if await _page_all(client, path, headers, feed=feed) == 0:  # also the warm-up
        raise RuntimeError(f"{path} shows nothing to this token")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        items = await _page_all(client, path, headers, feed=feed)
        samples.append((time.perf_counter() - start) * 1000 / max(items, 1))
    return round(statistics.median(samples), 4)


async def _run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, NatsServer.start() as nats_server:
        url = f"sqlite+aiosqlite:///{tmp}/reviews.db"
        await asyncio.to_thread(upgrade, ROOT / "services/reviews/alembic.ini", url)
        reviews = await _seed(url)
        key_path = Path(tmp) / "key.pem"
        token = issue_dev_token(
            load_or_create_dev_key(key_path),
            issuer="critical-friend-dev",
            audience="critical-friend",
            scopes=["reviews:read"],
            partnerships=[str(PARTNERSHIP)],
        )
        headers = {"Authorization": f"Bearer {token}"}
        port = free_port()
        env = {
            **os.environ,
            "REVIEWS_DATABASE_URL": url,
            "NATS_URL": nats_server.url,
            "AUTH_DEV_KEY_PATH": str(key_path),
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "reviews.main:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        await _streams(nats_server.url)
        server = await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                await asyncio.sleep(2)
                await _publish(nats_server.url, reviews)
                await _wait_for(client, headers, EVENTS)
                feed = await _per_item_ms(client, "/v1/events", headers)
                listed = await _per_item_ms(client, "/v1/reviews", headers)
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=15)
    return {
        "benchmark": "feed",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "database": "sqlite",
        "limit": LIMIT,
        "events": EVENTS,
        "rows": ROWS,
        "rounds": ROUNDS,
        "feed_ms_per_item": feed,
        "list_ms_per_item": listed,
        "ratio": round(feed / listed, 2),
    }


def main() -> dict[str, Any]:
    result = asyncio.run(_run())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
