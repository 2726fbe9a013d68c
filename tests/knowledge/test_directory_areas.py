"""Knowledge learns an LA's areas through its directory read model: the partnership events
carry the area's id and name; an event of an older version changes nothing; one that leaves
the area clears both."""

from __future__ import annotations

from datetime import UTC, datetime

from common.db import create_database
from common.testing.apps import migrate
from contracts import directory
from knowledge.intake.directory.models import DirectoryPartnership
from knowledge.intake.review.visibility import directory as directory_model
from tests.knowledge.kit import LA, uid
from tests.support import alembic_ini

NOW = datetime.now(UTC)
P, AREA = uid(1, "a7ea"), uid(2, "a7ea")


def _payload(version: int, area: str | None) -> directory.PartnershipPayload:
    return directory.PartnershipPayload(
        id=P,
        name="North",
        kind=directory.PartnershipKind.LA_CLUSTER,
        la_code=LA,
        version=version,
        updated_at=NOW,
        area_id=AREA if area else None,
        area_name=area,
    )


async def test_partnership_events_bring_the_area(database_url: str) -> None:
    await migrate(alembic_ini("knowledge"), database_url)
    database = create_database(database_url)
    try:
        async with database.session() as session:
            await directory_model.apply_partnership(session, _payload(2, "North East Quadrant"))
            await directory_model.apply_partnership(session, _payload(1, None))  # older
            await session.commit()
            row = await session.get(DirectoryPartnership, P)
            assert row is not None
            assert (row.area_id, row.area_name) == (AREA, "North East Quadrant")
            await directory_model.apply_partnership(session, _payload(3, None))
            await session.commit()
            await session.refresh(row)
            assert (row.area_id, row.area_name) == (None, None)
        # A payload of before areas (no such fields) still parses: the partnership in none.
        old = {"id": str(P), "name": "N", "kind": "trust", "la_code": LA, "version": 4,
               "updated_at": NOW.isoformat()}  # fmt: skip
        assert directory.PartnershipPayload.model_validate(old).area_id is None
    finally:
        await database.dispose()
