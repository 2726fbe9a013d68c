"""GIAS import use cases: start a job, read it, cancel it, and run it (the background work).

The job runs in batches of ``batch_size`` rows, one transaction each: the batch's existing rows
are loaded in one query, diffed in Python, and written with Core executemany; every new or
changed school gets its ``scheduling.school.registered``/``updated`` outbox row in the same
transaction. Unchanged rows cost nothing and emit nothing, so a re-import is cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, String, cast, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.auth import Principal
from common.clock import utcnow
from common.http.pagination import AfterParams, PageParams, paginate_after
from common.http.problems import ProblemError, conflict, forbidden, not_found
from common.ids import new_id
from common.logging import get_logger
from contracts.directory import SCHOOL_REGISTERED, SCHOOL_UPDATED, SchoolPayload
from contracts.events import TenancyPath
from scheduling.directory.gias import parsing
from scheduling.directory.gias.models import (
    FINISHED,
    FileKind,
    ImportJob,
    ImportRejection,
    JobStatus,
)
from scheduling.directory.gias.repository import (
    LINK_FIELDS,
    SCHOOL_FIELDS,
    TRUST_FIELDS,
    DirectoryBulk,
    ImportJobRepository,
)
from scheduling.events import Outgoing, publish_many

log = get_logger(__name__)

NATIONAL_SCOPE = "imports:admin"
MAX_STORED_REJECTIONS = 1000
SHOWN_REJECTIONS = 200
COUNT_NAMES = ("rows", "created", "updated", "unchanged", "rejected", "skipped")


@dataclass(frozen=True)
class Upload:
    kind: FileKind
    filename: str
    source: IO[bytes]


class CancelledByUser(Exception):  # noqa: N818 - a signal, not an error
    pass


def job_visible(principal: Principal) -> ColumnElement[bool]:
    """National jobs are seen by imports:admin tokens; an LA job by tokens of one of its LAs
    (checked in Python after loading: the LA list is JSON)."""
    if principal.has_scope(NATIONAL_SCOPE):
        return true()
    return ImportJob.national.is_(False) if principal.la else false()


def _covering(principal: Principal) -> ColumnElement[bool]:
    """``_covers`` in SQL: the LA list is JSON, and a quoted LA code is found in its text."""
    if principal.has_scope(NATIONAL_SCOPE):
        return true()
    text = cast(ImportJob.la_codes, String)
    return or_(false(), *(text.contains(f'"{la}"') for la in principal.la))


async def list_imports(
    session: AsyncSession, principal: Principal, params: PageParams, after: AfterParams
) -> tuple[Sequence[ImportJob], str | None]:
    """The import jobs the caller may see, newest first; after ``after``, oldest first."""
    statement = select(ImportJob).where(job_visible(principal), _covering(principal))
    order = (ImportJob.created_at, ImportJob.id)
    return await paginate_after(
        session,
        statement,
        after=after,
        id_=ImportJob.id,
        order_by=order,
        params=params,
        descending=True,
    )


def _covers(principal: Principal, job: ImportJob) -> bool:
    return principal.has_scope(NATIONAL_SCOPE) or bool(set(job.la_codes) & set(principal.la))


async def start_import(
    session: AsyncSession,
    principal: Principal,
    uploads: Sequence[Upload],
    *,
    import_dir: Path,
) -> ImportJob:
    """Keep the uploaded files and queue a job. A national import needs ``imports:admin``;
    otherwise the job covers the token's LAs and skips the rows of any other LA."""
    national = principal.has_scope(NATIONAL_SCOPE)
    if not national and not principal.la:
        raise forbidden(f"Importing needs an LA token or the {NATIONAL_SCOPE} scope.")
    kinds = [u.kind for u in uploads]
    if not uploads or len(set(kinds)) != len(kinds):
        raise ProblemError(
            422, "Unprocessable Content", detail="Upload each GIAS file at most once."
        )
    job_id = new_id()
    folder = import_dir / str(job_id)
    files = []
    for upload in sorted(uploads, key=lambda u: list(FileKind).index(u.kind)):
        path = folder / f"{upload.kind.value}.csv"
        size = await asyncio.to_thread(_save, upload.source, path)
        files.append(
            {
                "kind": upload.kind.value,
                "filename": upload.filename,
                "path": str(path),
                "size": size,
            }
        )
    now = utcnow()
    job = ImportJob(
        id=job_id,
        status=JobStatus.QUEUED,
        created_by=principal.subject,
        national=national,
        la_codes=[] if national else sorted(principal.la),
        files=files,
        counts={f["kind"]: dict.fromkeys(COUNT_NAMES, 0) for f in files},
        progress=0,
        cancel_requested=False,
        heartbeat_at=now,
    )
    session.add(job)
    await session.commit()
    return job


def _save(source: IO[bytes], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    source.seek(0)
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, length=1024 * 1024)
        return target.tell()


async def get_import(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID, *, stale_after: float
) -> tuple[ImportJob, Sequence[ImportRejection]]:
    repository = ImportJobRepository(session)
    job = await repository.get_visible(job_id, job_visible(principal))
    if job is None or not _covers(principal, job):
        raise not_found(f"No import {job_id}.")
    if job.status not in FINISHED and _is_stale(job, stale_after):
        _finish(job, JobStatus.FAILED, "The service running this import stopped.")
        await session.commit()
    return job, await repository.rejections(job_id, SHOWN_REJECTIONS)


async def cancel_import(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID
) -> ImportJob:
    """Ask the job to stop after its current batch (rows already committed stay); a job still
    queued is cancelled at once."""
    job = await ImportJobRepository(session).get_visible(job_id, job_visible(principal))
    if job is None or not _covers(principal, job):
        raise not_found(f"No import {job_id}.")
    if job.status in FINISHED:
        raise conflict(f"The import has already {job.status.value}.", type_="import-finished")
    job.cancel_requested = True
    if job.status is JobStatus.QUEUED:
        _finish(job, JobStatus.CANCELLED, "Cancelled before it started.")
    await session.commit()
    return job


async def fail_stale_imports(session: AsyncSession, *, stale_after: float) -> int:
    """At start-up: jobs whose process stopped mid-way (no heartbeat for ``stale_after``
    seconds) are failed with a reason."""
    before = utcnow() - timedelta(seconds=stale_after)
    jobs = await ImportJobRepository(session).stale(before)
    for job in jobs:
        _finish(job, JobStatus.FAILED, "The service running this import stopped.")
    await session.commit()
    return len(jobs)


async def fail_interrupted(session: AsyncSession, job_id: uuid.UUID) -> None:
    """This process is stopping while the job runs."""
    job = await session.get(ImportJob, job_id)
    if job is not None and job.status not in FINISHED:
        _finish(job, JobStatus.FAILED, "The service stopped during the import; start it again.")
        await session.commit()


def _is_stale(job: ImportJob, stale_after: float) -> bool:
    beat = job.heartbeat_at or job.created_at
    return beat < utcnow() - timedelta(seconds=stale_after)


def _finish(job: ImportJob, status: JobStatus, reason: str | None) -> None:
    job.status = status
    job.reason = reason
    job.finished_at = utcnow()
    if status is JobStatus.SUCCEEDED:
        job.progress = 100


# --- the background work ------------------------------------------------------------------


@dataclass
class _Batch:
    """What one batch did, to be added to the job."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    rejections: list[tuple[int, str | None, str]] = field(default_factory=list)

    def reject(self, row: parsing.Row, key: str | None, reason: str) -> None:
        self.counts["rejected"] += 1
        self.rejections.append((row.line, key, reason))


@dataclass(frozen=True)
class _Scope:
    national: bool
    la_codes: frozenset[str]

    def covers(self, la_code: str) -> bool:
        return self.national or la_code in self.la_codes


BatchImporter = Callable[[AsyncSession, _Scope, list[parsing.Row], _Batch], Awaitable[None]]


@contextlib.asynccontextmanager
async def _batch_session(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A batch's session whose close survives the job being cancelled (a stop): rolled back and
    its connection returned, since on SQLite an abandoned write transaction keeps the lock."""
    session = sessions()
    try:
        yield session
    finally:
        await asyncio.shield(session.close())


async def run_import(
    sessions: async_sessionmaker[AsyncSession], job_id: uuid.UUID, *, batch_size: int = 1000
) -> JobStatus:
    """Run a queued job to its end; returns its final status. Safe to call once per job: a job
    that is not queued is left alone."""
    async with sessions() as session:
        job = await session.get(ImportJob, job_id)
        if job is None or job.status is not JobStatus.QUEUED:
            return job.status if job is not None else JobStatus.FAILED
        job.status = JobStatus.RUNNING
        job.started_at = job.heartbeat_at = utcnow()
        await session.commit()
        files = list(job.files)
        counts = {kind: dict(values) for kind, values in job.counts.items()}
        scope = _Scope(job.national, frozenset(job.la_codes))
    total = sum(int(f["size"]) for f in files) or 1
    done = 0
    stored = 0
    status, reason = JobStatus.SUCCEEDED, None
    try:
        for spec in files:
            kind = FileKind(spec["kind"])
            layout, importer = _IMPORTERS[kind]
            # A local spool file, read one batch at a time between awaits.
            with (
                Path(spec["path"]).open("rb") as raw,  # noqa: ASYNC230
                contextlib.closing(parsing.read_rows(raw, layout)) as rows,
            ):
                while True:
                    batch_rows = _take(rows, batch_size)
                    if not batch_rows:
                        break
                    batch = _Batch()
                    batch.counts["rows"] = len(batch_rows)
                    async with _batch_session(sessions) as session:
                        repository = ImportJobRepository(session)
                        if await repository.cancel_requested(job_id):
                            raise CancelledByUser
                        await importer(session, scope, batch_rows, batch)
                        for name, value in batch.counts.items():
                            counts[kind.value][name] += value
                        keep = batch.rejections[: max(0, MAX_STORED_REJECTIONS - stored)]
                        await repository.add_rejections(
                            [
                                {
                                    "job_id": job_id,
                                    "seq": stored + i,
                                    "file": kind.value,
                                    "line": line,
                                    "key": key,
                                    "reason": why[:300],
                                }
                                for i, (line, key, why) in enumerate(keep)
                            ]
                        )
                        stored += len(keep)
                        position = done + raw.tell()
                        await repository.record_progress(
                            job_id,
                            counts=counts,
                            progress=min(99, position * 100 // total),
                            heartbeat_at=utcnow(),
                        )
                        await session.commit()
                    await asyncio.sleep(0)  # let requests in between batches
            done += int(spec["size"])
    except CancelledByUser:
        status, reason = JobStatus.CANCELLED, "Cancelled; the batches already done stay."
    except parsing.MissingColumnsError as exc:
        status, reason = JobStatus.FAILED, f"The {kind.value} file is not a GIAS extract: {exc}."
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("import_failed", job_id=str(job_id))
        status, reason = JobStatus.FAILED, f"Internal error: {type(exc).__name__}."
    async with sessions() as session:
        job = await session.get(ImportJob, job_id)
        assert job is not None
        job.counts = counts
        _finish(job, status, reason)
        await session.commit()
    return status


def discard_files(job_files: Sequence[dict[str, Any]]) -> None:
    for spec in job_files:
        Path(spec["path"]).unlink(missing_ok=True)
    if job_files:
        folder = Path(job_files[0]["path"]).parent
        shutil.rmtree(folder, ignore_errors=True)


def _take(rows: Any, count: int) -> list[parsing.Row]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == count:
            break
    return batch


def _lock(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _import_establishments(
    session: AsyncSession, scope: _Scope, rows: list[parsing.Row], batch: _Batch
) -> None:
    parsed: dict[int, dict[str, Any]] = {}
    for row in rows:
        try:
            la_code = parsing.parse_la(row)
            if not scope.covers(la_code):
                batch.counts["skipped"] += 1
                continue
            values = parsing.parse_establishment(row, la_code)
        except parsing.RowError as exc:
            batch.reject(row, row.get("URN") or None, str(exc))
            continue
        if values["urn"] in parsed:
            batch.counts["unchanged"] += 1  # the later row of a duplicate URN wins
        parsed[values["urn"]] = values
    if not parsed:
        return
    bulk = DirectoryBulk(session, lock=_lock(session))
    existing = await bulk.schools(parsed)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for urn, values in parsed.items():
        before = existing.get(urn)
        if before is None:
            inserts.append({**values, "version": 1, "created_at": now, "updated_at": now})
        elif any(before[f] != values[f] for f in SCHOOL_FIELDS):
            values = {f: values[f] for f in SCHOOL_FIELDS}
            updates.append(
                {**values, "b_urn": urn, "version": before["version"] + 1, "updated_at": now}
            )
        else:
            batch.counts["unchanged"] += 1
    await bulk.insert_schools(inserts)
    await bulk.update_schools(updates)
    batch.counts["created"] += len(inserts)
    batch.counts["updated"] += len(updates)
    await publish_many(
        session,
        [_outgoing(v["urn"], v, created=True) for v in inserts]
        + [_outgoing(v["b_urn"], v, created=False) for v in updates],
    )


def _outgoing(urn: int, values: dict[str, Any], *, created: bool) -> Outgoing:
    payload = SchoolPayload(
        urn=urn,
        name=values["name"],
        phase=values["phase"],
        la_code=values["la_code"],
        establishment_number=values["establishment_number"],
        trust_uid=values["trust_uid"],
        trust_name=values["trust_name"],
        postcode=values["postcode"],
        easting=values["easting"],
        northing=values["northing"],
        status=values["status"],
        version=values["version"],
        updated_at=values["updated_at"],
    )
    return Outgoing(
        SCHOOL_REGISTERED if created else SCHOOL_UPDATED,
        payload,
        TenancyPath(la=values["la_code"], urn=urn),
        f"schools/{urn}",
        f"school:{urn}",
    )


async def _import_groups(
    session: AsyncSession, scope: _Scope, rows: list[parsing.Row], batch: _Batch
) -> None:
    parsed: dict[str, dict[str, Any]] = {}
    for row in rows:
        try:
            values = parsing.parse_group(row)
        except parsing.RowError as exc:
            batch.reject(row, row.get("Group UID") or None, str(exc))
            continue
        if values is None:
            batch.counts["skipped"] += 1  # a federation or sponsor, not a trust
            continue
        parsed[values["uid"]] = values
    if not parsed:
        return
    bulk = DirectoryBulk(session, lock=_lock(session))
    if not scope.national:
        # An LA imports the trusts that have schools in its LAs.
        allowed = await bulk.trust_uids_in_las(parsed, scope.la_codes)
        batch.counts["skipped"] += len(parsed) - len(allowed)
        parsed = {uid: v for uid, v in parsed.items() if uid in allowed}
    existing = await bulk.trusts(parsed)
    now = utcnow()
    inserts, updates = [], []
    for uid, values in parsed.items():
        before = existing.get(uid)
        if before is None:
            inserts.append({**values, "version": 1, "created_at": now, "updated_at": now})
        elif any(before[f] != values[f] for f in TRUST_FIELDS):
            changed = {f: values[f] for f in TRUST_FIELDS}
            updates.append(
                {**changed, "b_uid": uid, "version": before["version"] + 1, "updated_at": now}
            )
        else:
            batch.counts["unchanged"] += 1
    await bulk.insert_trusts(inserts)
    await bulk.update_trusts(updates)
    batch.counts["created"] += len(inserts)
    batch.counts["updated"] += len(updates)
    named = {v["uid"]: v["name"] for v in inserts} | {v["b_uid"]: v["name"] for v in updates}
    await _name_trust_schools(session, bulk, named, now)


async def _name_trust_schools(
    session: AsyncSession, bulk: DirectoryBulk, names: dict[str, str], now: datetime
) -> None:
    """A new or renamed trust's schools take its name, each with a school update event (the
    read models learn trust names from the schools: there are no trust events)."""
    if not names:
        return
    updates: list[dict[str, Any]] = []
    for urn, before in (await bulk.schools_of_trusts(names)).items():
        name = names[before["trust_uid"]]
        if before["trust_name"] != name:
            values = {f: before[f] for f in SCHOOL_FIELDS} | {"trust_name": name}
            updates.append(
                {**values, "b_urn": urn, "version": before["version"] + 1, "updated_at": now}
            )
    await bulk.update_schools(updates)
    await publish_many(session, [_outgoing(v["b_urn"], v, created=False) for v in updates])


async def _import_links(
    session: AsyncSession, scope: _Scope, rows: list[parsing.Row], batch: _Batch
) -> None:
    parsed: dict[tuple[int, int, str], dict[str, Any]] = {}
    for row in rows:
        try:
            values = parsing.parse_link(row)
        except parsing.RowError as exc:
            batch.reject(row, row.get("URN") or None, str(exc))
            continue
        parsed[(values["urn"], values["linked_urn"], values["link_type"])] = values
    if not parsed:
        return
    bulk = DirectoryBulk(session, lock=False)
    if not scope.national:
        # An LA imports the links of its own schools (as the directory knows them).
        las = await bulk.school_las({urn for urn, _, _ in parsed})
        kept = {k: v for k, v in parsed.items() if las.get(k[0]) in scope.la_codes}
        batch.counts["skipped"] += len(parsed) - len(kept)
        parsed = kept
    existing = await bulk.links({urn for urn, _, _ in parsed})
    now = utcnow()
    inserts, updates = [], []
    for key, values in parsed.items():
        before = existing.get(key)
        if before is None:
            inserts.append({**values, "created_at": now, "updated_at": now})
        elif any(before[f] != values[f] for f in LINK_FIELDS):
            updates.append(
                {
                    "b_urn": key[0],
                    "b_linked_urn": key[1],
                    "b_link_type": key[2],
                    **{f: values[f] for f in LINK_FIELDS},
                    "updated_at": now,
                }
            )
        else:
            batch.counts["unchanged"] += 1
    await bulk.insert_links(inserts)
    await bulk.update_links(updates)
    batch.counts["created"] += len(inserts)
    batch.counts["updated"] += len(updates)


_IMPORTERS: dict[FileKind, tuple[parsing.Layout, BatchImporter]] = {
    FileKind.ESTABLISHMENTS: (parsing.ESTABLISHMENTS, _import_establishments),
    FileKind.GROUPS: (parsing.GROUPS, _import_groups),
    FileKind.LINKS: (parsing.LINKS, _import_links),
}


def totals(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    return {name: sum(c.get(name, 0) for c in counts.values()) for name in COUNT_NAMES}
