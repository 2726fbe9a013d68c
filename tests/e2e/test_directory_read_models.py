"""The directory flows from scheduling into the read models of reviews and knowledge."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from common.db import Database
from common.testing.apps import eventually
from knowledge.intake.directory import models as knowledge_models
from reviews.directory import models as reviews_models
from tests.e2e.conftest import System
from tests.support import TokenFactory, bearer

SCHOOL = {
    "name": "Read Model Primary",
    "phase": "primary",
    "la_code": "881",
    "trust_uid": "16234",
    "easting": 570500,
    "northing": 207800,
    "status": "open",
}


async def _school(db: Database, model: type, urn: int) -> object | None:
    async with db.session() as session:
        return await session.get(model, urn)


async def test_directory_reaches_reviews_and_knowledge(
    system: System, issue_token: TokenFactory
) -> None:
    headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    put = await system.scheduling.put("/v1/schools/150000", json=SCHOOL, headers=headers)
    assert put.status_code == 201
    created = await system.scheduling.post(
        "/v1/partnerships",
        json={"name": "Read Model Partnership", "kind": "la_cluster", "la_code": "881"},
        headers=headers,
    )
    pid = uuid.UUID(created.json()["id"])
    await system.scheduling.put(f"/v1/partnerships/{pid}/members/150000", headers=headers)
    agreement = {
        "partnership_visibility": "named",
        "trust_visibility": "none",
        "local_authority_visibility": "aggregated",
        "suppression_threshold": 7,
    }
    changed = await system.scheduling.put(
        f"/v1/partnerships/{pid}/agreement", json=agreement, headers={**headers, "If-Match": '"1"'}
    )
    assert changed.status_code == 200
    renamed = {**SCHOOL, "name": "Read Model Academy"}
    await system.scheduling.put(
        "/v1/schools/150000", json=renamed, headers={**headers, "If-Match": '"1"'}
    )

    for db, models in (
        (system.reviews_db, reviews_models),
        (system.knowledge_db, knowledge_models),
    ):

        async def arrived(db: Database = db, models: object = models) -> bool:
            async with db.session() as session:
                school = await session.get(models.DirectorySchool, 150000)  # type: ignore[attr-defined]
                member = await session.get(models.DirectoryMembership, (pid, 150000))  # type: ignore[attr-defined]
                terms = await session.get(models.DirectoryAgreement, pid)  # type: ignore[attr-defined]
                partnership = await session.get(models.DirectoryPartnership, pid)  # type: ignore[attr-defined]
                own = await session.get(models.DirectorySchoolAgreement, (pid, 150000))  # type: ignore[attr-defined]
            return (
                school is not None
                and school.name == "Read Model Academy"
                and school.source_version == 2
                and member is not None
                and partnership is not None
                and terms is not None
                and terms.suppression_threshold == 7
                # The narrowing is in force for the member at once, without its consent.
                and own is not None
                and own.suppression_threshold == 7
                and own.trust_visibility == "none"
            )

        await eventually(arrived, within=20)

    await system.scheduling.delete(f"/v1/partnerships/{pid}/members/150000", headers=headers)

    async def left() -> bool:
        for db, models in (
            (system.reviews_db, reviews_models),
            (system.knowledge_db, knowledge_models),
        ):
            async with db.session() as session:
                rows = await session.scalars(
                    select(models.DirectoryMembership).where(  # type: ignore[attr-defined]
                        models.DirectoryMembership.partnership_id == pid  # type: ignore[attr-defined]
                    )
                )
                if rows.all():
                    return False
                own = await session.get(models.DirectorySchoolAgreement, (pid, 150000))  # type: ignore[attr-defined]
                if own is not None:
                    return False
        return True

    await eventually(left, within=20)
    knowledge_school = await _school(system.knowledge_db, knowledge_models.DirectorySchool, 150000)
    assert knowledge_school is not None
    assert knowledge_school.easting == 570500  # type: ignore[attr-defined]
