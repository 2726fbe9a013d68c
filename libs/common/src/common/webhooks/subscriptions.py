"""Use cases of subscriptions: create, read, change, delete, rotate the secret.

Only the owner (the token's subject) ever sees a subscription: anyone else gets a 404, as if
it did not exist. The tenancy filter is taken from the owner's token at creation and again at
every change, so a subscription never reaches beyond what its owner may now see.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth.principal import Principal
from common.clock import utcnow
from common.http.etag import check_version, etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, paginate
from common.http.problems import ProblemError, conflict, not_found, validation_failed
from common.webhooks.deliveries import disable_subscription
from common.webhooks.destinations import DestinationRefusedError, check_destination
from common.webhooks.host import WebhookHost
from common.webhooks.models import SubscriptionStatus
from common.webhooks.schemas import (
    SecretRotationIn,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionPatch,
)
from common.webhooks.signing import InvalidSecretError, check_secret, new_secret
from common.webhooks.tenancy import TenancyFilter


def _invalid(field: str, message: str) -> ProblemError:
    return validation_failed([{"field": field, "message": message}])


async def _checked_url(host: WebhookHost, url: str) -> str:
    try:
        return await check_destination(url, host.destinations)
    except DestinationRefusedError as exc:
        raise _invalid("body.url", str(exc)) from exc


def _checked_event_types(host: WebhookHost, event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(host.event_types))
    if unknown:
        raise _invalid("body.event_types", f"unknown event types: {', '.join(unknown)}")
    return sorted(set(event_types))


def _checked_secret(secret: str | None) -> str:
    if secret is None:
        return new_secret()
    try:
        return check_secret(secret)
    except InvalidSecretError as exc:
        raise _invalid("body.secret", str(exc)) from exc


def _apply_tenancy(row: Any, tenancy: TenancyFilter) -> None:
    row.la_codes = list(tenancy.la_codes)
    row.trusts = list(tenancy.trusts)
    row.partnerships = list(tenancy.partnerships)
    row.schools = list(tenancy.schools)
    row.person_id = tenancy.person_id


def subscription_location(subscription_id: uuid.UUID) -> str:
    return f"/v1/webhooks/subscriptions/{subscription_id}"


async def get_owned(
    session: AsyncSession, host: WebhookHost, principal: Principal, subscription_id: uuid.UUID
) -> Any:
    """The caller's subscription; 404 when it is missing or someone else's."""
    model = host.tables.subscription
    row = await session.get(model, subscription_id)
    if row is None or row.owner != principal.subject:
        raise not_found("No such webhook subscription.")
    return row


async def create_subscription(
    session: AsyncSession,
    host: WebhookHost,
    principal: Principal,
    body: SubscriptionIn,
    idempotency: IdempotentRequest | None,
) -> StoredResponse:
    tenancy = host.tenancy_of(principal)
    model = host.tables.subscription

    async def create() -> StoredResponse:
        owned = await session.scalar(
            select(func.count()).select_from(model).where(model.owner == principal.subject)
        )
        if (owned or 0) >= host.max_subscriptions_per_owner:
            raise conflict(
                f"At most {host.max_subscriptions_per_owner} subscriptions per client; "
                "delete one first."
            )
        row = model(
            owner=principal.subject,
            url=await _checked_url(host, body.url),
            description=body.description,
            event_types=_checked_event_types(host, body.event_types),
            status=SubscriptionStatus.ACTIVE,
            secret=_checked_secret(body.secret),
        )
        _apply_tenancy(row, tenancy)
        session.add(row)
        await session.flush()
        out = SubscriptionCreated.of(row, secret=row.secret)
        headers = {"Location": subscription_location(row.id), "ETag": etag_for(row.version)}
        return StoredResponse.json(201, out, headers=headers)

    return await IdempotencyStore(host.idempotency_model).run(session, idempotency, create)


async def list_subscriptions(
    session: AsyncSession, host: WebhookHost, principal: Principal, params: PageParams
) -> tuple[list[Any], str | None]:
    model = host.tables.subscription
    statement = select(model).where(model.owner == principal.subject)
    return await paginate(session, statement, order_by=(model.created_at, model.id), params=params)


async def update_subscription(
    session: AsyncSession,
    host: WebhookHost,
    principal: Principal,
    subscription_id: uuid.UUID,
    body: SubscriptionPatch,
    expected: int,
) -> Any:
    row = await get_owned(session, host, principal, subscription_id)
    check_version(row.version, expected)
    tenancy = host.tenancy_of(principal)
    if body.url is not None:
        row.url = await _checked_url(host, body.url)
    if body.event_types is not None:
        row.event_types = _checked_event_types(host, body.event_types)
    if "description" in body.model_fields_set:
        row.description = body.description
    _apply_tenancy(row, tenancy)
    if body.status == "active":
        row.status = SubscriptionStatus.ACTIVE
        row.disabled_reason = None
        row.disabled_at = None
    await session.flush()  # the version check of this UPDATE runs here
    if body.status == "disabled" and row.status == SubscriptionStatus.ACTIVE:
        await disable_subscription(session, host.tables, row.id, "disabled by its owner")
    await session.commit()
    await session.refresh(row)
    return row


async def delete_subscription(
    session: AsyncSession, host: WebhookHost, principal: Principal, subscription_id: uuid.UUID
) -> None:
    """Deletes the subscription with its deliveries and their attempts."""
    row = await get_owned(session, host, principal, subscription_id)
    await session.delete(row)
    await session.commit()


async def rotate_secret(
    session: AsyncSession,
    host: WebhookHost,
    principal: Principal,
    subscription_id: uuid.UUID,
    body: SecretRotationIn,
    expected: int,
) -> Any:
    """A new current secret; the old one keeps signing for ``previous_valid_for_seconds`` so
    the receiver can switch without losing a delivery. Needs If-Match, so a retried rotation
    cannot silently throw away the secret the first one returned."""
    row = await get_owned(session, host, principal, subscription_id)
    check_version(row.version, expected)
    secret = _checked_secret(body.secret)
    if secret in (row.secret, row.previous_secret):
        raise _invalid("body.secret", "must differ from the current and previous secrets")
    row.previous_secret = row.secret
    row.previous_secret_expires_at = utcnow() + timedelta(seconds=body.previous_valid_for_seconds)
    row.secret = secret
    await session.commit()
    return row
