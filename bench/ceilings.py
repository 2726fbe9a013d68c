"""The ceilings the API is measured against, on the same data with the same raw SQL (asyncpg):

- ``bare-*``: a raw ASGI callable, no framework, no token check;
- ``fastapi-*``: FastAPI with our token check (the JWKS verifier behind the token cache, as
  :func:`common.http.app.create_service_app` installs it), no ORM, no pydantic models.

The DSN is ``BENCH_DSN``; the JWKS settings are the usual ``AUTH_*`` variables.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import Response

from common.auth import CachingVerifier, Principal, require_scopes, verifier_from_settings
from common.settings import ServiceSettings

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def _value(v: Any) -> Any:
    return str(v) if isinstance(v, uuid.UUID | date | datetime) else v


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {k: _value(v) for k, v in record.items()}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# --- The review read ---------------------------------------------------------------------

FINDINGS_SQL = (
    "SELECT f.*, "
    "coalesce(array_agg(e.id) FILTER (WHERE e.id IS NOT NULL), '{}') AS evidence_ids, "
    "coalesce(array_agg(DISTINCT e.kind) FILTER (WHERE e.id IS NOT NULL), '{}') AS kinds "
    "FROM findings f LEFT JOIN finding_evidence fe ON fe.finding_id = f.id "
    "LEFT JOIN evidence_items e ON e.id = fe.evidence_id "
    "WHERE f.review_id = $1 GROUP BY f.id ORDER BY f.created_at, f.id LIMIT 201"
)
EVIDENCE_SQL = "SELECT * FROM evidence_items WHERE review_id = $1 ORDER BY updated_at, id LIMIT 201"


async def review(conn: asyncpg.Connection, review_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM reviews WHERE id = $1", review_id)
    if row is None:
        return None
    team = await conn.fetch("SELECT * FROM review_team_members WHERE review_id = $1", review_id)
    return {**_row(row), "team": [_row(t) for t in team]}


async def findings(conn: asyncpg.Connection, review_id: uuid.UUID) -> dict[str, Any]:
    out = []
    for r in await conn.fetch(FINDINGS_SQL, review_id):
        item = _row(r)
        item["evidence_ids"] = [str(i) for i in r["evidence_ids"]]
        item["kinds"] = list(r["kinds"])
        item["triangulated"] = len(item["kinds"]) >= 2
        out.append(item)
    return {"data": out[:200], "next_cursor": None}


async def evidence(conn: asyncpg.Connection, review_id: uuid.UUID) -> dict[str, Any]:
    rows = await conn.fetch(EVIDENCE_SQL, review_id)
    return {"data": [_row(r) for r in rows[:200]], "next_cursor": None}


async def review_read(
    pool: asyncpg.Pool, review_id: uuid.UUID, part: str, include: str
) -> dict[str, Any] | None:
    """``part``: "" (the review, with ``include``), "findings" or "evidence"."""
    async with pool.acquire() as conn:
        if part == "findings":
            return await findings(conn, review_id)
        if part == "evidence":
            return await evidence(conn, review_id)
        body = await review(conn, review_id)
        if body is not None and "findings" in include:
            body["findings"] = await findings(conn, review_id)
        if body is not None and "evidence" in include:
            body["evidence"] = await evidence(conn, review_id)
        return body


# --- The school PUT ----------------------------------------------------------------------

SCHOOL_FIELDS = (
    "name",
    "phase",
    "la_code",
    "establishment_number",
    "trust_uid",
    "postcode",
    "easting",
    "northing",
    "status",
)
UPDATE_SQL = (
    "UPDATE schools SET "
    + ", ".join(f"{f} = ${i + 2}" for i, f in enumerate(SCHOOL_FIELDS))
    + ", version = version + 1, updated_at = now() WHERE urn = $1 RETURNING *"
)
OUTBOX_SQL = (
    "INSERT INTO outbox (event_id, nats_subject, payload, partition_key, created_at) "
    "VALUES ($1, $2, $3, $4, now())"
)


async def school_put(
    pool: asyncpg.Pool, urn: int, body: dict[str, Any], expected: int
) -> tuple[int, dict[str, Any] | None]:
    """412 unless ``expected`` is the version; else the replaced school and its event."""
    async with pool.acquire() as conn, conn.transaction():
        version = await conn.fetchval("SELECT version FROM schools WHERE urn = $1 FOR UPDATE", urn)
        if version is None:
            return 404, None
        if version != expected:
            return 412, None
        row = await conn.fetchrow(UPDATE_SQL, urn, *(body.get(f) for f in SCHOOL_FIELDS))
        school = _row(row)
        event = {"id": str(uuid.uuid4()), "type": "scheduling.school.updated", "data": school}
        await conn.execute(
            OUTBOX_SQL,
            event["id"],
            f"scheduling.school.updated.{school['la_code']}.{urn}",
            json.dumps(event, default=str),
            f"school:{urn}",
        )
        return 200, school


# --- The apps ----------------------------------------------------------------------------


async def _pool() -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=2, max_size=10)
    return pool


def bare_app() -> ASGI:
    pool: asyncpg.Pool | None = None

    async def respond(send: Any, status: int, body: bytes, headers: list[Any] = ()) -> None:  # type: ignore[assignment]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal pool
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    pool = await _pool()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if pool is not None:
                        await pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert pool is not None
        parts = scope["path"].strip("/").split("/")
        if parts == ["healthz"]:
            await respond(send, 200, b"{}")
            return
        if parts[1] == "schools":
            chunks = []
            while True:
                message = await receive()
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            headers = dict(scope["headers"])
            expected = int(headers.get(b"if-match", b'"0"').strip(b'"'))
            status, school = await school_put(
                pool, int(parts[2]), json.loads(b"".join(chunks)), expected
            )
            etag = [(b"etag", f'"{school["version"]}"'.encode())] if school else []
            await respond(send, status, _dumps(school or {}), etag)
            return
        query = scope.get("query_string", b"").decode()
        include = query.split("include=", 1)[1] if "include=" in query else ""
        part = parts[3] if len(parts) > 3 else ""
        body = await review_read(pool, uuid.UUID(parts[2]), part, include)
        await respond(send, 200 if body is not None else 404, _dumps(body or {}))

    return app


Reader = Annotated[Principal, Depends(require_scopes("reviews:read"))]
Writer = Annotated[Principal, Depends(require_scopes("directory:write"))]


def fastapi_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await _pool()
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)
    settings = ServiceSettings(service_name="ceiling")
    app.state.verifier = CachingVerifier(verifier_from_settings(settings))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {}

    @app.get("/v1/reviews/{review_id}")
    async def get_review(
        review_id: uuid.UUID, request: Request, _: Reader, include: str = ""
    ) -> Response:
        body = await review_read(request.app.state.pool, review_id, "", include)
        return Response(_dumps(body or {}), 200 if body else 404, media_type="application/json")

    @app.get("/v1/reviews/{review_id}/{part}")
    async def get_part(review_id: uuid.UUID, part: str, request: Request, _: Reader) -> Response:
        body = await review_read(request.app.state.pool, review_id, part, "")
        return Response(_dumps(body), media_type="application/json")

    @app.put("/v1/schools/{urn}")
    async def put_school(
        urn: int,
        request: Request,
        _: Writer,
        if_match: Annotated[str, Header()] = '"0"',
    ) -> Response:
        body = await request.json()
        status, school = await school_put(
            request.app.state.pool, urn, body, int(if_match.strip('"'))
        )
        headers = {"ETag": f'"{school["version"]}"'} if school else {}
        return Response(_dumps(school or {}), status, headers, media_type="application/json")

    return app


APPS: dict[str, Callable[[], Any]] = {"bare": bare_app, "fastapi": fastapi_app}
