"""``/v1/webhooks`` and ``/v1/events``: the generic routers, hosted for the review events."""

from __future__ import annotations

from fastapi import APIRouter

from common.eventstream import EventsHost, events_router
from common.webhooks import WebhookHost, webhook_router
from reviews.config import ReviewsSettings
from reviews.db import IdempotencyRecord
from reviews.integration.catalog import EVENT_TYPES, STREAM, SUBJECT_FILTERS
from reviews.integration.models import WEBHOOKS
from reviews.integration.service import destinations, page_visibility, stream_visibility

READ_SCOPE = "reviews:read"
WRITE_SCOPE = "reviews:write"


def integration_routers(settings: ReviewsSettings) -> list[APIRouter]:
    webhooks = WebhookHost(
        tables=WEBHOOKS,
        idempotency_model=IdempotencyRecord,
        read_scope=READ_SCOPE,
        write_scope=WRITE_SCOPE,
        event_types=EVENT_TYPES,
        source="/reviews",
        destinations=destinations(settings),
    )
    events = EventsHost(
        stream=STREAM,
        scope=READ_SCOPE,
        visibility=stream_visibility,
        page_visibility=page_visibility,
        filter_subjects=SUBJECT_FILTERS,
    )
    return [webhook_router(webhooks), events_router(events)]
