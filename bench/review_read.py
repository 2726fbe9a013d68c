"""A review read with its findings and evidence, on PostgreSQL: through the reviews API
(FastAPI, token verification, tenancy, the ORM, pydantic) against the same three reads made
with raw SQL (asyncpg) behind a bare ASGI callable, in the same run, both in-process over
httpx's ASGI transport. One read is three requests: the review (with its team), its findings
(with their evidence kinds) and its evidence items.

Creates and drops a scratch database on ``TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``). Writes ``bench/results/review_read.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager

from common.auth import issue_dev_token, load_or_create_dev_key
from common.db import create_database
from common.db.migrations import upgrade
from common.testing.databases import temporary_postgres_database
from common.testing.nats import NatsServer
from contracts.reviews import EvidenceKind, FindingKind, ReviewState
from contracts.schedule import ReviewMode
from reviews.config import ReviewsSettings
from reviews.evidence.models import EvidenceItem
from reviews.finding.models import Finding, FindingEvidence
from reviews.focus.models import ReviewFocus
from reviews.main import create_app
from reviews.review.models import Review, ReviewTeamMember, TeamRole

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "review_read.json"
REVIEWS = 200
EVIDENCE_PER_REVIEW = 30
FINDINGS_PER_REVIEW = 8
LINKS_PER_FINDING = 4
WARMUP = 50
ROUNDS = 400
LEAD = uuid.UUID("01900000-0000-7000-8000-00000000000a")
KINDS = list(EvidenceKind)


async def _seed(url: str) -> list[uuid.UUID]:
    database = create_database(url)
    ids = []
    try:
        async with database.session() as session:
            day = date(2027, 3, 10)
            for n in range(REVIEWS):
                review_id = uuid.uuid4()
                ids.append(review_id)
                question = str(uuid.uuid4())
                session.add(
                    Review(
                        id=review_id,
                        cycle_id=uuid.uuid4(),
                        partnership_id=uuid.uuid4(),
                        la_code="881",
                        urn=115000 + n,
                        academic_year="2026-27",
                        mode=ReviewMode.IN_PERSON,
                        first_day=day,
                        days=[day.isoformat()],
                        focus_areas=["curriculum.reading"],
                        self_review_due=day - timedelta(days=28),
                        pre_review_meeting=day - timedelta(days=10),
                        report_due=day + timedelta(days=10),
                        workshop_window_start=day + timedelta(days=20),
                        workshop_window_end=day + timedelta(days=40),
                        progress_review_due=day + timedelta(days=130),
                        state=ReviewState.FEEDBACK,
                        plan_version=1,
                        team=[
                            ReviewTeamMember(person_id=LEAD, role=TeamRole.LEAD_REVIEWER),
                            ReviewTeamMember(person_id=uuid.uuid4(), role=TeamRole.REVIEWER),
                        ],
                    )
                )
                await session.flush()  # the review before the rows that refer to it
                session.add(
                    ReviewFocus(
                        review_id=review_id,
                        text="Reading for pleasure",
                        theme_codes=["curriculum.reading"],
                        questions=[{"id": question, "text": "How well do pupils choose books?"}],
                    )
                )
                items = [
                    EvidenceItem(
                        id=uuid.uuid4(),
                        review_id=review_id,
                        question_id=uuid.UUID(question),
                        kind=KINDS[i % len(KINDS)],
                        note=f"Observation {i}: pupils in year {3 + i % 4} named books they chose.",
                        author_person_id=LEAD,
                    )
                    for i in range(EVIDENCE_PER_REVIEW)
                ]
                session.add_all(items)
                await session.flush()
                for f in range(FINDINGS_PER_REVIEW):
                    linked = items[f * 3 : f * 3 + LINKS_PER_FINDING]
                    session.add(
                        Finding(
                            review_id=review_id,
                            kind=FindingKind.STRENGTH
                            if f % 2
                            else FindingKind.AREA_FOR_DEVELOPMENT,
                            text=f"Finding {f}: pupils read widely and talk about books.",
                            theme_codes=["curriculum.reading"],
                            question_id=uuid.UUID(question),
                            author_person_id=LEAD,
                            links=[FindingEvidence(evidence_id=i.id) for i in linked],
                        )
                    )
                if n % 20 == 19:
                    await session.commit()
            await session.commit()
    finally:
        await database.dispose()
    return ids


def _bare_app(pool: asyncpg.Pool) -> Callable[..., Awaitable[None]]:
    """The baseline: a raw ASGI callable answering the same three reads with raw SQL."""

    def _row(record: asyncpg.Record) -> dict[str, Any]:
        return {
            k: (str(v) if isinstance(v, uuid.UUID | date | datetime) else v)
            for k, v in record.items()
        }

    async def review(conn: asyncpg.Connection, review_id: uuid.UUID) -> Any:
        row = await conn.fetchrow("SELECT * FROM reviews WHERE id = $1", review_id)
        team = await conn.fetch("SELECT * FROM review_team_members WHERE review_id = $1", review_id)
        return {**_row(row), "team": [_row(t) for t in team]}

    async def findings(conn: asyncpg.Connection, review_id: uuid.UUID) -> Any:
        rows = await conn.fetch(
            "SELECT f.*, "
            "coalesce(array_agg(e.id) FILTER (WHERE e.id IS NOT NULL), '{}') AS evidence_ids, "
            "coalesce(array_agg(DISTINCT e.kind) FILTER (WHERE e.id IS NOT NULL), '{}') AS kinds "
            "FROM findings f LEFT JOIN finding_evidence fe ON fe.finding_id = f.id "
            "LEFT JOIN evidence_items e ON e.id = fe.evidence_id "
            "WHERE f.review_id = $1 GROUP BY f.id ORDER BY f.created_at, f.id LIMIT 201",
            review_id,
        )
        out = []
        for r in rows:
            item = _row(r)
            item["evidence_ids"] = [str(i) for i in r["evidence_ids"]]
            item["kinds"] = list(r["kinds"])
            item["triangulated"] = len(item["kinds"]) >= 2
            out.append(item)
        return {"data": out, "next_cursor": None}

    async def evidence(conn: asyncpg.Connection, review_id: uuid.UUID) -> Any:
        rows = await conn.fetch(
            "SELECT * FROM evidence_items WHERE review_id = $1 ORDER BY updated_at, id LIMIT 201",
            review_id,
        )
        return {"data": [_row(r) for r in rows], "next_cursor": None}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        parts = scope["path"].strip("/").split("/")  # v1 reviews <id> [findings|evidence]
        review_id = uuid.UUID(parts[2])
        read = {"findings": findings, "evidence": evidence}.get(
            parts[3] if len(parts) > 3 else "", review
        )
        async with pool.acquire() as conn:
            body = json.dumps(await read(conn, review_id)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def _read(client: httpx.AsyncClient, review_id: uuid.UUID, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    for suffix in ("", "/findings?limit=200", "/evidence?limit=200"):
        response = await client.get(f"/v1/reviews/{review_id}{suffix}", headers=headers)
        assert response.status_code == 200, response.text
    return time.perf_counter() - started


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


async def _run() -> dict[str, Any]:
    async with temporary_postgres_database("cf_bench") as url:
        await asyncio.to_thread(upgrade, ROOT / "services/reviews/alembic.ini", url)
        ids = await _seed(url)
        with tempfile.TemporaryDirectory() as folder:
            key_path = Path(folder) / "dev-key.pem"
            token = issue_dev_token(
                load_or_create_dev_key(key_path),
                issuer="critical-friend-dev",
                audience="critical-friend",
                subject="bench",
                scopes=["reviews:read"],
                person_id=str(LEAD),
            )
            headers = {"Authorization": f"Bearer {token}"}
            server = NatsServer.start(store_dir=Path(folder) / "nats")
            dsn = url.replace("postgresql+asyncpg://", "postgresql://")
            pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
            try:
                settings = ReviewsSettings(
                    database_url=url,
                    nats_url=server.url,
                    auth_dev_key_path=key_path,
                    milestone_sweep_seconds=0,
                    log_level="WARNING",
                    consumers_enabled=False,
                )
                async with LifespanManager(create_app(settings)) as manager:
                    api = httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=manager.app), base_url="http://api"
                    )
                    bare = httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=_bare_app(pool)), base_url="http://bare"
                    )
                    async with api, bare:
                        for i in range(WARMUP):
                            await _read(api, ids[i % len(ids)], headers)
                            await _read(bare, ids[i % len(ids)], {})
                        api_samples, bare_samples = [], []
                        for i in range(ROUNDS):  # interleaved, so both see the same load
                            review_id = ids[(i * 7) % len(ids)]
                            api_samples.append(await _read(api, review_id, headers))
                            bare_samples.append(await _read(bare, review_id, {}))
            finally:
                await pool.close()
                server.stop()
    api_summary, bare_summary = _summary(api_samples), _summary(bare_samples)
    return {
        "benchmark": "review read with findings and evidence (PostgreSQL, in-process ASGI)",
        "data": {
            "reviews": REVIEWS,
            "evidence_per_review": EVIDENCE_PER_REVIEW,
            "findings_per_review": FINDINGS_PER_REVIEW,
            "evidence_links_per_finding": LINKS_PER_FINDING,
            "requests_per_read": 3,
            "rounds": ROUNDS,
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "api": api_summary,
        "raw_sql_bare_asgi": bare_summary,
        "ratio_p50": round(api_summary["p50_ms"] / bare_summary["p50_ms"], 2),
        "ratio_p95": round(api_summary["p95_ms"] / bare_summary["p95_ms"], 2),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> dict[str, Any]:
    results = asyncio.run(_run())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
