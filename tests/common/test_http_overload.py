"""Bounded overload: past the in-flight limit a request is shed at once with 503 and
Retry-After; a database that cannot give a connection (pool exhausted, server unreachable,
"too many clients") is a 503 problem with Retry-After, never a 500."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.responses import StreamingResponse

from common.db import Database, PoolConfig, create_database
from common.settings import ServiceSettings
from common.testing import databases
from common.testing.servers import free_port, serving
from tests.common.test_http_helpers import client_for, make_app, problem


def _held_router(release: asyncio.Event, started: list[str]) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/slow/{name}")
    async def slow(name: str) -> dict[str, str]:
        started.append(name)
        await release.wait()
        return {"name": name}

    @router.get("/v1/events")
    async def events() -> StreamingResponse:
        async def forever() -> AsyncIterator[bytes]:
            for _ in range(6_000):  # open until the client goes (bounded: 60 s)
                yield b": keep-alive\n\n"
                await asyncio.sleep(0.01)

        return StreamingResponse(forever(), media_type="text/event-stream")

    return router


async def _until(condition: object) -> None:
    for _ in range(6_000):  # a bound for a broken run, not a speed
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never reached")


async def test_past_the_limit_requests_are_shed_at_once_and_admitted_again_after(
    tmp_path: Path,
) -> None:
    release = asyncio.Event()
    started: list[str] = []
    app = make_app(tmp_path / "key.pem", [_held_router(release, started)], max_requests_in_flight=2)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
        held = [asyncio.create_task(client.get(f"/v1/slow/{n}")) for n in ("a", "b")]
        await _until(lambda: len(started) == 2)

        shed = await client.get("/v1/slow/c")
        assert shed.status_code == 503
        assert shed.headers["Retry-After"] == "1"
        assert problem(shed, 503)["type"].endswith("/overloaded")
        assert "X-Request-ID" in shed.headers
        assert started == ["a", "b"]  # the shed request never reached its route
        assert (await client.get("/healthz")).status_code == 200  # health is exempt

        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert (await client.get("/v1/slow/d")).status_code == 200


async def test_an_event_stream_does_not_hold_a_place_while_it_stays_open(tmp_path: Path) -> None:
    release = asyncio.Event()
    release.set()  # plain requests answer at once
    app = make_app(tmp_path / "key.pem", [_held_router(release, [])], max_requests_in_flight=1)
    async with (
        serving(app) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
        client.stream("GET", "/v1/events") as stream,
    ):
        assert stream.status_code == 200
        assert (await client.get("/v1/slow/x")).status_code == 200


def _database_router(database: Database) -> APIRouter:
    router = APIRouter()

    @router.post("/v1/things")
    async def write() -> dict[str, int]:
        async with database.session() as session:
            return {"one": int(await session.scalar(text("SELECT 1")) or 0)}

    return router


async def _answer(tmp_path: Path, database: Database) -> tuple[int, str, str | None]:
    app = make_app(tmp_path / "key.pem", [_database_router(database)])
    async with client_for(app) as client:
        response = await client.post("/v1/things")
    body = problem(response, response.status_code) if response.status_code >= 400 else {}
    return response.status_code, str(body.get("type", "")), response.headers.get("Retry-After")


async def test_an_unreachable_database_is_a_503(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    database = create_database(url)
    try:
        status, type_, retry_after = await _answer(tmp_path, database)
    finally:
        await database.dispose()
    assert (status, type_.rsplit("/", 1)[-1], retry_after) == (503, "database-unavailable", "5")


@pytest.fixture
async def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's pool and connection limits")
    return database_url


async def test_a_pool_still_full_after_its_timeout_is_a_503(
    tmp_path: Path, postgres_url: str
) -> None:
    database = create_database(
        postgres_url, pool=PoolConfig(size=1, max_overflow=0, timeout_seconds=0.05)
    )
    try:
        async with database.engine.connect():  # the pool's only connection, held
            status, type_, retry_after = await _answer(tmp_path, database)
        assert (await _answer(tmp_path, database))[0] == 200  # given back: served again
    finally:
        await database.dispose()
    assert (status, type_.rsplit("/", 1)[-1], retry_after) == (503, "database-busy", "2")


async def test_too_many_clients_is_a_503(tmp_path: Path, postgres_url: str) -> None:
    role = f"cf_test_full_{uuid.uuid4().hex[:12]}"
    dsn = make_url(databases.test_postgres_url()).set(drivername="postgresql")
    admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    await admin.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    database = create_database(
        make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    )
    try:
        status, type_, retry_after = await _answer(tmp_path, database)
    finally:
        await database.dispose()
        await admin.execute(f'DROP ROLE "{role}"')
        await admin.close()
    assert (status, type_.rsplit("/", 1)[-1], retry_after) == (503, "database-unavailable", "5")


async def test_the_settings_size_the_pool_and_can_turn_the_statement_caches_off(
    postgres_url: str,
) -> None:
    settings = ServiceSettings(
        db_pool_size=3, db_max_overflow=1, db_pool_timeout_seconds=0.5, db_statement_cache_size=0
    )
    pool = settings.database_pool()
    assert pool == PoolConfig(size=3, max_overflow=1, timeout_seconds=0.5, statement_cache_size=0)
    database = create_database(postgres_url, pool=pool)  # as behind PgBouncer
    try:
        for n in range(3):  # the same statement again: no prepared statement is reused
            async with database.session() as session:
                assert await session.scalar(text("SELECT :n").bindparams(n=n)) == n
    finally:
        await database.dispose()
