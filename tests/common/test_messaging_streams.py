"""A copying stream (JetStream sources) is created only once every stream it copies exists,
so it copies from the first message instead of waiting for the server's next look for a
missing source; it then holds both sources' messages."""

from __future__ import annotations

import asyncio

import nats
import pytest
from nats.js.api import StreamSource
from nats.js.errors import NotFoundError

from common.messaging import ensure_copying_stream, ensure_stream
from common.testing.apps import eventually
from common.testing.nats import NatsServer


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
