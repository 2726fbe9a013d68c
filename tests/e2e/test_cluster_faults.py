"""A 3-node NATS JetStream cluster under steady writes: two scheduling replicas (the producer,
each with its outbox relay: they share the outbox through SKIP LOCKED) and two reviews replicas
(the consumer, as deployed: an API and a worker) on PostgreSQL, every stream at 3 replicas.
One node is killed and restarted, then another once the first has rejoined, then a third comes
back with an empty store. Every school written reaches the reviews read model exactly once,
event flow resumes after each kill, and the wiped node catches up.

The seconds flow took to resume and the catch-up are printed (``-s``) for the operations
guide, never asserted: the machine may be busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.request
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text

from common.db import Database, create_database
from common.messaging import Broker
from common.settings import Role
from common.testing.apps import eventually, migrate, wait_ready
from common.testing.databases import (
    postgres_reachable,
    postgres_required,
    temporary_postgres_database,
)
from common.testing.nats import NatsCluster
from common.testing.servers import serving
from reviews.config import ReviewsSettings
from reviews.main import create_app as create_reviews
from scheduling.config import SchedulingSettings
from scheduling.main import create_app as create_scheduling
from tests.support import TokenFactory, alembic_ini, bearer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

STREAM = "SCHEDULING"
DURABLE = "reviews-directory"
WRITE_PAUSE = 0.03  # between two PUTs of the writer: a steady flow, not a load test
WARM_UP_EVENTS = 30
FLOW_WAIT = 90.0  # generous bounds: a busy machine is slow, never wrong


def school(number: int) -> dict[str, Any]:
    return {
        "name": f"Cluster School {number}",
        "phase": "primary",
        "la_code": "881",
        "easting": 570500,
        "northing": 207800,
        "status": "open",
    }


@dataclass
class Writer:
    """PUTs a new school at a time, alternating between the scheduling replicas."""

    clients: list[httpx.AsyncClient]
    headers: dict[str, str]
    written: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, limit: int = 20_000) -> None:
        for number in range(limit):
            if self.stopping.is_set():
                return
            urn = 200000 + number
            client = self.clients[number % len(self.clients)]
            try:
                response = await client.put(
                    f"/v1/schools/{urn}", json=school(number), headers=self.headers
                )
            except httpx.HTTPError as exc:
                self.failures.append(f"{urn}: {exc!r}")
            else:
                if response.status_code == 201:
                    self.written.append(urn)
                else:
                    self.failures.append(f"{urn}: {response.status_code} {response.text[:200]}")
            await asyncio.sleep(WRITE_PAUSE)


async def _scalar(db: Database, sql: str, **params: Any) -> Any:
    async with db.session() as session:
        return (await session.execute(text(sql), params)).scalar()


async def applied(reviews_db: Database) -> int:
    count = await _scalar(
        reviews_db,
        "SELECT count(*) FROM inbox WHERE consumer = :c AND status = 'applied'",
        c=DURABLE,
    )
    return int(count)


async def published(scheduling_db: Database) -> int:
    count = await _scalar(scheduling_db, "SELECT count(*) FROM outbox")
    return int(count)


def _local_last_seq(monitor_port: int) -> int:
    """The last sequence of SCHEDULING in one node's own store (its monitoring endpoint)."""
    url = f"http://127.0.0.1:{monitor_port}/jsz?streams=true"
    with urllib.request.urlopen(url, timeout=2) as response:
        report = json.load(response)
    for account in report.get("account_details", []):
        for stream in account.get("stream_detail", []):
            if stream["name"] == STREAM:
                return int(stream["state"]["last_seq"])
    return 0


async def leader_index(cluster: NatsCluster, broker: Broker) -> int:
    async def known() -> bool:
        with contextlib.suppress(Exception):
            info = await broker.js.stream_info(STREAM)
            return info.cluster is not None and info.cluster.leader is not None
        return False

    await eventually(known, within=FLOW_WAIT)
    info = await broker.js.stream_info(STREAM)
    assert info.cluster is not None
    assert info.config.num_replicas == 3
    names = [cluster.node_name(i) for i in range(len(cluster.nodes))]
    return names.index(str(info.cluster.leader))


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager,
        serving(manager.app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        await wait_ready(client, within=FLOW_WAIT)
        yield client


async def test_a_three_node_cluster_loses_nodes_and_nothing_is_lost_or_applied_twice(
    tmp_path: Path, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    if not await postgres_reachable():
        if postgres_required():
            pytest.fail("PostgreSQL is required (CF_REQUIRE_POSTGRES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable at TEST_POSTGRES_URL")
    cluster = await asyncio.to_thread(NatsCluster.start, tmp_path / "nats")
    figures: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    async with AsyncExitStack() as stack:
        stack.callback(cluster.stop)
        urls = {
            name: await stack.enter_async_context(temporary_postgres_database(f"cf_{name}"))
            for name in ("scheduling", "reviews")
        }
        for name, url in urls.items():
            await migrate(alembic_ini(name), url)
        shared: dict[str, Any] = {
            "nats_url": cluster.url,
            "nats_stream_replicas": 3,
            "auth_dev_key_path": dev_key_path,
            "outbox_poll_seconds": 0.2,
            "write_rate_per_minute": 100_000,
        }
        producers = [
            await stack.enter_async_context(
                served(
                    create_scheduling(SchedulingSettings(database_url=urls["scheduling"], **shared))
                )
            )
            for _ in range(2)
        ]
        for role in (Role.API, Role.WORKER):
            settings = ReviewsSettings(database_url=urls["reviews"], role=role, **shared)
            await stack.enter_async_context(served(create_reviews(settings)))
        scheduling_db = create_database(urls["scheduling"])
        reviews_db = create_database(urls["reviews"])
        stack.push_async_callback(scheduling_db.dispose)
        stack.push_async_callback(reviews_db.dispose)
        broker = await Broker.connect(cluster.url, name="cluster-test")
        stack.push_async_callback(broker.close)

        headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
        writer = Writer(producers, headers)
        writing = asyncio.create_task(writer.run())

        async def warmed_up() -> bool:
            return await applied(reviews_db) >= WARM_UP_EVENTS

        await eventually(warmed_up, within=FLOW_WAIT)

        async def flow_resumes_after(label: str, kill: int) -> None:
            """Kill node ``kill``; the time until an event written after the kill arrives."""
            await asyncio.to_thread(cluster.kill, kill)
            killed_at = loop.time()
            baseline = await published(scheduling_db)

            async def resumed() -> bool:
                return await applied(reviews_db) > baseline

            await eventually(resumed, within=FLOW_WAIT, interval=0.1)
            figures[f"{label}: flow resumed after (s)"] = loop.time() - killed_at

        # 1. The stream's leader dies (a new one is elected), then comes back with its store.
        first = await leader_index(cluster, broker)
        await flow_resumes_after("kill the stream leader", first)
        await asyncio.to_thread(cluster.restart, first)
        await asyncio.to_thread(cluster.wait_healthy)

        # 2. Once it has rejoined, another node dies: a follower of the stream, if the leader
        # is back on the first one, else the new leader (the stream must elect again).
        leader = await leader_index(cluster, broker)
        second = leader if leader != first else (first + 1) % 3
        role = "leader" if second == leader else "follower"
        await flow_resumes_after(f"kill another node (the stream {role})", second)
        await asyncio.to_thread(cluster.restart, second)
        await asyncio.to_thread(cluster.wait_healthy)

        # 3. The third node loses its disk: killed, wiped, started empty; it catches up.
        third = 3 - first - second
        role = "leader" if third == await leader_index(cluster, broker) else "follower"
        await flow_resumes_after(f"kill the third node (the stream {role}), then wipe it", third)
        await asyncio.to_thread(cluster.restart, third, empty=True)
        restarted_at = loop.time()
        target = (await broker.js.stream_info(STREAM)).state.last_seq

        async def caught_up() -> bool:
            return await asyncio.to_thread(_local_last_seq, cluster.monitor_ports[third]) >= target

        await eventually(caught_up, within=FLOW_WAIT, interval=0.1)
        figures[f"the wiped node caught up {target} messages in (s)"] = loop.time() - restarted_at
        await asyncio.to_thread(cluster.wait_healthy)

        writer.stopping.set()
        await writing
        assert not writer.failures, writer.failures[:5]

        async def drained() -> bool:
            unsent = await _scalar(
                scheduling_db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
            return int(unsent) == 0 and await applied(reviews_db) >= len(writer.written)

        await eventually(drained, within=FLOW_WAIT, interval=0.2)

        async with scheduling_db.session() as session:
            produced = set(
                (await session.execute(text("SELECT event_id FROM outbox"))).scalars().all()
            )
        async with reviews_db.session() as session:
            consumed = (
                (
                    await session.execute(
                        text(
                            "SELECT event_id FROM inbox WHERE consumer = :c AND status = 'applied'"
                        ),
                        {"c": DURABLE},
                    )
                )
                .scalars()
                .all()
            )
            schools = dict(
                (await session.execute(text("SELECT urn, name FROM directory_schools"))).all()
            )
        assert len(produced) == len(writer.written)  # one event per school written
        assert len(consumed) == len(set(consumed))  # applied once each (the inbox key)
        assert set(consumed) == produced  # nothing lost, nothing foreign
        assert schools == {urn: school(urn - 200000)["name"] for urn in writer.written}
        stream = await broker.js.stream_info(STREAM)
        assert stream.state.messages >= len(produced)  # a relay may re-publish past the window
        for name in ("SCHEDULING", "REVIEWS", "REVIEW_EVENTS", "DEADLETTER"):
            assert (await broker.js.stream_info(name)).config.num_replicas == 3, name
        consumer = await broker.js.consumer_info(STREAM, DURABLE)
        assert consumer.config.num_replicas == 3

    figures["events"] = float(len(writer.written))
    print()
    for label, value in figures.items():
        print(f"cluster figures | {label}: {value:.2f}")
