"""Routes of /v1/tombstones: what was deleted from the collections an MIS mirrors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from common.http.pagination import Page, Pagination, Sync
from scheduling.deps import DirectoryReader, SessionDep
from scheduling.directory.deletions import service
from scheduling.directory.deletions.schemas import TombstoneOut
from scheduling.directory.tombstone.models import Collection

router = APIRouter(prefix="/v1/tombstones", tags=["sync"])


@router.get(
    "",
    name="list_tombstones",
    summary="Deleted rows (sync)",
    description=(
        "Rows deleted from the collections an MIS mirrors (a partnership's members; a "
        "person's roles, training, unavailable dates and declared conflicts), oldest first, "
        "for whoever sees the partnership, school or person the row belonged to. Sync with "
        "`updated_since` (= `removed_at`) and `after_id` (= `id`) of the last tombstone read."
    ),
    response_model=Page[TombstoneOut],
)
async def list_tombstones(
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
    collection: Annotated[Collection | None, Query(description="Only this collection")] = None,
) -> Page[TombstoneOut]:
    rows, next_cursor = await service.list_tombstones(
        session, principal, params, collection=collection, sync=sync
    )
    return Page(data=[TombstoneOut.model_validate(t) for t in rows], next_cursor=next_cursor)
