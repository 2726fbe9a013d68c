"""Routes of /v1/trusts (read-only; the GIAS import keeps them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from common.http.etag import set_etag
from common.http.pagination import Page, Pagination, Sync
from scheduling.deps import DirectoryReader, SessionDep
from scheduling.directory.trust import service
from scheduling.directory.trust.schemas import TrustOut

router = APIRouter(prefix="/v1/trusts", tags=["trusts"])

TrustUid = Annotated[
    str, Path(pattern=r"^\d{1,10}$", description="GIAS Group UID", examples=["16234"])
]


@router.get("/{uid}", name="get_trust", summary="Get a trust", response_model=TrustOut)
async def get_trust(
    uid: TrustUid, response: Response, session: SessionDep, principal: DirectoryReader
) -> TrustOut:
    trust = await service.get_trust(session, principal, uid)
    set_etag(response, trust.version)
    return TrustOut.model_validate(trust)


@router.get(
    "",
    name="list_trusts",
    summary="List trusts",
    description="Trusts of the caller's `trusts` claim and trusts with schools in its LAs.",
    response_model=Page[TrustOut],
)
async def list_trusts(
    session: SessionDep, principal: DirectoryReader, params: Pagination, sync: Sync
) -> Page[TrustOut]:
    trusts, next_cursor = await service.list_trusts(session, principal, params, sync)
    return Page(data=[TrustOut.model_validate(t) for t in trusts], next_cursor=next_cursor)
