"""A review read with its findings and evidence, as throughput under concurrency through a
real server (see :mod:`bench.httpbench`): the reviews API (uvicorn, INFO logging, tokens
verified through a JWKS, tenancy, the ORM, pydantic) against two ceilings on the same data and
the same raw SQL (asyncpg), in the same run: a bare ASGI app, and FastAPI with our token check
(:mod:`bench.ceilings`). Two shapes of the read: one request
(``GET /v1/reviews/{id}?include=findings,evidence``) and the three requests it replaces (the
review, ``/findings?limit=200``, ``/evidence?limit=200``). The API is also measured on SQLite.

Creates and drops a scratch database on ``TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``). Writes ``bench/results/review_read.json``.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.httpbench import JwksServer, Operation, Server, expect, machine, measure, serve
from common.db import create_database
from common.db.migrations import upgrade
from common.testing.databases import temporary_postgres_database
from common.testing.nats import NatsServer
from contracts.reviews import EvidenceKind, FindingKind, ReviewState
from contracts.schedule import ReviewMode
from reviews.evidence.models import EvidenceItem
from reviews.finding.models import Finding, FindingEvidence
from reviews.focus.models import ReviewFocus
from reviews.review.models import Review, ReviewTeamMember, TeamRole

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "review_read.json"
REVIEWS = 200
EVIDENCE_PER_REVIEW = 30
FINDINGS_PER_REVIEW = 8
LINKS_PER_FINDING = 4
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


ONE = "?include=findings,evidence"
THREE = ("", "/findings?limit=200", "/evidence?limit=200")


def _one_request(ids: list[uuid.UUID], headers: dict[str, str]) -> Operation:
    async def op(session: aiohttp.ClientSession, i: int) -> None:
        async with session.get(f"/v1/reviews/{ids[(i * 7) % len(ids)]}{ONE}", headers=headers) as r:
            expect(r)
            await r.read()

    return op


def _three_requests(ids: list[uuid.UUID], headers: dict[str, str]) -> Operation:
    async def op(session: aiohttp.ClientSession, i: int) -> None:
        review_id = ids[(i * 7) % len(ids)]
        for suffix in THREE:
            async with session.get(f"/v1/reviews/{review_id}{suffix}", headers=headers) as r:
                expect(r)
                await r.read()

    return op


async def _both(server: Server, ids: list[uuid.UUID], headers: dict[str, str]) -> dict[str, Any]:
    return {
        "one_request": await measure(server, _one_request(ids, headers)),
        "three_requests": await measure(server, _three_requests(ids, headers), requests_per_op=3),
    }


def _api_env(database_url: str, nats_url: str, jwks: JwksServer) -> dict[str, str]:
    return {
        **jwks.env(),
        "REVIEWS_DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "REVIEWS_LOG_LEVEL": "INFO",
        "REVIEWS_MILESTONE_SWEEP_SECONDS": "0",
        "REVIEWS_CONSUMERS_ENABLED": "false",
    }


def _ratios(api: dict[str, Any], ceiling: dict[str, Any]) -> dict[str, float]:
    return {
        shape: round(api[shape]["max_ops_per_s"] / ceiling[shape]["max_ops_per_s"], 2)
        for shape in ("one_request", "three_requests")
    }


async def _prepare(url: str) -> list[uuid.UUID]:
    await asyncio.to_thread(upgrade, ROOT / "services/reviews/alembic.ini", url)
    return await _seed(url)


async def _run(folder: Path) -> dict[str, Any]:
    jwks = JwksServer(folder)
    nats = NatsServer.start(store_dir=folder / "nats")
    token = jwks.token(subject="bench", scopes=["reviews:read"], person_id=str(LEAD))
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, Any] = {}
    try:
        async with temporary_postgres_database("cf_bench") as url:
            ids = await _prepare(url)
            dsn = url.replace("postgresql+asyncpg://", "postgresql://")
            ceiling_env = {**jwks.env(), "BENCH_DSN": dsn}
            for target in ("bare", "fastapi"):
                with serve(target, ceiling_env, folder / f"{target}.log") as server:
                    results[f"ceiling_{target}_raw_sql"] = await _both(server, ids, headers)
            env = _api_env(url, nats.url, jwks)
            with serve("reviews", env, folder / "reviews.log") as server:
                results["api_postgres"] = await _both(server, ids, headers)
        sqlite_url = f"sqlite+aiosqlite:///{folder / 'reviews.db'}"
        ids = await _prepare(sqlite_url)
        with serve(
            "reviews", _api_env(sqlite_url, nats.url, jwks), folder / "sqlite.log"
        ) as server:
            results["api_sqlite"] = await _both(server, ids, headers)
    finally:
        nats.stop()
        jwks.stop()
    return results


def main() -> dict[str, Any]:
    started = machine()
    with tempfile.TemporaryDirectory() as folder:
        measured = asyncio.run(_run(Path(folder)))
    api = measured["api_postgres"]
    results = {
        "benchmark": "review read with team, findings and evidence: throughput through uvicorn",
        "data": {
            "reviews": REVIEWS,
            "evidence_per_review": EVIDENCE_PER_REVIEW,
            "findings_per_review": FINDINGS_PER_REVIEW,
            "evidence_links_per_finding": LINKS_PER_FINDING,
        },
        "method": {
            "server": "uvicorn, one process, service at INFO logging, no uvicorn access log",
            "client": "aiohttp in another process; 16 concurrent clients for the maximum, "
            "open loop at 70% of it for the latency (timed from the scheduled start)",
            "tokens": "ES256, verified through a local JWKS (cached after the first check)",
            "op": "one read: one request (include=) or three requests",
        },
        "machine_before": started,
        **measured,
        "api_over_bare": _ratios(api, measured["ceiling_bare_raw_sql"]),
        "api_over_fastapi_auth": _ratios(api, measured["ceiling_fastapi_raw_sql"]),
        "machine_after": machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
