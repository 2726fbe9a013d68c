"""The data-sharing agreement as history and consent: its versions, each member school's terms
and decisions, and a school's head (or a person it authorised) deciding. Commits here only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.pagination import (
    AfterParams,
    PageParams,
    SyncParams,
    paginate_after,
    paginate_synced,
)
from common.http.problems import ProblemError, conflict, not_found
from contracts.directory import Decision
from scheduling.directory.agreement.repository import AgreementRepository
from scheduling.directory.agreement.schemas import ConsentIn
from scheduling.directory.claims import person_id_of, urns_of
from scheduling.directory.partnership import consent
from scheduling.directory.partnership.models import (
    AgreementConsent,
    AgreementVersion,
    SchoolAgreement,
)
from scheduling.directory.partnership.service import get_agreement, get_partnership
from scheduling.directory.person.models import SIGNATORY_ROLES


async def list_versions(
    session: AsyncSession,
    principal: Principal,
    partnership_id: uuid.UUID,
    params: PageParams,
    after: AfterParams,
) -> tuple[Sequence[AgreementVersion], str | None]:
    await get_partnership(session, principal, partnership_id)
    statement = AgreementRepository(session).versions(partnership_id)
    version = AgreementVersion.version
    return await paginate_after(
        session, statement, after=after, id_=version, order_by=(version,), params=params
    )


async def list_school_terms(
    session: AsyncSession,
    principal: Principal,
    partnership_id: uuid.UUID,
    params: PageParams,
    sync: SyncParams,
) -> tuple[Sequence[SchoolAgreement], str | None]:
    await get_partnership(session, principal, partnership_id)
    statement = AgreementRepository(session).schools(partnership_id)
    return await paginate_synced(
        session,
        statement,
        sync=sync,
        updated_at=SchoolAgreement.updated_at,
        id_=SchoolAgreement.urn,
        order_by=(SchoolAgreement.urn,),
        params=params,
    )


async def list_consents(
    session: AsyncSession,
    principal: Principal,
    partnership_id: uuid.UUID,
    params: PageParams,
    after: AfterParams,
) -> tuple[Sequence[AgreementConsent], str | None]:
    await get_partnership(session, principal, partnership_id)
    statement = AgreementRepository(session).consents(partnership_id)
    order = (AgreementConsent.decided_at, AgreementConsent.id)
    return await paginate_after(
        session, statement, after=after, id_=AgreementConsent.id, order_by=order, params=params
    )


def _not_signatory(urn: int) -> ProblemError:
    return ProblemError(
        403,
        "Not a signatory of this school",
        detail=f"Only the head of school {urn}, or a person the school authorised "
        "(role agreement_signatory), may decide on its data-sharing agreement, with a token "
        "that speaks for the school and names the person.",
        type_="not-school-signatory",
    )


async def decide(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID, data: ConsentIn
) -> AgreementConsent:
    """Consent to, decline or withdraw from the agreement for one member school."""
    partnership = await get_partnership(session, principal, partnership_id)
    repository = AgreementRepository(session)
    row = await repository.school(partnership_id, data.urn)
    if row is None:
        raise not_found(f"School {data.urn} is not a member of this partnership.")
    person = person_id_of(principal)
    if (
        data.urn not in urns_of(principal)
        or person is None
        or not await repository.holds_role(person, data.urn, SIGNATORY_ROLES)
    ):
        raise _not_signatory(data.urn)
    agreement = await get_agreement(session, principal, partnership_id)
    if data.decision is Decision.WITHDRAWN:
        if row.consented_version is None:
            raise conflict(f"School {data.urn} has no consent to withdraw.")
        if data.version is not None and data.version != row.consented_version:
            raise conflict(
                f"School {data.urn} consented to version {row.consented_version}, "
                f"not {data.version}."
            )
    elif data.version != agreement.version:
        raise conflict(
            f"Version {data.version} is not the agreement's current version "
            f"({agreement.version}); decide on the current one."
        )
    record = await consent.decide(
        session,
        partnership,
        agreement,
        row,
        data.decision,
        decided_by=principal.subject,
        person_id=person,
    )
    await session.commit()
    return record
