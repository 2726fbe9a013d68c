"""Event handlers for the directory read model: parse the payload, call one service function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import get_logger
from common.messaging import CloudEvent
from contracts.directory import (
    AGREEMENT_CHANGED,
    DIRECTORY_EVENTS,
    MEMBER_JOINED,
    MEMBER_LEFT,
    PARTNERSHIP_CREATED,
    PARTNERSHIP_UPDATED,
    SCHOOL_REGISTERED,
    SCHOOL_UPDATED,
    AgreementPayload,
    MembershipPayload,
    PartnershipPayload,
    SchoolPayload,
)
from reviews.directory import service

log = get_logger(__name__)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]

SUBJECT_FILTERS = [definition.subject_filter for definition in DIRECTORY_EVENTS]


async def _school(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_school(session, SchoolPayload.model_validate(event.data))


async def _partnership(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_partnership(session, PartnershipPayload.model_validate(event.data))


async def _joined(session: AsyncSession, event: CloudEvent) -> None:
    payload = MembershipPayload.model_validate(event.data)
    await service.apply_membership(session, payload, joined=True)


async def _left(session: AsyncSession, event: CloudEvent) -> None:
    payload = MembershipPayload.model_validate(event.data)
    await service.apply_membership(session, payload, joined=False)


async def _agreement(session: AsyncSession, event: CloudEvent) -> None:
    await service.apply_agreement(session, AgreementPayload.model_validate(event.data))


HANDLERS: dict[str, Handler] = {
    SCHOOL_REGISTERED.type: _school,
    SCHOOL_UPDATED.type: _school,
    PARTNERSHIP_CREATED.type: _partnership,
    PARTNERSHIP_UPDATED.type: _partnership,
    MEMBER_JOINED.type: _joined,
    MEMBER_LEFT.type: _left,
    AGREEMENT_CHANGED.type: _agreement,
}


async def handle_directory_event(session: AsyncSession, event: CloudEvent) -> None:
    handler = HANDLERS.get(event.type)
    if handler is None:
        # A newer producer may publish types we do not know yet; skipping them is safe.
        log.info("directory_event_ignored", type=event.type, id=event.id)
        return
    await handler(session, event)
