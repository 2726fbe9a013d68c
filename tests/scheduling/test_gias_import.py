"""The GIAS import through the API: rejected rows, academy conversions, re-imports that emit
events only for what changed, the job's lifecycle (progress, cancel, a dead process)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bench.gias_extract import (
    ESTABLISHMENT_COLUMNS,
    GROUP_COLUMNS,
    LINK_COLUMNS,
    changed,
    establishment,
    national_establishments,
    to_cp1252,
)
from common.clock import utcnow
from common.db import create_database
from common.testing.apps import eventually, migrate, running_app
from common.testing.metrics import local_sample
from scheduling.config import SchedulingSettings
from scheduling.db import OutboxMessage
from scheduling.directory.gias.models import FileKind, ImportJob, JobStatus
from scheduling.main import create_app
from tests.support import TokenFactory, alembic_ini, assert_problem, bearer

Files = dict[str, tuple[str, bytes]]


@pytest.fixture
async def small_batches(
    scheduling_settings: SchedulingSettings,
) -> AsyncIterator[httpx.AsyncClient]:
    """The service with 50-row batches, so a job of a few thousand rows takes many steps."""
    settings = scheduling_settings.model_copy(update={"import_batch_size": 50})
    await migrate(alembic_ini("scheduling"), settings.database_url)
    async with running_app(create_app(settings)) as client:
        yield client


def _national(issue_token: TokenFactory) -> dict[str, str]:
    return bearer(issue_token("directory:read", "directory:write", "imports:admin"))


async def _import(
    client: httpx.AsyncClient, headers: dict[str, str], files: Files
) -> dict[str, Any]:
    started = await client.post("/v1/imports", files=files, headers=headers)
    assert started.status_code == 202, started.text
    location = started.headers["location"]
    assert location == f"/v1/imports/{started.json()['id']}"
    job: dict[str, Any] = {}

    async def finished() -> bool:
        nonlocal job
        job = (await client.get(location, headers=headers)).json()
        return job["status"] in {"succeeded", "failed", "cancelled"}

    await eventually(finished, within=60)
    return job


async def _outbox(database_url: str) -> list[str]:
    database = create_database(database_url)
    try:
        async with database.session() as session:
            rows = await session.scalars(
                select(OutboxMessage.nats_subject).order_by(OutboxMessage.id)
            )
            return list(rows)
    finally:
        await database.dispose()


async def _school_payloads(database_url: str, urn: int) -> list[dict[str, Any]]:
    """The school's events in the outbox, oldest first (their CloudEvent ``data``)."""
    database = create_database(database_url)
    try:
        async with database.session() as session:
            rows = await session.scalars(
                select(OutboxMessage.payload)
                .where(OutboxMessage.nats_subject.like(f"scheduling.school.%.{urn}"))
                .order_by(OutboxMessage.id)
            )
            return [json.loads(row)["data"] for row in rows]
    finally:
        await database.dispose()


async def test_a_bad_row_is_reported_with_its_line_and_the_rest_imported(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    rows = [
        establishment(115000),
        establishment(115001, URN="11500X"),  # line 3
        establishment(115002, **{"LA (code)": "ABC"}),  # line 4
        establishment(115003, OpenDate="1974-09-01"),  # line 5
        establishment(115004, Easting="north"),  # line 6
        establishment(115005, EstablishmentName="\u00c9cole St Mary\u2019s"),
    ]
    finished = {"name": "cf_job_duration_seconds_count", "kind": "gias_import"}
    before = local_sample(**finished, status="succeeded")
    job = await _import(
        client,
        _national(issue_token),
        {"establishments": ("edubasealldata20261120.csv", to_cp1252(ESTABLISHMENT_COLUMNS, rows))},
    )
    assert job["status"] == "succeeded", job
    assert local_sample(**finished, status="succeeded") == before + 1  # the job's duration
    assert job["progress"] == 100
    assert job["counts"] == {
        "rows": 6, "created": 2, "updated": 0, "unchanged": 0, "rejected": 4, "skipped": 0
    }  # fmt: skip
    assert [(r["line"], r["key"]) for r in job["rejections"]] == [
        (3, "11500X"),
        (4, "115002"),
        (5, "115003"),
        (6, "115004"),
    ]
    assert "LA (code) 'ABC'" in job["rejections"][1]["reason"]
    reader = bearer(issue_token("directory:read", la=["881"]))
    school = (await client.get("/v1/schools/115005", headers=reader)).json()
    assert school["name"] == "\u00c9cole St Mary\u2019s"
    assert school["open_date"] == "1974-09-01"
    assert (await client.get("/v1/schools/115003", headers=reader)).status_code == 404


async def test_a_nul_in_a_cell_rejects_its_row_on_both_databases(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    """PostgreSQL cannot store a NUL and SQLite would: both reject the row, naming the column,
    and import the rest; a NUL in a column the import never reads changes nothing."""
    rows = [
        establishment(115000, EstablishmentName="Chelmer\x00Valley Primary"),  # line 2
        establishment(115001, Postcode="CM1\x002AB"),  # line 3
        establishment(115002, **{"Street": "High\x00Street"}),  # a column not read
    ]
    job = await _import(
        client,
        _national(issue_token),
        {"establishments": ("edubasealldata20261120.csv", to_cp1252(ESTABLISHMENT_COLUMNS, rows))},
    )
    assert job["status"] == "succeeded", job
    assert job["counts"]["created"] == 1
    assert job["counts"]["rejected"] == 2
    reasons = {r["line"]: r["reason"] for r in job["rejections"]}
    assert "EstablishmentName contains the NUL character" in reasons[2]
    assert "Postcode contains the NUL character" in reasons[3]
    reader = bearer(issue_token("directory:read", la=["881"]))
    assert (await client.get("/v1/schools/115000", headers=reader)).status_code == 404
    assert (await client.get("/v1/schools/115002", headers=reader)).status_code == 200


async def test_an_academy_conversion_keeps_its_history_both_ways(
    client: httpx.AsyncClient, issue_token: TokenFactory, database_url: str
) -> None:
    schools = [
        establishment(
            115000,
            EstablishmentName="Chelmer Valley Primary School",
            **{"EstablishmentStatus (name)": "Closed", "CloseDate": "31-08-2013"},
        ),
        establishment(
            140000,
            EstablishmentName="Chelmer Valley Primary Academy",
            **{
                "TypeOfEstablishment (name)": "Academy converter",
                "OpenDate": "01-09-2013",
                "Trusts (code)": "16234",
            },
        ),
    ]
    groups = [
        {"Group UID": "16234", "Group Name": "Chelmer Learning Trust",
         "Group Type": "Multi-academy trust", "Group Status": "Open",
         "Companies House Number": "07654321", "Open date": "01-04-2012"},
        {"Group UID": "2001", "Group Name": "A Federation", "Group Type": "Federation",
         "Group Status": "Open"},
    ]  # fmt: skip
    # GIAS states the link from the academy's side only here; it must read both ways.
    links = [
        {"URN": 140000, "LinkURN": 115000, "LinkName": "Chelmer Valley Primary School",
         "LinkType": "Predecessor", "LinkEstablishedDate": "01-09-2013"},
    ]  # fmt: skip
    job = await _import(
        client,
        bearer(issue_token("directory:write", la=["881"])),
        {
            "establishments": (
                "edubasealldata20261120.csv",
                to_cp1252(ESTABLISHMENT_COLUMNS, schools),
            ),
            "groups": ("allgroupsdata.csv", to_cp1252(GROUP_COLUMNS, groups)),
            "links": ("links_edubasealldata20261120.csv", to_cp1252(LINK_COLUMNS, links)),
        },
    )
    assert job["status"] == "succeeded", job
    by_kind = {f["kind"]: f["counts"] for f in job["files"]}
    assert (by_kind["groups"]["created"], by_kind["groups"]["skipped"]) == (1, 1)
    assert by_kind["links"]["created"] == 1
    reader = bearer(issue_token("directory:read", la=["881"]))
    old = (await client.get("/v1/schools/115000/links", headers=reader)).json()
    new = (await client.get("/v1/schools/140000/links", headers=reader)).json()
    assert (old["predecessor_urns"], old["successor_urns"]) == ([], [140000])
    assert (new["predecessor_urns"], new["successor_urns"]) == ([115000], [])
    assert new["links"][0]["established_on"] == "2013-09-01"
    closed = (await client.get("/v1/schools/115000", headers=reader)).json()
    assert (closed["status"], closed["close_date"]) == ("closed", "2013-08-31")
    trust = await client.get("/v1/trusts/16234", headers=reader)
    assert trust.status_code == 200
    assert trust.json()["group_type"] == "Multi-academy trust"
    assert trust.headers["etag"] == '"1"'
    listed = (await client.get("/v1/trusts", headers=reader)).json()["data"]
    assert [t["uid"] for t in listed] == ["16234"]
    by_trust = bearer(issue_token("directory:read", trusts=["16234"]))
    assert (await client.get("/v1/trusts/16234", headers=by_trust)).status_code == 200
    elsewhere = bearer(issue_token("directory:read", la=["882"]))
    assert_problem(await client.get("/v1/trusts/16234", headers=elsewhere), 404)
    assert (await client.get("/v1/trusts", headers=elsewhere)).json()["data"] == []
    # The establishments row named no trust; the groups file did: the academy's next event
    # carries its trust's name (the read models name trusts from school events).
    academy = await _school_payloads(database_url, 140000)
    assert [(p["version"], p["trust_uid"], p["trust_name"]) for p in academy] == [
        (1, "16234", None),
        (2, "16234", "Chelmer Learning Trust"),
    ]
    assert [p["trust_name"] for p in await _school_payloads(database_url, 115000)] == [None]


async def test_a_school_put_by_hand_carries_its_trusts_name(
    client: httpx.AsyncClient, issue_token: TokenFactory, database_url: str
) -> None:
    groups = [
        {"Group UID": "16234", "Group Name": "Chelmer Learning Trust",
         "Group Type": "Multi-academy trust", "Group Status": "Open"},
    ]  # fmt: skip
    job = await _import(
        client, _national(issue_token), {"groups": ("g.csv", to_cp1252(GROUP_COLUMNS, groups))}
    )
    assert job["status"] == "succeeded", job
    writer = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    body = {"name": "Chelmer Academy", "phase": "primary", "la_code": "881", "status": "open"}
    created = await client.put(
        "/v1/schools/140001", json={**body, "trust_uid": "16234"}, headers=writer
    )
    assert created.status_code == 201, created.text
    left = await client.put(
        "/v1/schools/140001", json=body, headers={**writer, "If-Match": created.headers["etag"]}
    )
    assert left.status_code == 200, left.text
    payloads = await _school_payloads(database_url, 140001)
    assert [(p["trust_uid"], p["trust_name"]) for p in payloads] == [
        ("16234", "Chelmer Learning Trust"),
        (None, None),
    ]


async def test_a_reimport_emits_events_only_for_changed_schools(
    client: httpx.AsyncClient, issue_token: TokenFactory, database_url: str
) -> None:
    headers = _national(issue_token)
    first = national_establishments(300)
    job = await _import(client, headers, {"establishments": ("e.csv", first)})
    assert job["counts"]["created"] == 300
    assert len(await _outbox(database_url)) == 300
    again = await _import(client, headers, {"establishments": ("e.csv", changed(first, 100))})
    assert again["counts"] == {
        "rows": 300, "created": 0, "updated": 3, "unchanged": 297, "rejected": 0, "skipped": 0
    }  # fmt: skip
    subjects = await _outbox(database_url)
    assert len(subjects) == 303
    assert sorted(s.split(".")[2] for s in subjects[300:]) == ["updated"] * 3
    assert {s.rsplit(".", 1)[1] for s in subjects[300:]} == {"100000", "100100", "100200"}
    reader = bearer(issue_token("directory:read", la=["881"]))
    renamed = (await client.get("/v1/schools/100100", headers=reader)).json()
    assert "Renamed" in renamed["name"]
    assert renamed["version"] == 2
    unchanged = await _import(client, headers, {"establishments": ("e.csv", changed(first, 100))})
    assert unchanged["counts"]["unchanged"] == 300
    assert len(await _outbox(database_url)) == 303


async def test_an_la_token_imports_only_its_own_las_rows(
    client: httpx.AsyncClient, issue_token: TokenFactory, database_url: str
) -> None:
    rows = [establishment(115000), establishment(115001, **{"LA (code)": "882"})]
    job = await _import(
        client,
        bearer(issue_token("directory:write", la=["881"])),
        {"establishments": ("e.csv", to_cp1252(ESTABLISHMENT_COLUMNS, rows))},
    )
    assert (job["counts"]["created"], job["counts"]["skipped"]) == (1, 1)
    assert (job["national"], job["la_codes"]) == (False, ["881"])
    assert len(await _outbox(database_url)) == 1
    # The national job and another LA's job are not this LA's to see.
    national = await _import(
        client,
        _national(issue_token),
        {"establishments": ("e.csv", to_cp1252(ESTABLISHMENT_COLUMNS, rows))},
    )
    la_reader = bearer(issue_token("directory:write", la=["881"]))
    assert_problem(await client.get(f"/v1/imports/{national['id']}", headers=la_reader), 404)
    no_tenancy = bearer(issue_token("directory:write"))
    assert_problem(
        await client.post(
            "/v1/imports",
            files={"establishments": ("e.csv", b"URN\r\n")},
            headers=no_tenancy,
        ),
        403,
    )


async def test_job_progress_and_cancel(
    small_batches: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    client = small_batches
    headers = _national(issue_token)
    data = national_establishments(20_000)  # 400 batches: far more than one request's time
    started = await client.post(
        "/v1/imports", files={"establishments": ("e.csv", data)}, headers=headers
    )
    assert started.status_code == 202
    job_path = started.headers["location"]
    cancelled = await client.delete(job_path, headers=headers)
    assert cancelled.status_code == 202, cancelled.text
    job: dict[str, Any] = {}

    async def stopped() -> bool:
        nonlocal job
        job = (await client.get(job_path, headers=headers)).json()
        return bool(job["status"] == "cancelled")

    await eventually(stopped)
    assert job["reason"]
    assert job["counts"]["created"] < 20_000
    assert 0 <= job["progress"] < 100
    assert_problem(await client.delete(job_path, headers=headers), 409)

    small = national_establishments(500)
    done = await _import(client, headers, {"establishments": ("e.csv", small)})
    assert done["status"] == "succeeded"
    assert done["progress"] == 100
    assert done["counts"]["rows"] == 500


async def test_a_job_left_running_by_a_dead_process_is_failed(
    scheduling_settings: SchedulingSettings, issue_token: TokenFactory
) -> None:
    await migrate(alembic_ini("scheduling"), scheduling_settings.database_url)
    database = create_database(scheduling_settings.database_url)
    async with database.session() as session:
        job = ImportJob(
            status=JobStatus.RUNNING,
            created_by="someone",
            national=True,
            la_codes=[],
            files=[
                {
                    "kind": FileKind.ESTABLISHMENTS.value,
                    "filename": "e.csv",
                    "path": "/nowhere",
                    "size": 10,
                }
            ],
            counts={
                "establishments": dict.fromkeys(
                    ("rows", "created", "updated", "unchanged", "rejected", "skipped"), 0
                )
            },
            progress=40,
            cancel_requested=False,
            heartbeat_at=utcnow() - timedelta(minutes=10),
        )
        session.add(job)
        await session.commit()
        job_id = job.id
    async with running_app(create_app(scheduling_settings)) as client:
        shown = (await client.get(f"/v1/imports/{job_id}", headers=_national(issue_token))).json()
    async with database.session() as session:
        stored = await session.scalar(
            select(func.count()).select_from(ImportJob).where(ImportJob.status == JobStatus.FAILED)
        )
    await database.dispose()
    assert shown["status"] == "failed"
    assert "stopped" in shown["reason"]
    assert stored == 1


async def test_the_upload_limit_is_larger_for_imports_only(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    headers = _national(issue_token)
    big = national_establishments(5000)  # about 2 MB, over the 1 MiB limit of other routes
    assert len(big) > 1_048_576
    started = await client.post(
        "/v1/imports", files={"establishments": ("e.csv", big)}, headers=headers
    )
    assert started.status_code == 202, started.text
    too_big = await client.put(
        "/v1/schools/115000",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert_problem(too_big, 413)
    location = started.headers["location"]
    await client.delete(location, headers=headers)

    async def ended() -> bool:  # the job ends before the app stops (stopping mid-batch is apart)
        job = (await client.get(location, headers=headers)).json()
        return job["status"] in {"succeeded", "failed", "cancelled"}

    await eventually(ended, within=120)


async def test_an_upload_without_gias_files_is_422(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    headers = _national(issue_token)
    assert_problem(await client.post("/v1/imports", headers=headers), 422)
    unknown = await client.post(
        "/v1/imports", files={"schools": ("s.csv", b"URN\r\n")}, headers=headers
    )
    assert assert_problem(unknown, 422)["errors"] == [
        {"field": "schools", "message": "not a GIAS file field"}
    ]
    not_a_file = await client.post("/v1/imports", data={"links": "text"}, headers=headers)
    assert_problem(not_a_file, 422)


async def test_a_file_mixing_encodings_is_refused_before_any_row(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    utf8 = to_cp1252(ESTABLISHMENT_COLUMNS, [establishment(115100, EstablishmentName="Prep\u00e9")])
    utf8 = utf8.decode("cp1252").encode("utf-8-sig")
    mixed = utf8 + to_cp1252(ESTABLISHMENT_COLUMNS, [establishment(115101, Town="P\u00caCHEUR")])
    headers = _national(issue_token)
    job = await _import(client, headers, {"establishments": ("edubasealldata.csv", mixed)})
    assert job["status"] == "failed", job
    assert "mixes UTF-8" in job["reason"]
    assert "Windows-1252 (line 4)" in job["reason"]
    assert job["counts"]["rows"] == 0
    reader = bearer(issue_token("directory:read", la=["881"]))
    assert (await client.get("/v1/schools/115100", headers=reader)).status_code == 404
    # The same file saved whole as UTF-8 with a BOM imports, names intact.
    job = await _import(client, headers, {"establishments": ("edubasealldata.csv", utf8)})
    assert job["status"] == "succeeded", job
    school = (await client.get("/v1/schools/115100", headers=reader)).json()
    assert school["name"] == "Prep\u00e9"
