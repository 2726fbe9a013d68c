"""The NATS user of the services, as compose and k8s configure it, with the real server: the
services connect with the credentials in NATS_URL (as common.messaging parses it), an anonymous
client is refused, and the connection is logged without the password."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import nats
import nats.errors
import pytest
import structlog
import yaml

from common.messaging import broker
from common.testing.nats import NatsServer
from tests.support import ROOT

PASSWORD = "s3rvice-password"
COMPOSE_CONF = ROOT / "deploy" / "nats" / "cluster.conf"
K8S_NATS = ROOT / "deploy" / "k8s" / "nats.yaml"


def authorization_block(config: str) -> str:
    """The ``authorization { ... }`` block of a NATS configuration (braces balanced)."""
    start = re.search(r"^\s*authorization\s*\{", config, flags=re.M)
    assert start, "no authorization block"
    depth = 0
    for index in range(start.end() - 1, len(config)):
        depth += {"{": 1, "}": -1}.get(config[index], 0)
        if depth == 0:
            return config[start.start() : index + 1]
    pytest.fail("unbalanced authorization block")


def k8s_config() -> str:
    for doc in yaml.safe_load_all(K8S_NATS.read_text()):
        if doc and doc["kind"] == "ConfigMap":
            return str(doc["data"]["nats.conf"])
    pytest.fail("no nats-config ConfigMap")


@pytest.fixture(params=["compose", "k8s"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NatsServer]:
    config = COMPOSE_CONF.read_text() if request.param == "compose" else k8s_config()
    path = tmp_path / "auth.conf"
    path.write_text(authorization_block(config) + "\n")
    started = NatsServer.start(
        store_dir=tmp_path / "store",
        log_path=tmp_path / "nats.log",
        config_file=path,
        env={"NATS_SERVICE_PASSWORD": PASSWORD},
    )
    yield started
    started.stop()


async def test_the_services_connect_with_their_user_and_nobody_else(server: NatsServer) -> None:
    url = f"nats://critical-friend:{PASSWORD}@127.0.0.1:{server.port}"
    with structlog.testing.capture_logs() as logs:
        nc = await asyncio.wait_for(broker.connect(f"{url}, {url}", name="test"), timeout=10)
    try:
        await nc.publish("scheduling.test", b"{}")
        await nc.flush(timeout=5)
    finally:
        await nc.close()
    assert logs
    assert PASSWORD not in repr(logs)
    with pytest.raises((nats.errors.Error, OSError)):
        await nats.connect(server.url, allow_reconnect=False, connect_timeout=5)
    wrong = f"nats://critical-friend:wrong@127.0.0.1:{server.port}"
    with pytest.raises((nats.errors.Error, OSError)):
        await nats.connect(wrong, allow_reconnect=False, connect_timeout=5)
