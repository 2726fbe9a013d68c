"""Trust use cases (read-only; the GIAS import writes trusts)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import not_found
from scheduling.directory.trust.models import Trust
from scheduling.directory.trust.repository import TrustRepository
from scheduling.directory.trust.tenancy import trust_visible


async def get_trust(session: AsyncSession, principal: Principal, uid: str) -> Trust:
    trust = await TrustRepository(session).get_visible(uid, trust_visible(principal))
    if trust is None:
        raise not_found(f"No trust {uid}.")
    return trust


async def list_trusts(
    session: AsyncSession, principal: Principal, params: PageParams, sync: SyncParams
) -> tuple[Sequence[Trust], str | None]:
    statement = TrustRepository(session).filtered(trust_visible(principal))
    return await paginate_synced(
        session, statement, sync=sync, updated_at=Trust.updated_at, id_=Trust.uid, params=params
    )
