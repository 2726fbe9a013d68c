"""Every error is an RFC 9457 problem: validation, framework errors, database errors, crashes."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from structlog.testing import capture_logs
from structlog.typing import EventDict

from common.db import TYPE_ANNOTATION_MAP, VersionedMixin, create_database, service_metadata
from common.http.problems import conflict, not_found
from common.http.schemas import StrictModel
from common.logging import request_id_var
from common.testing.databases import database_with_tables
from tests.common.test_http_helpers import client_for, make_app, problem


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class Gadget(VersionedMixin, Base):
    __tablename__ = "gadgets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class GadgetIn(StrictModel):
    name: str
    count: int


router = APIRouter()


@router.post("/v1/gadgets", status_code=201)
async def create_gadget(body: GadgetIn) -> dict[str, str]:
    return {"name": body.name}


@router.get("/v1/gadgets/{gadget_id}")
async def get_gadget(gadget_id: int) -> dict[str, int]:
    if gadget_id == 404:
        raise not_found("No gadget 404.")
    if gadget_id == 409:
        raise conflict("Already there.", type_="duplicate-gadget")
    return {"id": gadget_id}


@router.get("/v1/crash")
async def crash() -> None:
    raise RuntimeError("secret-internal-detail at /srv/app.py")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    db = await database_with_tables(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", Base.metadata)

    db_router = APIRouter()

    @db_router.post("/v1/stale")
    async def stale() -> None:
        # Two sessions read version 1 (each ending its transaction: SQLite takes the write
        # lock at BEGIN); the second UPDATE then finds no row still at version 1.
        async with db.session() as first, db.session() as second:
            first.add(Gadget(id=1, name="a"))
            await first.commit()
            one = await first.get(Gadget, 1)
            await first.commit()
            two = await second.get(Gadget, 1)
            await second.commit()
            assert one is not None
            assert two is not None
            one.name = "b"
            await first.commit()
            two.name = "c"
            await second.commit()

    impatient = create_database(
        f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", sqlite_busy_timeout_ms=200
    )

    @db_router.post("/v1/while-locked")
    async def while_locked() -> None:
        # Another process holds SQLite's write lock longer than this writer waits for it.
        holder = sqlite3.connect(tmp_path / "p.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            async with impatient.session() as session:
                session.add(Gadget(id=20, name="locked-out"))
                await session.commit()
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    @db_router.post("/v1/duplicate")
    async def duplicate() -> None:
        async with db.session() as session:
            session.add_all([Gadget(id=10, name="same"), Gadget(id=11, name="same")])
            await session.commit()

    app = make_app(tmp_path / "key.pem", [router, db_router], max_body_bytes=1000)
    async with client_for(app) as http:
        yield http
    await impatient.dispose()
    await db.dispose()


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/gadgets", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    body = problem(response, 400)
    assert body["type"].endswith("/malformed-json")


async def test_wrong_types_list_the_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gadgets", json={"name": ["x"], "count": "many"})
    body = problem(response, 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"body.name", "body.count"}
    assert all(e["message"] for e in body["errors"])


async def test_unknown_field_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gadgets", json={"name": "x", "count": 1, "colour": "red"})
    body = problem(response, 422)
    assert body["errors"][0]["field"] == "body.colour"


async def test_missing_body_and_bad_path_parameter(client: httpx.AsyncClient) -> None:
    problem(await client.post("/v1/gadgets"), 422)
    body = problem(await client.get("/v1/gadgets/abc"), 422)
    assert body["errors"][0]["field"] == "path.gadget_id"


async def test_oversized_body_by_content_length_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gadgets", json={"name": "x" * 2000, "count": 1})
    problem(response, 413)


async def test_oversized_streamed_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'", "count": 1}'

    # A generator body goes out chunked, without Content-Length.
    response = await client.post(
        "/v1/gadgets", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    problem(response, 413)


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    problem(await client.get("/v1/nothing-here"), 404)
    response = await client.delete("/v1/gadgets/1")
    problem(response, 405)
    assert "GET" in response.headers["Allow"]


async def test_problem_helpers(client: httpx.AsyncClient) -> None:
    assert problem(await client.get("/v1/gadgets/404"), 404)["detail"] == "No gadget 404."
    body = problem(await client.get("/v1/gadgets/409"), 409)
    assert body["type"] == "https://criticalfriend.org/problems/duplicate-gadget"


def _with_request_id(_logger: object, _name: str, event: EventDict) -> EventDict:
    event["request_id"] = request_id_var.get()
    return event


async def test_crash_is_500_without_internals_and_logged(client: httpx.AsyncClient) -> None:
    with capture_logs(processors=[_with_request_id]) as logs:
        response = await client.get("/v1/crash", headers={"X-Request-ID": "trace-me-1"})
    body = problem(response, 500)
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"] == "trace-me-1"
    crash = next(e for e in logs if e["event"] == "unhandled_error")
    assert crash["request_id"] == "trace-me-1"
    assert crash["exc_info"] is True
    access = next(e for e in logs if e["event"] == "request")
    assert access["status"] == 500
    assert access["path"] == "/v1/crash"


async def test_stale_update_is_412(client: httpx.AsyncClient) -> None:
    problem(await client.post("/v1/stale"), 412)


async def test_integrity_error_is_409(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/duplicate")
    problem(response, 409)
    assert "UNIQUE" not in response.text
    assert "gadgets" not in response.text


async def test_a_locked_database_is_503_with_retry_after_and_changes_nothing(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    response = await client.post("/v1/while-locked")
    body = problem(response, 503)
    assert body["type"].endswith("/database-busy")
    assert response.headers["retry-after"] == "2"
    with sqlite3.connect(tmp_path / "p.db") as check:
        assert check.execute("SELECT count(*) FROM gadgets WHERE id = 20").fetchone() == (0,)
