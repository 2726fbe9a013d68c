"""The national GIAS import on SQLite: 50,000 schools, all new (with their 50,000 outbox rows),
then a re-import with 1% changed; against baselines measured in the same run:

- ``parse``: only reading the extract with the csv module (cp1252), the floor for any import;
- ``naive``: one ORM transaction per row (the school and its outbox row), on a 2,000-row
  sample, extrapolated to the whole extract.

Writes ``bench/results/gias.json`` and prints it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import platform
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.gias_extract import changed, national_establishments
from common.auth import Principal
from common.db import Database, create_database
from common.db.migrations import upgrade
from common.messaging import bind_outbox
from contracts.directory import SCHOOL_REGISTERED, SchoolPayload
from contracts.events import TenancyPath
from scheduling.db import OutboxMessage
from scheduling.directory.gias import parsing, service
from scheduling.directory.gias.models import FileKind, ImportJob, JobStatus
from scheduling.directory.school.models import School
from scheduling.events import publish

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "gias.json"
ROWS = 50_000
NAIVE_SAMPLE = 2_000
CHANGED_EVERY = 100  # 1%
NATIONAL = Principal(subject="bench", scopes=frozenset({"directory:write", service.NATIONAL_SCOPE}))


async def _database(folder: Path, name: str) -> Database:
    url = f"sqlite+aiosqlite:///{folder / name}"
    await asyncio.to_thread(upgrade, ROOT / "services/scheduling/alembic.ini", url)
    database = create_database(url)
    bind_outbox(database, OutboxMessage)
    return database


def _parse_only(data: bytes) -> float:
    started = time.perf_counter()
    text = io.TextIOWrapper(io.BytesIO(data), encoding="cp1252", newline="")
    rows = sum(1 for _ in csv.reader(text))
    assert rows == ROWS + 1
    return time.perf_counter() - started


async def _import(database: Database, data: bytes, folder: Path) -> tuple[float, dict[str, int]]:
    async with database.session() as session:
        job = await service.start_import(
            session,
            NATIONAL,
            [service.Upload(FileKind.ESTABLISHMENTS, "edubasealldata.csv", io.BytesIO(data))],
            import_dir=folder / "imports",
        )
    started = time.perf_counter()
    status = await service.run_import(database.sessions, job.id)
    elapsed = time.perf_counter() - started
    async with database.session() as session:
        finished = await session.get(ImportJob, job.id)
        assert finished is not None
        assert status is JobStatus.SUCCEEDED, finished.reason
        counts = service.totals(finished.counts)
    service.discard_files(finished.files)
    return elapsed, counts


async def _naive(database: Database, data: bytes) -> float:
    """One transaction per row through the ORM: the obvious way, on a sample."""
    rows = parsing.read_rows(io.BytesIO(data), parsing.ESTABLISHMENTS)
    started = time.perf_counter()
    for _, row in zip(range(NAIVE_SAMPLE), rows, strict=False):
        values = parsing.parse_establishment(row, parsing.parse_la(row))
        async with database.session() as session:
            school = School(**values)
            session.add(school)
            await session.flush()
            publish(
                session,
                SCHOOL_REGISTERED,
                SchoolPayload.model_validate(school, from_attributes=True),
                tenancy=TenancyPath(la=school.la_code, urn=school.urn),
                subject=f"schools/{school.urn}",
                partition_key=f"school:{school.urn}",
            )
            await session.commit()
    return (time.perf_counter() - started) * ROWS / NAIVE_SAMPLE


async def _outbox_rows(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def run() -> dict[str, Any]:
    data = national_establishments(ROWS)
    reimport = changed(data, CHANGED_EVERY)
    with tempfile.TemporaryDirectory(prefix="bench-gias-") as tmp:
        folder = Path(tmp)
        parse_seconds = _parse_only(data)
        naive_db = await _database(folder, "naive.db")
        try:
            naive_seconds = await _naive(naive_db, data)
        finally:
            await naive_db.dispose()
        database = await _database(folder, "scheduling.db")
        try:
            first_seconds, first_counts = await _import(database, data, folder)
            outbox_first = await _outbox_rows(database)
            again_seconds, again_counts = await _import(database, reimport, folder)
            outbox_again = await _outbox_rows(database) - outbox_first
        finally:
            await database.dispose()
    return {
        "benchmark": "gias national import (SQLite)",
        "rows": ROWS,
        "file_bytes": len(data),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
        },
        "baselines": {
            "parse_seconds": round(parse_seconds, 3),
            "naive_orm_seconds_extrapolated": round(naive_seconds, 2),
            "naive_sample_rows": NAIVE_SAMPLE,
        },
        "first_import": {
            "seconds": round(first_seconds, 2),
            "rows_per_second": round(ROWS / first_seconds),
            "counts": first_counts,
            "outbox_rows": outbox_first,
            "x_parse": round(first_seconds / parse_seconds, 1),
            "speedup_vs_naive": round(naive_seconds / first_seconds, 1),
        },
        "reimport_1pct_changed": {
            "seconds": round(again_seconds, 2),
            "rows_per_second": round(ROWS / again_seconds),
            "counts": again_counts,
            "outbox_rows": outbox_again,
            "x_parse": round(again_seconds / parse_seconds, 1),
            "speedup_vs_naive": round(naive_seconds / again_seconds, 1),
        },
        "limit_seconds": 60,
    }


def main() -> dict[str, Any]:
    results = asyncio.run(run())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results
