"""The tables of webhook delivery, as mixins a service puts on its own declarative base::

    class WebhookSubscription(WebhookSubscriptionMixin, Base):
        __tablename__ = "webhook_subscriptions"

    class WebhookDelivery(WebhookDeliveryMixin, Base):
        __tablename__ = "webhook_deliveries"

    class WebhookAttempt(WebhookAttemptMixin, Base):
        __tablename__ = "webhook_attempts"

    WEBHOOKS = WebhookTables(WebhookSubscription, WebhookDelivery, WebhookAttempt)

The foreign keys name the default table names; a service that uses others sets
``__subscriptions_table__`` on its delivery class and ``__deliveries_table__`` on its attempt
class. Deleting a subscription deletes its deliveries and their attempts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from common.clock import utcnow
from common.db.base import UTCDateTime, VersionedMixin
from common.ids import new_id
from common.messaging.outbox import AutoIncrementId


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # by its owner, or by the receiver answering 410 Gone


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (or being attempted)
    DELIVERED = "delivered"  # a 2xx answer
    FAILED = "failed"  # retries used up, or the subscription was disabled


class WebhookSubscriptionMixin(VersionedMixin):
    """A URL that receives the events of some types that its owner's tenancy covers.

    The tenancy filter (LA codes, trusts, partnerships, schools and the token's person) is
    copied from the owner's token when the subscription is created, so a subscription never
    sees more than the token that made it. ``secret`` signs every
    delivery; after a rotation ``previous_secret`` signs too until ``previous_secret_expires_at``.
    """

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(255), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    event_types: Mapped[list[str]] = mapped_column(JSON)
    la_codes: Mapped[list[str]] = mapped_column(JSON)
    trusts: Mapped[list[str]] = mapped_column(JSON)
    partnerships: Mapped[list[str]] = mapped_column(JSON)
    schools: Mapped[list[str]] = mapped_column(JSON)
    person_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.ACTIVE, index=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    secret: Mapped[str] = mapped_column(String(200))
    previous_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery sent at ``now``: the current one, and the previous
        one while it has not expired (the receiver may not have switched yet)."""
        secrets = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret is not None and expires is not None and now < expires:
            secrets.append(self.previous_secret)
        return secrets


class WebhookDeliveryMixin:
    """One event for one subscription. ``message_id`` is the event id (the ``webhook-id``
    header, which receivers use to drop duplicates); ``payload`` is the exact body signed.

    ``next_attempt_at`` is when a dispatcher may take it; taking it pushes that time past the
    lease and sets ``claim``, so no other dispatcher sends it meanwhile, and a dispatcher that
    died mid-send leaves it to be taken again once the lease ends.
    """

    __subscriptions_table__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claim: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    last_response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @declared_attr
    @classmethod
    def subscription_id(cls) -> Mapped[uuid.UUID]:
        target = f"{cls.__subscriptions_table__}.id"
        return mapped_column(Uuid, ForeignKey(target, ondelete="CASCADE"))

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        table = cls.__tablename__  # type: ignore[attr-defined]
        pending = text("status = 'pending'")
        return (
            # One delivery per subscription and event: a fan-out that runs twice adds nothing.
            UniqueConstraint("subscription_id", "message_id", name=f"uq_{table}_message"),
            Index(f"ix_{table}_log", "subscription_id", "created_at", "id"),
            Index(
                f"ix_{table}_due",
                "next_attempt_at",
                postgresql_where=pending,
                sqlite_where=pending,
            ),
        )


class WebhookAttemptMixin:
    """One HTTP request of a delivery: when, how long, and what came back (a status code, or
    the error when there was no answer)."""

    __deliveries_table__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)

    @declared_attr
    @classmethod
    def delivery_id(cls) -> Mapped[uuid.UUID]:
        target = f"{cls.__deliveries_table__}.id"
        return mapped_column(Uuid, ForeignKey(target, ondelete="CASCADE"), index=True)


@dataclass(frozen=True)
class WebhookTables:
    """A service's three webhook models, as the functions of this package take them."""

    subscription: type[Any]
    delivery: type[Any]
    attempt: type[Any]
