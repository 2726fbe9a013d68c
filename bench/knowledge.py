"""The knowledge service on a county with ten years of reviews (``bench.knowledge_county``:
540 schools, 5,400 reports, about a million findings), on SQLite and PostgreSQL:

- *load*: every report and 90-day review through the handlers' own service functions
  (``knowledge.intake.review.service``, the code the consumer calls), many per transaction: the
  rollups are the ones the handlers keep;
- *dashboard*: the council's queries (``la`` 881) through the routes' service functions, p50 and
  p95 over repeated calls, each from the rollups: *cold*, right after an ingest changed the
  current year's rollups (its generation bumped and committed before every call: that year's
  decisions are recomputed in the request, earlier years' reused, as in the service); with
  the decision cache emptied before every call (every year recomputed, as after a restart);
  and as a dashboard sees them between reports (*warm*); against the *naive* way in the same
  run: the same figures by GROUP BY over the raw findings (joined to the theme tree), then the
  same suppression;
- *ingest*: a new year's reports (12 findings each, as real reviews have) published on a real
  NATS JetStream server and applied by the real consumer (``ConsumerRunner`` with the service's
  handler), in findings per second: three runs, three new years, the median reported with all
  three.

PostgreSQL: a scratch database on ``TEST_POSTGRES_URL`` (127.0.0.1:5432), dropped after; a
VACUUM ANALYZE after the load (untimed), so that autovacuum does not run beside the dashboard.
Writes ``bench/results/knowledge.json`` and prints it.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench import knowledge_county as county
from bench.knowledge_naive import naive_themes
from common.auth import Principal
from common.db import Database, create_database
from common.db.migrations import upgrade
from common.messaging import ConsumerRunner, ensure_stream
from common.messaging.envelope import CloudEvent
from common.testing.databases import postgres_reachable, temporary_postgres_database
from common.testing.nats import NatsServer
from contracts import directory, reviews
from contracts.events import TenancyPath
from knowledge.answers.disclosure import cache
from knowledge.answers.insight import service as insight_service
from knowledge.answers.measure import service as measure_service
from knowledge.config import KnowledgeSettings
from knowledge.db import InboxMessage
from knowledge.intake.review import service as review_service
from knowledge.intake.review.visibility import directory as directory_model
from knowledge.intake.rollup.repository import RollupRepository
from knowledge.main import consumers
from knowledge.models import IngestedFinding, InsightCell, ReviewCell

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "knowledge.json"
SETTINGS = KnowledgeSettings()
COUNCIL = Principal("bench", frozenset({"knowledge:read"}), la=(county.LA,))
LAST = county.YEARS[-1]
COLD_RUNS, WARM_RUNS, NAIVE_RUNS = 15, 60, 3
INGEST_YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(int(LAST[:4]) + 1, int(LAST[:4]) + 4)]
INGEST_FINDINGS = 12
COMMIT_EVERY = 25


async def _load(database: Database, c: county.County) -> dict[str, Any]:
    started = time.perf_counter()
    async with database.session() as session:
        for payload in county.directory_payloads(c):
            if isinstance(payload, directory.PartnershipPayload):
                await directory_model.apply_partnership(session, payload)
            elif isinstance(payload, directory.AgreementPayload):
                await directory_model.apply_agreement(session, payload)
            elif isinstance(payload, directory.SchoolPayload):
                await directory_model.apply_school(session, payload)
            else:
                assert isinstance(payload, directory.MembershipPayload)
                await directory_model.apply_membership(session, payload, joined=True)
        await session.commit()
        for n, (report, progress) in enumerate(county.review_payloads(c, county.YEARS), 1):
            await review_service.apply_report(session, report, SETTINGS)
            await review_service.apply_progress(session, progress)
            if n % COMMIT_EVERY == 0:
                await session.commit()
                session.expunge_all()
        await session.commit()
        counts = {
            name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("findings", IngestedFinding),
                ("review_cells", ReviewCell),
                ("rollup_cells", InsightCell),
            )
        }
    return {"seconds": round(time.perf_counter() - started, 1), **counts}


Query = Callable[[AsyncSession], Awaitable[Any]]

QUERIES: dict[str, Query] = {
    "themes: LA, one year": lambda s: insight_service.themes(
        s, COUNCIL, scope="la", scope_id=county.LA, year=LAST, theme=None, kind=None
    ),
    "trends: LA, ten years": lambda s: insight_service.trends(
        s,
        COUNCIL,
        scope="la",
        scope_id=county.LA,
        theme=None,
        kind=None,
        first=county.YEARS[0],
        last=LAST,
    ),
    "outcomes by action kind: LA, one year": lambda s: insight_service.outcomes(
        s, COUNCIL, scope="la", scope_id=county.LA, year=LAST, by="kind"
    ),
    "process: LA and its partnerships, one year": lambda s: measure_service.process_measures(
        s, COUNCIL, scope="la", scope_id=county.LA, year=LAST
    ),
}
NAIVE: dict[str, Callable[[AsyncSession], Awaitable[Any]]] = {
    "themes: LA, one year": lambda s: naive_themes(s, COUNCIL, [LAST]),
    "trends: LA, ten years": lambda s: naive_themes(s, COUNCIL, county.YEARS),
}


def _quantiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(p95, 2), "runs": len(ms)}


COLD, WARM, EMPTIED = "cold", "warm", "emptied"


async def _ingested(database: Database) -> None:
    """What an ingest does to the decisions: the current year's generation bumped, committed
    (its decisions are recomputed; earlier years' are kept, their rollups unchanged)."""
    async with database.session() as session:
        await RollupRepository(session).bump([LAST])
        await session.commit()


async def _time(database: Database, query: Query, runs: int, *, mode: str) -> dict[str, float]:
    seconds = []
    if mode in (WARM, COLD):  # the dashboard was open before: its first view decided
        async with database.session() as session:
            await query(session)
    for _ in range(runs):
        if mode == COLD:
            await _ingested(database)
        elif mode == EMPTIED:
            cache._caches.clear()
        async with database.session() as session:
            started = time.perf_counter()
            await query(session)
            seconds.append(time.perf_counter() - started)
    return _quantiles(seconds)


async def _dashboard(database: Database) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for query in QUERIES.values():  # connections opened and statements prepared, untimed
        async with database.session() as session:
            await query(session)
    for name, query in QUERIES.items():
        cold = await _time(database, query, COLD_RUNS, mode=COLD)
        emptied = await _time(database, query, COLD_RUNS, mode=EMPTIED)
        warm = await _time(database, query, WARM_RUNS, mode=WARM)
        entry: dict[str, Any] = {
            "rollups_cold": cold,
            "rollups_cache_emptied": emptied,
            "rollups_warm": warm,
        }
        if name in NAIVE:
            naive = await _time(database, NAIVE[name], NAIVE_RUNS, mode=EMPTIED)
            async with database.session() as session:
                same = await NAIVE[name](session) == await _decided_figures(session, name)
            entry |= {
                "naive_group_by": naive,
                "same_figures_as_naive": same,
                "speedup_cold_p95": round(naive["p95_ms"] / cold["p95_ms"], 1),
                "speedup_cache_emptied_p95": round(naive["p95_ms"] / emptied["p95_ms"], 1),
                "speedup_warm_p95": round(naive["p95_ms"] / warm["p95_ms"], 1),
            }
        results[name] = entry
    return results


async def _decided_figures(session: AsyncSession, name: str) -> Any:
    years = [LAST] if name.startswith("themes") else county.YEARS
    return await naive_themes(session, COUNCIL, years, from_rollups=True)


async def _ingest(database: Database, c: county.County, folder: Path) -> dict[str, Any]:
    """Three runs, each a new year's reports (the median is the figure: on a shared 2-core
    machine one run can be a fifth off the next)."""
    runs = []
    for n, year in enumerate(INGEST_YEARS, 1):
        runs.append(await _ingest_year(database, c, folder / f"nats-{n}", year, offset=n * 10**6))
    median = sorted(runs, key=lambda run: run["findings_per_second"])[len(runs) // 2]
    return {**median, "runs": runs}


async def _applied(database: Database) -> int:
    async with database.read_sessions() as session:  # a read: no SQLite write lock
        return int(
            await session.scalar(
                select(func.count())
                .select_from(InboxMessage)
                .where(
                    InboxMessage.consumer == "knowledge-reviews",
                    InboxMessage.status == "applied",
                )
            )
            or 0
        )


async def _ingest_year(
    database: Database, c: county.County, store: Path, year: str, *, offset: int
) -> dict[str, Any]:
    """Publish a new year's reports, then let the real consumer apply them all."""
    before = await _applied(database)
    server = NatsServer.start(store_dir=store)
    try:
        import nats

        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await ensure_stream(js, "REVIEWS", ["reviews.>"])
        events = []
        pairs = county.review_payloads(c, [year], findings=INGEST_FINDINGS, offset=offset)
        for report, _ in pairs:
            event = CloudEvent(
                source="/reviews",
                type=reviews.REPORT_PUBLISHED.type,
                subject=f"reviews/{report.review_id}",
                data=report.model_dump(mode="json"),
                partitionkey=f"review:{report.review_id}",
            )
            subject = reviews.REPORT_PUBLISHED.subject(
                TenancyPath(report.la_code, str(report.partnership_id), report.urn)
            )
            await js.publish(subject, event.to_bytes(), headers={"Nats-Msg-Id": event.id})
            events.append(event)
        spec = next(s for s in consumers(SETTINGS) if s.durable == "knowledge-reviews")
        runner = ConsumerRunner(  # as ServiceRuntime builds it
            database,
            InboxMessage,
            js,
            stream=spec.stream,
            durable=spec.durable,
            filter_subjects=list(spec.filter_subjects),
            handler=spec.handler,
            max_deliver=spec.max_deliver,
            backoff=list(spec.backoff),
            transaction_batch=spec.transaction_batch,
        )
        started = time.perf_counter()
        task = asyncio.create_task(runner.run())
        while True:  # polled from the database: what the consumer committed is what counts
            if await _applied(database) >= before + len(events):
                break
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        await runner.stop()
        task.cancel()
        await nc.close()
    finally:
        server.stop()
    findings = len(events) * INGEST_FINDINGS
    return {
        "year": year,
        "messages": len(events),
        "findings": findings,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(len(events) / elapsed),
        "findings_per_second": round(findings / elapsed),
    }


async def _settled(database: Database) -> None:
    """After the bulk load, untimed, what a live database would have done by itself since, so
    that it does not run beside the measurements (on 2 cores): PostgreSQL, VACUUM ANALYZE (as
    autovacuum); SQLite, a checkpoint that empties the write-ahead log (as the automatic ones;
    after a load of 5,400 reports the log holds pages that every read would look up there)."""
    if database.engine.dialect.name != "postgresql":
        async with database.engine.connect() as conn:  # outside a transaction: the driver's
            raw = await conn.get_raw_connection()  # own connection, before any BEGIN
            await raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        return
    async with database.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE")


async def _backend(url: str, folder: Path) -> dict[str, Any]:
    await asyncio.to_thread(upgrade, ROOT / "services/knowledge/alembic.ini", url)
    database = create_database(url)
    try:
        c = county.county()
        load = await _load(database, c)
        await _settled(database)
        dashboard = await _dashboard(database)
        ingest = await _ingest(database, c, folder)
    finally:
        await database.dispose()
    return {"load": load, "dashboard": dashboard, "ingest": ingest}


@asynccontextmanager
async def _sqlite(folder: Path) -> Any:
    yield f"sqlite+aiosqlite:///{folder / 'knowledge.db'}"


async def run(backends: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {
        "benchmark": "knowledge: a county's ten years of reviews",
        "county": {
            "partnerships": county.PARTNERSHIPS,
            "schools": county.PARTNERSHIPS * county.SCHOOLS_PER_PARTNERSHIP,
            "years": len(county.YEARS),
            "findings_per_report": county.FINDINGS_PER_REVIEW,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": list(os.getloadavg()),
        },
    }
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix=f"bench-knowledge-{backend}-") as tmp:
            folder = Path(tmp)
            database: AbstractAsyncContextManager[str]
            if backend == "postgresql":
                if not await postgres_reachable():
                    results[backend] = {"skipped": "PostgreSQL not reachable"}
                    continue
                database = temporary_postgres_database(prefix="cf_bench_knowledge")
            else:
                database = _sqlite(folder)
            async with database as url:
                results[backend] = await _backend(url, folder)
        _write(results)  # each backend's figures as soon as they are in
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    return results


def _write(results: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def main(backends: list[str] | None = None) -> dict[str, Any]:
    results = asyncio.run(run(backends or ["sqlite", "postgresql"]))
    _write(results)
    print(json.dumps(results, indent=2))
    return results
