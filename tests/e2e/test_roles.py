"""The API and worker roles over one database: the API stays ready and takes writes while NATS
is down, the backlog shows in /readyz, and the worker publishes all of it once NATS is back.
A worker whose stream lost its history is not ready and says why, until the loss is accepted."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from nats.js.api import DeliverPolicy
from sqlalchemy import text

from common.db import create_database
from common.messaging import Broker, ensure_stream
from common.settings import Role
from common.testing.apps import eventually, migrate, running_app
from common.testing.nats import NatsServer
from common.testing.plugin import DatabaseFactory
from reviews.config import ReviewsSettings
from reviews.main import create_app as create_reviews
from scheduling.config import SchedulingSettings
from scheduling.main import create_app
from tests.support import TokenFactory, alembic_ini, bearer

WRITES = 12


def school(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "phase": "primary",
        "la_code": "881",
        "easting": 570500,
        "northing": 207800,
        "status": "open",
    }


async def _readiness(client: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    response = await client.get("/readyz")
    return response.status_code, response.json()


async def _stream_event_ids(url: str) -> set[str]:
    broker = await Broker.connect(url, name="reader")
    try:
        sub = await broker.js.subscribe(
            "scheduling.>",
            stream="SCHEDULING",
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.ALL,
        )
        found: set[str] = set()
        info = await broker.js.stream_info("SCHEDULING")
        for _ in range(info.state.messages):
            msg = await sub.next_msg(timeout=5)
            found.add(json.loads(msg.data)["id"])
        await sub.unsubscribe()
        return found
    finally:
        await broker.close()


async def test_api_stays_ready_without_nats_and_the_worker_drains_the_outbox(
    database_url: str, nats_server: NatsServer, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    await migrate(alembic_ini("scheduling"), database_url)
    common: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": nats_server.url,
        "auth_dev_key_path": dev_key_path,
        "outbox_poll_seconds": 0.2,
    }
    headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    async with AsyncExitStack() as stack:
        api = await stack.enter_async_context(
            running_app(create_app(SchedulingSettings(role=Role.API, **common)))
        )
        worker = await stack.enter_async_context(
            running_app(create_app(SchedulingSettings(role=Role.WORKER, **common)))
        )
        status, body = await _readiness(api)
        assert (status, body["role"], body["checks"]) == (200, "api", {"database": True})
        status, body = await _readiness(worker)
        assert status == 200
        assert body["checks"] == {"database": True, "nats": True}
        assert (await api.get("/livez")).status_code == 200

        await asyncio.to_thread(nats_server.kill)
        for number in range(WRITES):
            put = await api.put(
                f"/v1/schools/{160000 + number}", json=school(f"Outage {number}"), headers=headers
            )
            assert put.status_code == 201, put.text

        status, body = await _readiness(api)
        assert status == 200, body  # NATS is not the API's business
        assert body["backlog"]["outbox"]["waiting"] == WRITES
        assert body["backlog"]["outbox"]["oldest_age_seconds"] >= 0

        async def worker_not_ready() -> bool:
            status, body = await _readiness(worker)
            return status == 503 and body["checks"]["nats"] is False

        await eventually(worker_not_ready)
        _, body = await _readiness(worker)
        assert body["backlog"]["outbox"]["waiting"] == WRITES

        await asyncio.to_thread(nats_server.restart)

        async def drained() -> bool:
            status, body = await _readiness(api)
            return status == 200 and body["backlog"]["outbox"]["waiting"] == 0

        await eventually(drained, within=60)
        await eventually(lambda: _ready(worker), within=60)

    ids = await _stream_event_ids(nats_server.url)
    assert len(ids) == WRITES


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def test_a_worker_refuses_a_stream_that_lost_its_history(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
) -> None:
    headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    async with AsyncExitStack() as stack:
        urls = {}
        for name in ("scheduling", "reviews"):
            urls[name] = await stack.enter_async_context(database_factory(name))
            await migrate(alembic_ini(name), urls[name])
        common: dict[str, Any] = {
            "nats_url": nats_server.url,
            "auth_dev_key_path": dev_key_path,
            "outbox_poll_seconds": 0.2,
        }
        reviews_db = create_database(urls["reviews"])
        stack.push_async_callback(reviews_db.dispose)

        def reviews(**settings: Any) -> FastAPI:
            return create_reviews(
                ReviewsSettings(database_url=urls["reviews"], **common, **settings)
            )

        scheduling = await stack.enter_async_context(
            running_app(create_app(SchedulingSettings(database_url=urls["scheduling"], **common)))
        )
        # Applied once by reviews; then the stream's only copy is lost and it is created anew.
        async with running_app(reviews()):
            put = await scheduling.put("/v1/schools/170000", json=school("Lost"), headers=headers)
            assert put.status_code == 201

            async def applied() -> bool:
                async with reviews_db.session() as session:
                    found = await session.scalar(
                        text("SELECT count(*) FROM inbox WHERE consumer = 'reviews-directory'")
                    )
                return found == 1

            await eventually(applied, within=30)

        broker = await Broker.connect(nats_server.url, name="operator")
        stack.push_async_callback(broker.close)
        await broker.js.delete_stream("SCHEDULING")
        await ensure_stream(broker.js, "SCHEDULING", ["scheduling.>"])

        async with running_app(reviews(), ready=False) as client:

            async def refusing() -> bool:
                status, body = await _readiness(client)
                return status == 503 and body["checks"].get("consumers") is False

            await eventually(refusing, within=30)
            _, body = await _readiness(client)
            refused = body["backlog"]["consumers"]["reviews-directory"]["refused"]
            assert "recreated" in refused
            assert body["backlog"]["consumers"]["reviews-schedule"]["refused"] is None

        async with running_app(reviews(nats_accept_history_loss="SCHEDULING")) as client:
            status, body = await _readiness(client)
            assert status == 200, body
