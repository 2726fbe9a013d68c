"""Calendar feed use cases: create a feed token (the person themselves or who manages them;
a school's own tokens, its trust, its LA or its partnerships' leads; a partnership's lead or
LA), list and revoke one's tokens, and serve a feed by its secret (no bearer token: the
secret URL is the credential; only its hash is stored; revoked or unknown is a 404).
Commits here only."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, paginate
from common.http.problems import ProblemError, not_found, validation_failed
from scheduling.db import IdempotencyRecord
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.tenancy import partnership_manageable, partnership_visible
from scheduling.directory.person.models import Person, PersonRole
from scheduling.directory.person.tenancy import person_manageable, person_visible
from scheduling.directory.school.models import School
from scheduling.directory.school.tenancy import school_visible
from scheduling.planning.feeds.ics import FeedData, render
from scheduling.planning.feeds.models import FeedKind, FeedToken
from scheduling.planning.feeds.schemas import CreatedFeedTokenOut, FeedTokenIn, FeedTokenOut
from scheduling.planning.kernel.models import PlannedReview, PlannedReviewPerson
from scheduling.planning.meetings.models import Meeting

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)


class _Hidden(Exception):  # noqa: N818 - a signal: the caller cannot see the feed's target
    pass


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_out(token: FeedToken) -> FeedTokenOut:
    return FeedTokenOut(
        id=token.id,
        kind=token.kind,
        person_id=token.person_id,
        urn=token.urn,
        partnership_id=token.partnership_id,
        created_at=token.created_at,
        revoked_at=token.revoked_at,
    )


async def _allowed(
    session: AsyncSession, principal: Principal, token: FeedToken | FeedTokenIn
) -> None:
    """:class:`_Hidden` when the caller cannot see the target; 403 when they see it but may
    not have its feed (a member school asking for its partnership's)."""
    visible: ColumnElement[bool]
    allowed: ColumnElement[bool]
    if token.kind is FeedKind.PERSON:
        target = Person.id == token.person_id
        visible, allowed = person_visible(principal), person_manageable(principal)
        if principal.person_id == str(token.person_id):
            allowed = Person.id == token.person_id
        model: type = Person
    elif token.kind is FeedKind.SCHOOL:
        target, model = School.urn == token.urn, School
        visible = allowed = school_visible(principal)
    else:
        target, model = Partnership.id == token.partnership_id, Partnership
        visible, allowed = partnership_visible(principal), partnership_manageable(principal)
    if await session.scalar(select(model).where(target, visible)) is None:
        raise _Hidden
    if await session.scalar(select(model).where(target, allowed)) is None:
        raise ProblemError(
            403,
            "Not your feed",
            detail=f"You may not subscribe to this {token.kind}'s schedule.",
            type_="feed-not-allowed",
        )


async def create_token(
    session: AsyncSession,
    principal: Principal,
    data: FeedTokenIn,
    idempotency: IdempotentRequest | None,
) -> StoredResponse:
    async def create() -> StoredResponse:
        try:
            await _allowed(session, principal, data)
        except _Hidden as exc:
            field = {"person": "person_id", "school": "urn", "partnership": "partnership_id"}
            message = f"No {data.kind} you can see."
            raise validation_failed(
                [{"field": f"body.{field[data.kind]}", "message": message}]
            ) from exc
        secret = secrets.token_urlsafe(32)
        token = FeedToken(
            kind=data.kind,
            person_id=data.person_id,
            urn=data.urn,
            partnership_id=data.partnership_id,
            secret_hash=digest(secret),
            created_by=principal.subject,
        )
        session.add(token)
        await session.flush()
        body = CreatedFeedTokenOut(**token_out(token).model_dump(), url=f"/v1/feeds/{secret}.ics")
        return StoredResponse.json(201, body, headers={"Location": f"/v1/feed-tokens/{token.id}"})

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


async def list_tokens(
    session: AsyncSession, principal: Principal, params: PageParams
) -> tuple[Sequence[FeedToken], str | None]:
    statement = select(FeedToken).where(FeedToken.created_by == principal.subject)
    return await paginate(
        session, statement, order_by=(FeedToken.updated_at, FeedToken.id), params=params
    )


async def revoke_token(session: AsyncSession, principal: Principal, token_id: uuid.UUID) -> None:
    """By anyone who may have that feed (its creator, normally): decided from the tenancy,
    not from who created it. The feed answers 404 from now on."""
    token = await session.get(FeedToken, token_id)
    if token is None or token.revoked_at is not None:
        raise not_found(f"No feed token {token_id}.")
    try:
        await _allowed(session, principal, token)
    except (_Hidden, ProblemError) as exc:
        raise not_found(f"No feed token {token_id}.") from exc
    token.revoked_at = utcnow()
    await session.commit()


async def _partnerships_of_person(session: AsyncSession, person_id: uuid.UUID) -> list[uuid.UUID]:
    roles = list(await session.scalars(select(PersonRole).where(PersonRole.person_id == person_id)))
    ids = {r.partnership_id for r in roles if r.partnership_id is not None}
    urns = [r.urn for r in roles if r.urn is not None]
    if urns:
        ids |= set(
            await session.scalars(select(Membership.partnership_id).where(Membership.urn.in_(urns)))
        )
    return sorted(ids)


async def feed(session: AsyncSession, secret: str) -> bytes:
    token = await session.scalar(select(FeedToken).where(FeedToken.secret_hash == digest(secret)))
    if token is None or token.revoked_at is not None:
        raise not_found("No such calendar feed.")
    reviews = select(PlannedReview)
    if token.kind is FeedKind.PERSON:
        assert token.person_id is not None
        on_it = select(PlannedReviewPerson.review_id).where(
            PlannedReviewPerson.person_id == token.person_id
        )
        reviews = reviews.where(PlannedReview.id.in_(on_it))
        partnerships = await _partnerships_of_person(session, token.person_id)
        person = await session.get(Person, token.person_id)
        name = f"Peer reviews: {person.name}" if person else "Peer reviews"
    elif token.kind is FeedKind.SCHOOL:
        reviews = reviews.where(PlannedReview.urn == token.urn)
        partnerships = list(
            await session.scalars(
                select(Membership.partnership_id).where(Membership.urn == token.urn)
            )
        )
        school = await session.get(School, token.urn)
        name = f"Peer reviews: {school.name}" if school else "Peer reviews"
    else:
        assert token.partnership_id is not None
        reviews = reviews.where(PlannedReview.partnership_id == token.partnership_id)
        partnerships = [token.partnership_id]
        partnership = await session.get(Partnership, token.partnership_id)
        name = f"Peer reviews: {partnership.name}" if partnership else "Peer reviews"
    found = list(await session.scalars(reviews.order_by(PlannedReview.first_day, PlannedReview.id)))
    meetings = list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.partnership_id.in_(partnerships))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    urns = {r.urn for r in found}
    schools = {
        s.urn: s.name for s in await session.scalars(select(School).where(School.urn.in_(urns)))
    }
    ids = {p.person_id for r in found for p in r.people}
    names: dict[object, str] = {
        p.id: p.name for p in await session.scalars(select(Person).where(Person.id.in_(ids)))
    }
    return render(FeedData(name, f"feed-{token.id}", found, meetings, schools, names))
