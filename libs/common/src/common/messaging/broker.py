"""The NATS connection of a service process: reconnects forever, and can be opened before the
server is up (``connect`` then waits, retrying, instead of failing the start-up)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client
from nats.js.client import JetStreamContext

from common.logging import get_logger

log = get_logger(__name__)

RECONNECT_WAIT_SECONDS = 0.25
CONNECT_TIMEOUT_SECONDS = 2.0
JETSTREAM_TIMEOUT_SECONDS = 5.0
# Publishes made while disconnected are buffered up to this size, then fail (and are retried).
PENDING_BUFFER_BYTES = 8 * 1024 * 1024


async def _on_error(exc: Exception) -> None:
    # Refused connections repeat every RECONNECT_WAIT_SECONDS while the server is down.
    if isinstance(exc, OSError):
        log.debug("nats_connect_failed", error=str(exc))
    else:
        log.warning("nats_error", error=repr(exc))


async def _on_disconnected() -> None:
    log.warning("nats_disconnected")


async def _on_reconnected() -> None:
    log.info("nats_reconnected")


async def connect(url: str, name: str) -> Client:
    """Connect to ``url`` (comma-separated for a cluster), retrying until the server answers.

    ``max_reconnect_attempts=-1`` also applies to the first connection in nats-py: it loops
    through the server list (waiting ``RECONNECT_WAIT_SECONDS`` per server) until one answers,
    so cancel the call to give up.
    """
    nc = Client()
    options: dict[str, Any] = {
        "servers": [server.strip() for server in url.split(",") if server.strip()],
        "name": name,
        "allow_reconnect": True,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": RECONNECT_WAIT_SECONDS,
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "pending_size": PENDING_BUFFER_BYTES,
        "error_cb": _on_error,
        "disconnected_cb": _on_disconnected,
        "reconnected_cb": _on_reconnected,
    }
    await nc.connect(**options)
    # Host and port only: the URL's user info is the service's NATS credential.
    connected = nc.connected_url
    log.info("nats_connected", server=f"{connected.hostname}:{connected.port}" if connected else "")
    return nc


@dataclass
class Broker:
    """A service's NATS connection and its JetStream context, built in the app's lifespan."""

    nc: Client
    js: JetStreamContext

    @classmethod
    async def connect(cls, url: str, name: str) -> Broker:
        nc = await connect(url, name)
        return cls(nc=nc, js=nc.jetstream(timeout=JETSTREAM_TIMEOUT_SECONDS))

    @property
    def is_connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def close(self) -> None:
        """Flush what was published (acks included), then close; never hangs on a server that
        is down."""
        if self.nc.is_closed:
            return
        if self.nc.is_connected:
            try:
                await self.nc.flush(timeout=2)
            except Exception as exc:  # closing anyway
                log.warning("nats_flush_failed", error=repr(exc))
        await self.nc.close()
