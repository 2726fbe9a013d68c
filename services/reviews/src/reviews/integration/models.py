"""The webhook tables of the reviews service, from the generic mixins (``common.webhooks``)."""

from __future__ import annotations

from common.webhooks import (
    WebhookAttemptMixin,
    WebhookDeliveryMixin,
    WebhookSubscriptionMixin,
    WebhookTables,
)
from reviews.db import Base


class WebhookSubscription(WebhookSubscriptionMixin, Base):
    __tablename__ = "webhook_subscriptions"


class WebhookDelivery(WebhookDeliveryMixin, Base):
    __tablename__ = "webhook_deliveries"


class WebhookAttempt(WebhookAttemptMixin, Base):
    __tablename__ = "webhook_attempts"


WEBHOOKS = WebhookTables(WebhookSubscription, WebhookDelivery, WebhookAttempt)
