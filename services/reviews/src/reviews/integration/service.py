"""Who receives which review event. One rule for webhooks (at fan-out, and again before every
attempt), the live stream and the feed:

- a *lifecycle* event (planned, rescheduled, team changed, cancelled, each stage, milestone
  due soon and overdue, closed) reaches a token that covers the review's school: its LA
  (``la``), its trust (``trusts``, from the directory read model), its partnership
  (``partnerships``), the school (``schools``), or a person on the review's team
  (``person_id``: the team the plan names, and the team the review has now);
- a *content* event (report published, action plan agreed, progress reviewed) reaches only a
  token that may read the review (``GET /v1/reviews/{id}``,
  ``reviews.review.tenancy.review_visible``, which applies the data-sharing agreement): the
  school, the team and IC, the partnership lead, and an LA or trust only where the agreement
  names the school to them;
- a *support* event (support requested, answered) is a content event that also reaches the
  partner school the action names as its support (``schools`` naming ``support_urn``);
- anything else on the stream, or an event whose payload does not say where it belongs,
  reaches nobody.

A subscription is judged by the tenancy copied from its owner's token (refreshed whenever the
owner changes it). The dispatcher asks again before each attempt, so a delivery waiting for a
retry, or replayed later, is withheld once the agreement or the team no longer lets it out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import Request
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.db import Database
from common.eventstream import StreamEntry, Visible, VisibleMany
from common.messaging import CloudEvent
from common.webhooks import (
    DestinationPolicy,
    EventTenancy,
    RetryPolicy,
    TenancyFilter,
    WebhookDispatcher,
    fan_out,
)
from reviews.config import ReviewsSettings
from reviews.integration.catalog import CONTENT_TYPES, LIFECYCLE_TYPES, SUPPORT_TYPES
from reviews.integration.models import WEBHOOKS
from reviews.integration.repository import AudienceRepository
from reviews.review import tenancy as review_tenancy

# The subject of the caller a subscription stands for when its tenancy is judged.
SUBSCRIBER = "webhook-subscription"


class _Person(BaseModel):
    person_id: uuid.UUID


class _Champion(BaseModel):
    person_id: uuid.UUID
    assistant_person_id: uuid.UUID | None = None


class About(BaseModel):
    """Where a review event belongs, as every such payload says; plan payloads name the team."""

    model_config = ConfigDict(extra="ignore")

    review_id: uuid.UUID
    partnership_id: uuid.UUID
    la_code: str
    urn: int
    team: list[_Person] = []
    improvement_champion: _Champion | None = None
    #: Honoured for support events only (see :func:`_supporter`).
    support_urn: int | None = None

    def named_people(self) -> set[str]:
        people = {str(member.person_id) for member in self.team}
        if (champion := self.improvement_champion) is not None:
            people.add(str(champion.person_id))
            if champion.assistant_person_id is not None:
                people.add(str(champion.assistant_person_id))
        return people


class Audience:
    """Who may receive one event. Reads the database only for what a caller's claims make
    relevant (a trust token: the school's trust; a person: the team), once."""

    def __init__(
        self, session: AsyncSession, about: About, *, content: bool, event_type: str = ""
    ) -> None:
        self._repository = AudienceRepository(session)
        self.about = about
        self.content = content
        self.event_type = event_type
        self._trust: tuple[str | None] | None = None  # looked up (a school may have none)
        self._people: frozenset[str] | None = None

    @classmethod
    def of(cls, session: AsyncSession, event: CloudEvent) -> Audience | None:
        if event.type not in LIFECYCLE_TYPES | CONTENT_TYPES:
            return None
        try:
            about = About.model_validate(event.data)
        except ValidationError:
            return None
        return cls(session, about, content=event.type in CONTENT_TYPES, event_type=event.type)

    async def trust(self) -> str | None:
        if self._trust is None:
            self._trust = (await self._repository.trust_of(self.about.urn),)
        return self._trust[0]

    async def people(self) -> frozenset[str]:
        if self._people is None:
            now = await self._repository.team_of(self.about.review_id)
            self._people = frozenset(now | self.about.named_people())
        return self._people

    async def tenancy(self) -> EventTenancy:
        return EventTenancy(
            la=self.about.la_code,
            partnership=str(self.about.partnership_id),
            urn=str(self.about.urn),
            trust=await self.trust(),
            people=await self.people(),
        )

    async def covers(self, principal: Principal) -> bool:
        """The lifecycle rule: the token names the school's LA, partnership, school or trust,
        or is a person on the review's team."""
        about = self.about
        if (
            about.la_code in principal.la
            or about.partnership_id in review_tenancy.partnership_ids(principal)
            or about.urn in review_tenancy.urns(principal)
        ):
            return True
        if principal.trusts and await self.trust() in principal.trusts:
            return True
        person = review_tenancy.person_id(principal)  # parsed as the REST routes do
        return person is not None and str(person) in await self.people()

    async def receives(self, principal: Principal) -> bool:
        if _supporter(principal, self.event_type, self.about):
            return True
        if self.content:
            return await self._repository.readable(self.about.review_id, principal)
        return await self.covers(principal)


async def fan_out_event(session: AsyncSession, event: CloudEvent) -> int:
    """A delivery for each subscription that may receive ``event``, in the consumer's
    transaction (so once per event); returns how many."""
    audience = Audience.of(session, event)
    if audience is None:
        return 0

    async def may_receive(subscriber: TenancyFilter, _: EventTenancy) -> bool:
        assert audience is not None
        return await audience.receives(subscriber.principal(SUBSCRIBER))

    where = await audience.tenancy()
    return await fan_out(session, WEBHOOKS, event, where, may_receive=may_receive)


async def still_receives(
    session: AsyncSession, subscriber: TenancyFilter, event: CloudEvent
) -> bool:
    """Asked by the dispatcher before each attempt: the same rule, on today's data."""
    audience = Audience.of(session, event)
    return audience is not None and await audience.receives(subscriber.principal(SUBSCRIBER))


def stream_visibility(request: Request, principal: Principal) -> Visible:
    """The rule for one reader of the stream or the feed (a session per event: a connection
    is taken only when the rule needs the database)."""
    database: Database = request.app.state.database

    async def visible(entry: StreamEntry) -> bool:
        async with database.session() as session:
            audience = Audience.of(session, entry.event)
            return audience is not None and await audience.receives(principal)

    return visible


def page_visibility(request: Request, principal: Principal) -> VisibleMany:
    """``stream_visibility`` for a page of the feed at once: the rule is the same, but what it
    reads is read once per page (one session; one query each for the trusts, the teams and the
    readable reviews the page's events need), not once per event."""
    database: Database = request.app.state.database

    async def visible(entries: Sequence[StreamEntry]) -> list[bool]:
        verdicts = [False] * len(entries)
        undecided: dict[int, About] = {}  # lifecycle events the claims alone do not decide
        content: dict[int, About] = {}
        for index, entry in enumerate(entries):
            found = _about(entry.event)
            if found is None:
                continue
            about, is_content = found
            if _supporter(principal, entry.event.type, about):
                verdicts[index] = True
            elif is_content:
                content[index] = about
            elif _claims_cover(principal, about):
                verdicts[index] = True
            else:
                undecided[index] = about
        person = review_tenancy.person_id(principal)
        needs_trusts = bool(principal.trusts and undecided)
        needs_teams = person is not None and bool(undecided)
        if not content and not needs_trusts and not needs_teams:
            return verdicts
        async with database.session() as session:
            repository = AudienceRepository(session)
            ids = {about.review_id for about in content.values()}
            readable = await repository.readable_among(ids, principal)
            urns = {about.urn for about in undecided.values()}
            trusts = await repository.trusts_of(urns) if needs_trusts else {}
            reviews = {about.review_id for about in undecided.values()}
            teams = await repository.teams_of(reviews) if needs_teams else {}
        for index, about in content.items():
            verdicts[index] = about.review_id in readable
        for index, about in undecided.items():
            if trusts.get(about.urn) in principal.trusts:
                verdicts[index] = True
            elif person is not None:
                people = teams.get(about.review_id, set()) | about.named_people()
                verdicts[index] = str(person) in people
        return verdicts

    return visible


def _about(event: CloudEvent) -> tuple[About, bool] | None:
    """Where the event belongs and whether it is a content event; ``None``: nobody sees it."""
    if event.type not in LIFECYCLE_TYPES | CONTENT_TYPES:
        return None
    try:
        return About.model_validate(event.data), event.type in CONTENT_TYPES
    except ValidationError:
        return None


def _supporter(principal: Principal, event_type: str, about: About) -> bool:
    """A support event reaches the school asked to support, whatever else it may read."""
    return (
        event_type in SUPPORT_TYPES
        and about.support_urn is not None
        and about.support_urn in review_tenancy.urns(principal)
    )


def _claims_cover(principal: Principal, about: About) -> bool:
    """The part of ``Audience.covers`` decided by the token's claims alone."""
    return (
        about.la_code in principal.la
        or about.partnership_id in review_tenancy.partnership_ids(principal)
        or about.urn in review_tenancy.urns(principal)
    )


def destinations(settings: ReviewsSettings) -> DestinationPolicy:
    return DestinationPolicy(
        allow_private=settings.webhooks_allow_private, allow_http=settings.webhooks_allow_http
    )


def webhook_dispatcher(database: Database, settings: ReviewsSettings) -> WebhookDispatcher:
    retry = RetryPolicy(delays=settings.webhook_retry_delays, jitter=settings.webhook_retry_jitter)
    return WebhookDispatcher(
        database,
        WEBHOOKS,
        destinations=destinations(settings),
        retry=retry,
        timeout=settings.webhook_timeout_seconds,
        poll_interval=settings.webhook_poll_seconds,
        still_receives=still_receives,
    )
