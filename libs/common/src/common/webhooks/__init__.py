"""Webhooks by the Standard Webhooks specification: subscriptions with a tenancy filter,
signed deliveries, retries with backoff, a delivery log, replay and ping. Generic: a service
declares the tables (:mod:`common.webhooks.models`), calls :func:`fan_out` from a consumer of
its own stream, runs a :class:`WebhookDispatcher`, and mounts :func:`webhook_router`."""

from common.webhooks.destinations import (
    DestinationPolicy,
    DestinationRefusedError,
    check_destination,
)
from common.webhooks.dispatcher import WebhookDispatcher
from common.webhooks.fanout import fan_out
from common.webhooks.host import PING_EVENT_TYPE, WebhookHost, tenancy_from_claims
from common.webhooks.models import (
    DeliveryStatus,
    SubscriptionStatus,
    WebhookAttemptMixin,
    WebhookDeliveryMixin,
    WebhookSubscriptionMixin,
    WebhookTables,
)
from common.webhooks.retry import DEFAULT_DELAYS, RetryPolicy
from common.webhooks.router import webhook_router
from common.webhooks.signing import new_secret, signature_headers
from common.webhooks.tenancy import EventTenancy, TenancyFilter

__all__ = [
    "DEFAULT_DELAYS",
    "PING_EVENT_TYPE",
    "DeliveryStatus",
    "DestinationPolicy",
    "DestinationRefusedError",
    "EventTenancy",
    "RetryPolicy",
    "SubscriptionStatus",
    "TenancyFilter",
    "WebhookAttemptMixin",
    "WebhookDeliveryMixin",
    "WebhookDispatcher",
    "WebhookHost",
    "WebhookSubscriptionMixin",
    "WebhookTables",
    "check_destination",
    "fan_out",
    "new_secret",
    "signature_headers",
    "tenancy_from_claims",
    "webhook_router",
]
