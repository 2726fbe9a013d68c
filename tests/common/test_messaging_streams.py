"""Streams: a copying stream (JetStream sources) is created only once every stream it copies
exists, so it copies from the first message instead of waiting for the server's next look for
a missing source; an existing stream takes new limits and more replicas in place."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import nats
import pytest
from nats.js.api import DiscardPolicy, StreamSource
from nats.js.errors import NotFoundError

from common.messaging import ensure_copying_stream, ensure_stream
from common.messaging.streams import StreamLimits
from common.testing.apps import eventually
from common.testing.nats import NatsCluster, NatsServer


async def test_a_copying_stream_waits_for_its_sources(nats_server: NatsServer) -> None:
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "FIRST", ["first.>"])
        sources = [StreamSource(name="FIRST"), StreamSource(name="SECOND")]
        copying = asyncio.create_task(ensure_copying_stream(js, "BOTH", sources))

        await asyncio.sleep(0.5)  # several looks for SECOND, which does not exist yet
        assert not copying.done()
        with pytest.raises(NotFoundError):
            await js.stream_info("BOTH")

        await ensure_stream(js, "SECOND", ["second.>"])
        info = await asyncio.wait_for(copying, timeout=30)
        assert {s.name for s in info.config.sources or []} == {"FIRST", "SECOND"}
        await js.publish("first.a", b"1")
        await js.publish("second.a", b"2")

        async def both_copied() -> bool:
            return (await js.stream_info("BOTH")).state.messages == 2

        await eventually(both_copied, within=20)
    finally:
        await nc.close()


async def test_an_existing_stream_takes_new_limits_in_place(nats_server: NatsServer) -> None:
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "LIMITED", ["limited.>"])
        await js.publish("limited.a", b"kept")
        limits = StreamLimits(max_age_seconds=3600, max_bytes=1_000_000, discard="new")
        info = await ensure_stream(js, "LIMITED", ["limited.>"], limits=limits)
        assert info.config.max_age == 3600
        assert info.config.max_bytes == 1_000_000
        assert info.config.discard == DiscardPolicy.NEW
        assert info.config.duplicate_window == 120  # within the max age: kept
        assert info.state.messages == 1  # updated, not recreated
        # A change the server refuses (3 replicas on one node) leaves the stream as it is.
        refused = await ensure_stream(
            js, "LIMITED", ["limited.>"], limits=replace(limits, replicas=3)
        )
        assert refused.config.num_replicas == 1
    finally:
        await nc.close()


async def test_replicas_are_raised_in_place_on_a_cluster(tmp_path: Path) -> None:
    cluster = await asyncio.to_thread(NatsCluster.start, tmp_path / "cluster")
    try:
        nc = await nats.connect(cluster.url.split(","))
        js = nc.jetstream()
        await ensure_stream(js, "GROWING", ["growing.>"])
        await js.publish("growing.a", b"1")
        info = await ensure_stream(js, "GROWING", ["growing.>"], limits=StreamLimits(replicas=3))
        assert info.config.num_replicas == 3
        assert info.state.messages == 1

        async def on_three_nodes() -> bool:  # the new replicas catch up in the background
            cluster_info = (await js.stream_info("GROWING")).cluster
            peers = cluster_info.replicas or [] if cluster_info else []
            return cluster_info is not None and len(peers) == 2 and all(p.current for p in peers)

        await eventually(on_three_nodes, within=30)
        await nc.close()
    finally:
        await asyncio.to_thread(cluster.stop)
