"""Queries of the GIAS import: jobs, and bulk reads and writes of schools, trusts and links in
batches (SQLAlchemy Core executemany). Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import Repository
from scheduling.directory.gias.models import FINISHED, ImportJob, ImportRejection, JobStatus
from scheduling.directory.school.models import School, SchoolLink
from scheduling.directory.trust.models import Trust

SCHOOL_FIELDS = (
    "name",
    "phase",
    "la_code",
    "establishment_number",
    "trust_uid",
    "trust_name",
    "postcode",
    "easting",
    "northing",
    "status",
    "open_date",
    "close_date",
)
TRUST_FIELDS = Trust.IMPORTED
LINK_FIELDS = ("linked_name", "established_on")

schools = cast(Table, School.__table__)
trusts = cast(Table, Trust.__table__)
links = cast(Table, SchoolLink.__table__)


class ImportJobRepository(Repository[ImportJob]):
    model = ImportJob

    async def get_visible(
        self, job_id: uuid.UUID, visible: ColumnElement[bool]
    ) -> ImportJob | None:
        return await self.session.scalar(select(ImportJob).where(ImportJob.id == job_id, visible))

    async def rejections(self, job_id: uuid.UUID, limit: int) -> Sequence[ImportRejection]:
        statement = (
            select(ImportRejection)
            .where(ImportRejection.job_id == job_id)
            .order_by(ImportRejection.seq)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def cancel_requested(self, job_id: uuid.UUID) -> bool:
        flag = await self.session.scalar(
            select(ImportJob.cancel_requested).where(ImportJob.id == job_id)
        )
        return bool(flag)

    async def record_progress(self, job_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))

    async def add_rejections(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(ImportRejection), rows)

    async def stale(self, before: datetime) -> Sequence[ImportJob]:
        statement = select(ImportJob).where(
            ImportJob.status.not_in(FINISHED), ImportJob.heartbeat_at < before
        )
        return (await self.session.scalars(statement)).all()

    async def unfinished(self) -> Sequence[ImportJob]:
        statement = select(ImportJob).where(
            ImportJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
        )
        return (await self.session.scalars(statement)).all()


class DirectoryBulk:
    """Batch reads and writes of the directory tables for the import."""

    def __init__(self, session: AsyncSession, *, lock: bool) -> None:
        self.session = session
        self.lock = lock  # FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises)

    async def schools(self, urns: Iterable[int]) -> dict[int, dict[str, Any]]:
        statement = select(
            schools.c.urn, schools.c.version, *(schools.c[f] for f in SCHOOL_FIELDS)
        ).where(schools.c.urn.in_(list(urns)))
        if self.lock:
            statement = statement.with_for_update()
        result = await self.session.execute(statement)
        return {row.urn: dict(row._mapping) for row in result}

    async def schools_of_trusts(self, uids: Iterable[str]) -> dict[int, dict[str, Any]]:
        """The schools of these trusts, as :meth:`schools` reads them."""
        statement = select(
            schools.c.urn, schools.c.version, *(schools.c[f] for f in SCHOOL_FIELDS)
        ).where(schools.c.trust_uid.in_(list(uids)))
        if self.lock:
            statement = statement.with_for_update()
        result = await self.session.execute(statement)
        return {row.urn: dict(row._mapping) for row in result}

    async def school_las(self, urns: Iterable[int]) -> dict[int, str]:
        statement = select(schools.c.urn, schools.c.la_code).where(schools.c.urn.in_(list(urns)))
        return {row.urn: row.la_code for row in await self.session.execute(statement)}

    async def trust_uids_in_las(self, uids: Iterable[str], la_codes: Iterable[str]) -> set[str]:
        statement = (
            select(schools.c.trust_uid)
            .where(schools.c.trust_uid.in_(list(uids)), schools.c.la_code.in_(list(la_codes)))
            .distinct()
        )
        return {uid for uid in (await self.session.scalars(statement)) if uid is not None}

    async def insert_schools(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(schools), rows)

    async def update_schools(self, rows: list[dict[str, Any]]) -> None:
        # Core executemany: the keys of each dict (other than b_urn) are the SET clause.
        if rows:
            await self.session.execute(
                update(schools).where(schools.c.urn == bindparam("b_urn")), rows
            )

    async def trusts(self, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
        statement = select(
            trusts.c.uid, trusts.c.version, *(trusts.c[f] for f in TRUST_FIELDS)
        ).where(trusts.c.uid.in_(list(uids)))
        if self.lock:
            statement = statement.with_for_update()
        return {row.uid: dict(row._mapping) for row in await self.session.execute(statement)}

    async def insert_trusts(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(trusts), rows)

    async def update_trusts(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(
                update(trusts).where(trusts.c.uid == bindparam("b_uid")), rows
            )

    async def links(self, urns: Iterable[int]) -> dict[tuple[int, int, str], dict[str, Any]]:
        statement = select(
            links.c.urn, links.c.linked_urn, links.c.link_type, *(links.c[f] for f in LINK_FIELDS)
        ).where(links.c.urn.in_(list(urns)))
        result = await self.session.execute(statement)
        return {(row.urn, row.linked_urn, row.link_type): dict(row._mapping) for row in result}

    async def insert_links(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(links), rows)

    async def update_links(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(
                update(links).where(
                    links.c.urn == bindparam("b_urn"),
                    links.c.linked_urn == bindparam("b_linked_urn"),
                    links.c.link_type == bindparam("b_link_type"),
                ),
                rows,
            )
