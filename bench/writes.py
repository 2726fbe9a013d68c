"""School PUTs (``PUT /v1/schools/{urn}``, a replacement that changes the name, so each one
updates the row, appends its event to the outbox and the relay publishes it) as throughput
under concurrency through a real server (see :mod:`bench.httpbench`): the scheduling API
(uvicorn, INFO logging, JWKS-verified tokens, NATS and the outbox relay running) against two
ceilings doing the same transaction in raw SQL (select for update, update, outbox insert;
:mod:`bench.ceilings`), on PostgreSQL, and the API on SQLite.

The throughput phases spread the load over 64 clients (subjects), so the write limit does not
bite and the figure is the replica's; then one client runs a 1,000-school sync at the default
write limit (its burst) and the run records how long it took and how many 429s it met.

Creates and drops a scratch database on ``TEST_POSTGRES_URL``. Writes
``bench/results/writes.json``.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.httpbench import JwksServer, Operation, Server, machine, measure, serve
from common.db import create_database
from common.db.migrations import upgrade
from common.testing.databases import temporary_postgres_database
from common.testing.nats import NatsServer
from contracts.directory import Phase, SchoolStatus
from scheduling.directory.school.models import School

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "writes.json"
SCHOOLS = 3_000
FIRST_URN = 200_000
SUBJECTS = 64
SYNC = 1_000
LA = "881"


async def _seed(url: str) -> None:
    await asyncio.to_thread(upgrade, ROOT / "services/scheduling/alembic.ini", url)
    database = create_database(url)
    try:
        async with database.session() as session:
            session.add_all(
                School(
                    urn=FIRST_URN + n,
                    name=f"School {n}",
                    phase=Phase.PRIMARY,
                    la_code=LA,
                    status=SchoolStatus.OPEN,
                )
                for n in range(SCHOOLS)
            )
            await session.commit()
    finally:
        await database.dispose()


def _body(n: int, round_: int) -> bytes:
    body = {
        "name": f"School {n} (v{round_})",
        "phase": "primary",
        "la_code": LA,
        "status": "open",
        "postcode": "CM1 2AB",
        "easting": 570500,
        "northing": 207800,
    }
    return json.dumps(body).encode()


class Writer:
    """PUTs spread over the schools; each school's version tracked from its last ETag."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.versions = dict.fromkeys(range(SCHOOLS), 1)
        self.rounds = dict.fromkeys(range(SCHOOLS), 0)
        self.limited = 0

    def op(self, *, schools: int = SCHOOLS, retry_limited: bool = False) -> Operation:
        async def put(session: aiohttp.ClientSession, i: int) -> None:
            n = i % schools
            self.rounds[n] += 1
            for _ in range(100):  # only a 429 is retried, after its Retry-After
                headers = {
                    "Authorization": f"Bearer {self.tokens[i % len(self.tokens)]}",
                    "If-Match": f'"{self.versions[n]}"',
                    "Content-Type": "application/json",
                }
                url = f"/v1/schools/{FIRST_URN + n}"
                async with session.put(url, data=_body(n, self.rounds[n]), headers=headers) as r:
                    await r.read()
                    if r.status == 429 and retry_limited:
                        self.limited += 1
                        await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
                        continue
                    if r.status != 200:
                        raise RuntimeError(f"PUT {url}: {r.status}")
                    self.versions[n] = int(r.headers["ETag"].strip('"'))
                    return
            raise RuntimeError("still limited after 100 tries")

        return put


async def _sync(server: Server, writer: Writer) -> dict[str, Any]:
    """One client (one subject) replaces ``SYNC`` schools, 8 at a time, as an MIS sync."""
    one = Writer([writer.tokens[0]])
    one.versions = writer.versions
    one.rounds = writer.rounds
    op = one.op(schools=SYNC, retry_limited=True)
    counter = iter(range(SYNC))
    started = time.perf_counter()
    async with aiohttp.ClientSession(server.url) as session:

        async def client() -> None:
            for i in counter:
                await op(session, i)

        await asyncio.wait_for(asyncio.gather(*(client() for _ in range(8))), timeout=600)
    return {
        "writes": SYNC,
        "seconds": round(time.perf_counter() - started, 1),
        "responses_429": one.limited,
    }


def _api_env(url: str, nats_url: str, jwks: JwksServer) -> dict[str, str]:
    return {
        **jwks.env(),
        "SCHEDULING_DATABASE_URL": url,
        "NATS_URL": nats_url,
        "SCHEDULING_LOG_LEVEL": "INFO",
        "SCHEDULING_CONSUMERS_ENABLED": "false",
    }


async def _run(folder: Path) -> dict[str, Any]:
    jwks = JwksServer(folder)
    nats = NatsServer.start(store_dir=folder / "nats")
    tokens = [
        jwks.token(subject=f"mis-{k}", scopes=["directory:read", "directory:write"], la=[LA])
        for k in range(SUBJECTS)
    ]
    results: dict[str, Any] = {}
    try:
        async with temporary_postgres_database("cf_bench") as url:
            await _seed(url)
            dsn = url.replace("postgresql+asyncpg://", "postgresql://")
            ceiling_env = {**jwks.env(), "BENCH_DSN": dsn}
            for target in ("bare", "fastapi"):
                writer = Writer(tokens)
                with serve(target, ceiling_env, folder / f"{target}.log") as server:
                    results[f"ceiling_{target}_raw_sql"] = await measure(server, writer.op())
                await _reset_versions(dsn)
            writer = Writer(tokens)
            with serve("scheduling", _api_env(url, nats.url, jwks), folder / "api.log") as server:
                results["api_postgres"] = await measure(server, writer.op())
                results["sync_at_default_limit_postgres"] = await _sync(server, writer)
        sqlite_url = f"sqlite+aiosqlite:///{folder / 'scheduling.db'}"
        await _seed(sqlite_url)
        writer = Writer(tokens)
        with serve("scheduling", _api_env(sqlite_url, nats.url, jwks), folder / "sq.log") as server:
            results["api_sqlite"] = await measure(server, writer.op())
    finally:
        nats.stop()
        jwks.stop()
    return results


async def _reset_versions(dsn: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE schools SET version = 1")
        await conn.execute("DELETE FROM outbox")
    finally:
        await conn.close()


def main() -> dict[str, Any]:
    started = machine()
    with tempfile.TemporaryDirectory() as folder:
        measured = asyncio.run(_run(Path(folder)))
    api = measured["api_postgres"]["max_ops_per_s"]
    results = {
        "benchmark": "school PUT (replace, one event each): throughput through uvicorn",
        "data": {"schools": SCHOOLS, "clients": SUBJECTS},
        "method": {
            "server": "uvicorn, one process, service at INFO logging, no uvicorn access log, "
            "outbox relay publishing to NATS in the same process",
            "client": "aiohttp in another process; 16 concurrent requests for the maximum, "
            "open loop at 70% of it for the latency (timed from the scheduled start)",
            "tokens": "ES256, verified through a local JWKS (cached after the first check)",
        },
        "machine_before": started,
        **measured,
        "api_over_bare": round(api / measured["ceiling_bare_raw_sql"]["max_ops_per_s"], 2),
        "api_over_fastapi_auth": round(
            api / measured["ceiling_fastapi_raw_sql"]["max_ops_per_s"], 2
        ),
        "machine_after": machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
