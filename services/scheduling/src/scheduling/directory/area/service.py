"""Area use cases: an LA creates, renames and deletes its areas and puts its partnerships in
them. Only a token of the LA sees its areas (anyone else: 404, as if there were none). A
partnership is in at most one area: putting it in another moves it. Each change is published
through the outbox in its transaction: the area's event, then ``partnership.updated`` for each
partnership whose area (or area's name) changed, so the read models need no join of their own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.problems import conflict, not_found
from contracts.directory import AREA_CREATED, AREA_DELETED, AREA_RENAMED, AreaPayload
from contracts.events import EventDefinition, TenancyPath
from scheduling.directory.area.models import Area
from scheduling.directory.area.schemas import AreaIn, AreaOut, AreaPartnership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.service import publish_partnership
from scheduling.events import publish


def _own_la(principal: Principal, la_code: str) -> None:
    if la_code not in principal.la:
        raise not_found("No such local authority")


async def _partnerships(session: AsyncSession, area_ids: Sequence[uuid.UUID]) -> list[Partnership]:
    if not area_ids:
        return []
    found = await session.scalars(
        select(Partnership)
        .where(Partnership.area_id.in_(area_ids))
        .order_by(Partnership.name, Partnership.id)
    )
    return list(found)


def _out(area: Area, partnerships: Sequence[Partnership]) -> AreaOut:
    return AreaOut(
        id=area.id,
        la_code=area.la_code,
        name=area.name,
        partnerships=[
            AreaPartnership.model_validate(p) for p in partnerships if p.area_id == area.id
        ],
        version=area.version,
        created_at=area.created_at,
        updated_at=area.updated_at,
    )


async def _area(
    session: AsyncSession, principal: Principal, la_code: str, area_id: uuid.UUID
) -> Area:
    _own_la(principal, la_code)
    area = await session.get(Area, area_id)
    if area is None or area.la_code != la_code:
        raise not_found(f"No area {area_id}.")
    return area


async def _unique_name(
    session: AsyncSession, la_code: str, name: str, area_id: uuid.UUID | None
) -> None:
    same = await session.scalar(
        select(Area.id).where(Area.la_code == la_code, Area.name == name, Area.id != area_id)
        if area_id is not None
        else select(Area.id).where(Area.la_code == la_code, Area.name == name)
    )
    if same is not None:
        raise conflict(f"The LA has an area named {name!r} already.", type_="area-name-taken")


def _publish_area(session: AsyncSession, area: Area, event: EventDefinition[AreaPayload]) -> None:
    publish(
        session,
        event,
        AreaPayload.model_validate(area, from_attributes=True),
        tenancy=TenancyPath(la=area.la_code),
        subject=f"local-authorities/{area.la_code}/areas/{area.id}",
        partition_key=f"area:{area.id}",
    )


async def list_areas(session: AsyncSession, principal: Principal, la_code: str) -> list[AreaOut]:
    _own_la(principal, la_code)
    areas = list(
        await session.scalars(select(Area).where(Area.la_code == la_code).order_by(Area.name))
    )
    partnerships = await _partnerships(session, [a.id for a in areas])
    return [_out(area, partnerships) for area in areas]


async def get_area(
    session: AsyncSession, principal: Principal, la_code: str, area_id: uuid.UUID
) -> AreaOut:
    area = await _area(session, principal, la_code, area_id)
    return _out(area, await _partnerships(session, [area.id]))


async def create_area(
    session: AsyncSession, principal: Principal, la_code: str, data: AreaIn
) -> AreaOut:
    _own_la(principal, la_code)
    await _unique_name(session, la_code, data.name, None)
    area = Area(la_code=la_code, name=data.name)
    session.add(area)
    await session.flush()
    _publish_area(session, area, AREA_CREATED)
    await session.commit()
    return _out(area, [])


async def rename_area(
    session: AsyncSession, principal: Principal, la_code: str, area_id: uuid.UUID, data: AreaIn
) -> AreaOut:
    area = await _area(session, principal, la_code, area_id)
    partnerships = await _partnerships(session, [area.id])
    if area.name != data.name:
        await _unique_name(session, la_code, data.name, area.id)
        area.name = data.name
        await session.flush()
        _publish_area(session, area, AREA_RENAMED)
        for partnership in partnerships:  # their events carry the area's name
            partnership.updated_at = area.updated_at
            await session.flush()
            await publish_partnership(session, partnership, created=False)
    await session.commit()
    return _out(area, partnerships)


async def delete_area(
    session: AsyncSession, principal: Principal, la_code: str, area_id: uuid.UUID
) -> None:
    """The partnerships stay, in no area."""
    area = await _area(session, principal, la_code, area_id)
    for partnership in await _partnerships(session, [area.id]):
        partnership.area_id = None
        await session.flush()
        await publish_partnership(session, partnership, created=False)
    _publish_area(session, area, AREA_DELETED)
    await session.delete(area)
    await session.commit()


async def _partnership_of(
    session: AsyncSession, la_code: str, partnership_id: uuid.UUID
) -> Partnership:
    partnership = await session.get(Partnership, partnership_id)
    if partnership is None or partnership.la_code != la_code:
        raise not_found(f"No partnership {partnership_id} in LA {la_code}.")
    return partnership


async def put_partnership(
    session: AsyncSession,
    principal: Principal,
    la_code: str,
    area_id: uuid.UUID,
    partnership_id: uuid.UUID,
) -> AreaOut:
    """Idempotent; a partnership in another area of the LA moves to this one."""
    area = await _area(session, principal, la_code, area_id)
    partnership = await _partnership_of(session, la_code, partnership_id)
    if partnership.area_id != area.id:
        partnership.area_id = area.id
        await session.flush()
        await publish_partnership(session, partnership, created=False)
    await session.commit()
    return _out(area, await _partnerships(session, [area.id]))


async def remove_partnership(
    session: AsyncSession,
    principal: Principal,
    la_code: str,
    area_id: uuid.UUID,
    partnership_id: uuid.UUID,
) -> None:
    area = await _area(session, principal, la_code, area_id)
    partnership = await _partnership_of(session, la_code, partnership_id)
    if partnership.area_id != area.id:
        raise not_found(f"Partnership {partnership_id} is not in area {area_id}.")
    partnership.area_id = None
    await session.flush()
    await publish_partnership(session, partnership, created=False)
    await session.commit()
