"""The tombstone feed: deletions the caller may see, oldest first, after a compound boundary."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.pagination import PageParams, SyncParams, paginate_synced
from scheduling.directory.deletions.tenancy import tombstone_visible
from scheduling.directory.tombstone.models import Collection, Tombstone


async def list_tombstones(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    collection: Collection | None,
    sync: SyncParams,
) -> tuple[Sequence[Tombstone], str | None]:
    statement = select(Tombstone).where(tombstone_visible(principal))
    if collection is not None:
        statement = statement.where(Tombstone.collection == collection)
    return await paginate_synced(
        session,
        statement,
        sync=sync,
        updated_at=Tombstone.removed_at,
        id_=Tombstone.id,
        params=params,
    )
