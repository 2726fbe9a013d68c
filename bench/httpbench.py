"""Throughput under concurrency through a real server: the server (uvicorn, or a ceiling app)
in its own process on a loopback port, the load client (aiohttp) in this one.

For each target: the maximum throughput (closed loop: ``concurrency`` clients back to back for
``duration`` seconds), the server's CPU per operation over that phase (utime + stime of its
process from ``/proc``), then the latency at 70% of that maximum (open loop: operations started
on a fixed schedule, each timed from its scheduled start, so a stalled server cannot hide its
queue). Every phase is bounded in time and in operations.

Tokens are ES256, verified by the servers through a JWKS that :class:`JwksServer` serves on
127.0.0.1, as an identity provider's would be.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp

from common.auth import issue_dev_token, jwks_document, load_or_create_dev_key

ROOT = Path(__file__).resolve().parents[1]
ISSUER = "https://bench-issuer.invalid"
AUDIENCE = "critical-friend"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: Seconds per measured phase (``BENCH_SECONDS`` shortens it for a smoke run).
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
IDLE_SECONDS = 3.0

#: One operation: may be several requests (the three-request read); raises on a bad status.
Operation = Callable[[aiohttp.ClientSession, int], Awaitable[None]]


class JwksServer:
    """A JWKS document on 127.0.0.1 publishing the bench's ES256 key; signs its tokens."""

    def __init__(self, folder: Path) -> None:
        self.key = load_or_create_dev_key(folder / "bench-key.pem")
        body = json.dumps(jwks_document(self.key)).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def token(self, **claims: Any) -> str:
        return issue_dev_token(
            self.key, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=3600, **claims
        )

    def env(self) -> dict[str, str]:
        return {"AUTH_JWKS_URL": self.url, "AUTH_ISSUER": ISSUER, "AUTH_AUDIENCE": AUDIENCE}

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def serve(
    target: str, env: dict[str, str], log: Path, *, ready_path: str = "/healthz"
) -> Iterator[Server]:
    """``python -m bench.serve <target> <port>`` with ``env``; its output into ``log``."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", target, str(port)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        try:
            _wait_ready(server, ready_path)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_ready(server: Server, path: str, within: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited; see {server.log}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server not ready; see {server.log}")


def _summary(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {"p50_ms": float("nan"), "p99_ms": float("nan")}
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
    }


async def _closed_loop(
    url: str, op: Operation, *, concurrency: int, duration: float, max_ops: int
) -> tuple[int, float, list[float]]:
    done = 0
    latencies: list[float] = []
    stop_at = time.monotonic() + duration
    counter = iter(range(max_ops))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, connector=connector) as session:

        async def client() -> None:
            nonlocal done
            for i in counter:
                if time.monotonic() >= stop_at:
                    return
                started = time.perf_counter()
                await op(session, i)
                latencies.append(time.perf_counter() - started)
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return done, elapsed, latencies


async def _open_loop(
    url: str, op: Operation, *, rate: float, duration: float, start_index: int, cap: int = 512
) -> tuple[list[float], int]:
    """Operations started at ``rate``/s for ``duration`` s; latency from the scheduled start.
    ``cap`` bounds the operations in flight (the ones not started count as dropped)."""
    latencies: list[float] = []
    dropped = 0
    interval = 1 / rate
    total = int(rate * duration)
    in_flight = asyncio.Semaphore(cap)
    connector = aiohttp.TCPConnector(limit=cap)
    async with aiohttp.ClientSession(url, connector=connector) as session:

        async def one(i: int, scheduled: float) -> None:
            try:
                await op(session, start_index + i)
                latencies.append(time.perf_counter() - scheduled)
            finally:
                in_flight.release()

        tasks = []
        origin = time.perf_counter()
        for i in range(total):
            scheduled = origin + i * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if in_flight.locked():
                dropped += 1
                continue
            await in_flight.acquire()
            tasks.append(asyncio.create_task(one(i, scheduled)))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=duration + 60)
    return latencies, dropped


async def measure(
    server: Server,
    op: Operation,
    *,
    concurrency: int = 16,
    duration: float = SECONDS,
    warmup: float = 2.0,
    max_ops: int = 100_000,
    requests_per_op: int = 1,
) -> dict[str, Any]:
    """Measure the server idle (its background pollers: the outbox relay, the webhook
    dispatcher), warm up, find the maximum throughput (and CPU per op, also net of the idle
    rate), then the latency at 70% of it."""
    idle_before = cpu_seconds(server.pid)
    await asyncio.sleep(IDLE_SECONDS)
    idle_per_s = (cpu_seconds(server.pid) - idle_before) / IDLE_SECONDS
    await _closed_loop(server.url, op, concurrency=concurrency, duration=warmup, max_ops=max_ops)
    cpu_before = cpu_seconds(server.pid)
    done, elapsed, closed = await _closed_loop(
        server.url, op, concurrency=concurrency, duration=duration, max_ops=max_ops
    )
    cpu = cpu_seconds(server.pid) - cpu_before
    max_rate = done / elapsed
    rate = 0.7 * max_rate
    latencies, dropped = await _open_loop(
        server.url, op, rate=rate, duration=duration, start_index=max_ops
    )
    return {
        "max_ops_per_s": round(max_rate, 1),
        "max_requests_per_s": round(max_rate * requests_per_op, 1),
        "ops_at_max": done,
        "latency_at_max": _summary(closed),
        "server_cpu_ms_per_op": round(cpu / max(done, 1) * 1000, 3),
        "server_idle_cpu_ms_per_s": round(idle_per_s * 1000, 1),
        "server_cpu_ms_per_op_net_of_idle": round(
            max(cpu - idle_per_s * elapsed, 0) / max(done, 1) * 1000, 3
        ),
        "server_cpu_utilisation_at_max": round(cpu / elapsed, 2),
        "at_70_percent": {
            "rate_per_s": round(rate, 1),
            **_summary(latencies),
            "completed": len(latencies),
            "dropped": dropped,
        },
    }


def expect(response: aiohttp.ClientResponse, *statuses: int) -> None:
    if response.status not in (statuses or (200,)):
        raise RuntimeError(f"{response.method} {response.url}: {response.status}")


def machine() -> dict[str, Any]:
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
