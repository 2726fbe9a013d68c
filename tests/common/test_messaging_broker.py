"""The broker connection: it waits for a server that is not up yet, and comes back after one
is restarted."""

from __future__ import annotations

import asyncio

from common.messaging import Broker, ensure_stream
from common.testing.nats import NatsServer
from tests.common.conftest import eventually


async def test_connect_waits_for_the_server_and_reconnects_after_a_restart(
    nats_server: NatsServer,
) -> None:
    nats_server.kill()
    connecting = asyncio.ensure_future(Broker.connect(nats_server.url, name="early"))
    await asyncio.sleep(0.5)
    assert not connecting.done()
    await asyncio.to_thread(nats_server.restart)
    broker = await asyncio.wait_for(connecting, timeout=15)
    try:
        await ensure_stream(broker.js, "EARLY", ["early.>"])
        await ensure_stream(broker.js, "EARLY", ["early.>", "soon.>"])  # an update, not an error
        assert (await broker.js.stream_info("EARLY")).config.subjects == ["early.>", "soon.>"]

        nats_server.kill()
        await asyncio.to_thread(nats_server.restart)

        async def connected() -> bool:
            return broker.is_connected

        await eventually(connected, within=15, what="reconnected")
        ack = await broker.js.publish("early.thing", b"{}")
        assert ack.stream == "EARLY"
    finally:
        await broker.close()
