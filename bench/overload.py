"""Overload: one API replica past its sustainable rate sheds the excess instead of queueing it.

The scheduling service runs as production runs it (uvicorn, its own process, on a loopback
port, PostgreSQL at ``TEST_POSTGRES_URL``, or SQLite when no server answers), with the default
limit on requests in flight (``MAX_REQUESTS_IN_FLIGHT`` in the environment overrides it). A
load client in another process first measures the sustainable rate of each workload (a closed
loop of as many clients as the limit admits), then offers 0.5x, 1x, 2x and 4x that rate as an
open loop (requests sent on a fixed schedule, whatever the answers). Per step: p50/p99 of the
admitted requests, the share shed with 503 + ``Retry-After`` and how fast those 503s come
back, and the number of 500s (must be 0).

Workloads: a school PUT (a new school each time: a write with its outbox event) and a school
GET. Run with ``python -m bench overload``; writes ``bench/results/overload.json``. The client
shares the machine with the server: on a busy machine the figures move from run to run.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from common.auth import issue_dev_token, load_or_create_dev_key
from common.db.migrations import upgrade
from common.testing.databases import (
    create_postgres_database,
    drop_postgres_database,
    postgres_reachable,
)
from common.testing.nats import NatsServer, free_port
from scheduling.config import SchedulingSettings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "overload.json"
MULTIPLES = (0.5, 1.0, 2.0, 4.0)
CAPACITY_SECONDS = 6.0
STEP_SECONDS = 10.0
WARMUP_REQUESTS = 100
SEEDED_SCHOOLS = 200
FIRST_URN = 300_000
URNS_PER_STEP = 20_000  # new schools a step may write (URNs stay below 1,000,000)
MAX_OUTSTANDING = 2_000  # the open loop never holds more requests than this
CONNECTIONS = 64  # opened before each step, so that a step measures requests, not TCP set-up
REQUEST_TIMEOUT_SECONDS = 30.0
READY_WITHIN_SECONDS = 60.0


@dataclass(frozen=True)
class Sample:
    status: int
    ms: float
    retry_after: bool


def _school(urn: int) -> dict[str, Any]:
    return {
        "name": f"Overload Test School {urn}",
        "phase": "primary",
        "la_code": "881",
        "postcode": "CM1 2AB",
        "easting": 570500,
        "northing": 207800,
    }


class Connections:
    """Keep-alive HTTP/1.1 connections written by hand: a load client must cost far less CPU
    than the server it measures (httpx costs about as much per request as a shed 503), and the
    two share the machine. A request waits for a free connection, counted in its latency."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\n".encode()
        self.free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self.opened: list[asyncio.StreamWriter] = []

    async def open(self, count: int) -> None:
        for _ in range(count):
            await self.free.put(await self._connect())

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened.append(writer)
        return reader, writer

    async def close(self) -> None:
        for writer in self.opened:
            writer.close()

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bool]:
        """(status, whether Retry-After came with it); status 0: no answer."""
        reader, writer = await self.free.get()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n".encode() + self.auth
        if body:
            head += b"Content-Type: application/json\r\n"
            head += f"Content-Length: {len(body)}\r\n".encode()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):  # TimeoutError is an OSError
                writer.write(head + b"\r\n" + body)
                raw = await reader.readuntil(b"\r\n\r\n")
                lines = raw.decode("latin-1").lower().split("\r\n")
                status = int(lines[0].split(" ", 2)[1])
                headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                await reader.readexactly(int(headers.get("content-length", "0")))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            writer.close()
            await self.free.put(await self._connect())
            return 0, False
        await self.free.put((reader, writer))
        return status, "retry-after" in headers


async def _call(connections: Connections, kind: str, urn: int) -> Sample:
    started = time.perf_counter()
    if kind == "write":
        body = json.dumps(_school(urn)).encode()
        status, retry_after = await connections.request("PUT", f"/v1/schools/{urn}", body)
    else:
        status, retry_after = await connections.request("GET", f"/v1/schools/{urn}")
    return Sample(status, (time.perf_counter() - started) * 1000, retry_after)


async def _connections(url: str, token: str) -> Connections:
    address = httpx.URL(url)
    connections = Connections(address.host, address.port or 80, token)
    await connections.open(CONNECTIONS)
    return connections


def _urns(kind: str, first: int) -> Any:
    """Each write a new school (URNs from ``first``); reads cycle over the seeded schools."""
    n = 0
    while True:
        yield first + n if kind == "write" else FIRST_URN + n % SEEDED_SCHOOLS
        n += 1


def _capacity_clients() -> int:
    """As many closed-loop clients as the server admits at once: it is kept busy, sheds nothing."""
    limit = SchedulingSettings().max_requests_in_flight
    return limit if limit > 0 else 8


async def _closed_loop(url: str, token: str, kind: str, first: int) -> dict[str, Any]:
    """The sustainable rate: the admitted limit's worth of clients, each sending its next
    request on an answer."""
    urns = _urns(kind, first)
    clients = _capacity_clients()
    client = await _connections(url, token)
    try:
        for _ in range(WARMUP_REQUESTS // clients):
            await asyncio.gather(*(_call(client, kind, next(urns)) for _ in range(2)))
        deadline = time.perf_counter() + CAPACITY_SECONDS
        samples: list[Sample] = []

        async def loop() -> None:
            while time.perf_counter() < deadline:
                samples.append(await _call(client, kind, next(urns)))

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        await client.close()
    ok = [s for s in samples if 200 <= s.status < 300]
    return {"rate_per_s": round(len(ok) / elapsed, 1), "statuses": _statuses(samples)}


async def _open_loop(url: str, token: str, kind: str, rate: float, first: int) -> list[Sample]:
    """``rate`` requests a second for ``STEP_SECONDS``, on schedule whatever the answers."""
    urns = _urns(kind, first)
    count = int(rate * STEP_SECONDS)
    client = await _connections(url, token)
    try:
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks: list[asyncio.Task[Sample]] = []
        for i in range(count):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if sum(not t.done() for t in tasks[-MAX_OUTSTANDING:]) >= MAX_OUTSTANDING:
                break
            tasks.append(asyncio.create_task(_call(client, kind, next(urns))))
        return list(await asyncio.gather(*tasks))
    finally:
        await client.close()


def _client_process(job: tuple[str, str, str, str, float, int]) -> Any:
    """Runs in the load client's own process."""
    mode, url, token, kind, rate, first = job
    if mode == "capacity":
        return asyncio.run(_closed_loop(url, token, kind, first))
    return [
        (s.status, s.ms, s.retry_after)
        for s in asyncio.run(_open_loop(url, token, kind, rate, first))
    ]


def _statuses(samples: list[Sample]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in samples:
        counts[str(s.status)] = counts.get(str(s.status), 0) + 1
    return dict(sorted(counts.items()))


def _percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


def _step(multiple: float, rate: float, samples: list[Sample]) -> dict[str, Any]:
    admitted = [s.ms for s in samples if 200 <= s.status < 300]
    shed = [s for s in samples if s.status == 503]
    return {
        "multiple": multiple,
        "offered_per_s": round(rate, 1),
        "requests": len(samples),
        "admitted_per_s": round(len(admitted) / STEP_SECONDS, 1),
        "admitted_p50_ms": _percentile(admitted, 50),
        "admitted_p99_ms": _percentile(admitted, 99),
        "shed_share": round(len(shed) / len(samples), 3) if samples else 0.0,
        "shed_with_retry_after": sum(s.retry_after for s in shed),
        "shed_p50_ms": _percentile([s.ms for s in shed], 50),
        "shed_p99_ms": _percentile([s.ms for s in shed], 99),
        "errors_500": sum(s.status == 500 for s in samples),
        "statuses": _statuses(samples),
    }


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API process exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the API was not ready within {READY_WITHIN_SECONDS}s")


def _seed(url: str, token: str) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        for urn in range(FIRST_URN, FIRST_URN + SEEDED_SCHOOLS):
            response = client.put(f"/v1/schools/{urn}", json=_school(urn))
            assert response.status_code in (200, 201), response.text


def _run(folder: Path, database_url: str, backend: str) -> dict[str, Any]:
    upgrade(ROOT / "services/scheduling/alembic.ini", database_url)
    key_path = folder / "dev-key.pem"
    token = issue_dev_token(
        load_or_create_dev_key(key_path),
        issuer="critical-friend-dev",
        audience="critical-friend",
        subject="bench",
        scopes=["directory:read", "directory:write"],
        la=["881"],
    )
    nats = NatsServer.start(store_dir=folder / "nats")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SCHEDULING_DATABASE_URL": database_url,
        "NATS_URL": nats.url,
        "AUTH_DEV_KEY_PATH": str(key_path),
        "SCHEDULING_WRITE_RATE_PER_MINUTE": "0",  # the in-flight limit is what is measured
        "SCHEDULING_ROLE": "api",  # an API replica: the relay and consumers run in workers
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "scheduling.main:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    log = (folder / "api.log").open("wb")
    api = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    workloads: dict[str, Any] = {}
    try:
        _wait_ready(url, api)
        _seed(url, token)
        context = multiprocessing.get_context("spawn")
        with context.Pool(1) as pool:
            first = FIRST_URN + SEEDED_SCHOOLS
            for kind in ("write", "read"):
                capacity = pool.apply(
                    _client_process, (("capacity", url, token, kind, 0.0, first),)
                )
                first += 100_000
                steps = []
                for multiple in MULTIPLES:
                    rate = capacity["rate_per_s"] * multiple
                    raw = pool.apply(_client_process, (("open", url, token, kind, rate, first),))
                    first += URNS_PER_STEP
                    steps.append(_step(multiple, rate, [Sample(*r) for r in raw]))
                    print(json.dumps({kind: steps[-1]}), flush=True)
                unloaded = steps[0]["admitted_p99_ms"] or 0.0
                for step in steps:
                    p99 = step["admitted_p99_ms"]
                    step["p99_vs_unloaded"] = round(p99 / unloaded, 2) if p99 and unloaded else None
                workloads[kind] = {"sustainable": capacity, "steps": steps}
    finally:
        api.terminate()
        try:
            api.wait(timeout=30)
        except subprocess.TimeoutExpired:
            api.kill()
        log.close()
        nats.stop()
    return {
        "benchmark": "one API replica (scheduling) from 0.5x to 4x its sustainable rate",
        "database": backend,
        "max_requests_in_flight": SchedulingSettings().max_requests_in_flight,
        "step_seconds": STEP_SECONDS,
        "workloads": {
            "write": "PUT /v1/schools/{urn} (a new school and its outbox event)",
            "read": "GET /v1/schools/{urn}",
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": workloads,
        "errors_500": sum(s["errors_500"] for w in workloads.values() for s in w["steps"]),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # unwinds, so the API process, NATS and the database are cleaned up


def main() -> dict[str, Any]:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if asyncio.run(postgres_reachable()):
            url = asyncio.run(create_postgres_database("cf_bench_overload"))
            try:
                results = _run(folder, url, "postgresql")
            finally:
                asyncio.run(drop_postgres_database(url))
        else:
            results = _run(folder, f"sqlite+aiosqlite:///{folder / 'scheduling.db'}", "sqlite")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
