"""The knowledge service. ``uvicorn --factory knowledge.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from common.http.app import create_service_app
from common.runtime import ConsumerSpec, ServiceRuntime, StreamSpec
from knowledge.brokering.router import router as brokering_router
from knowledge.config import KnowledgeSettings
from knowledge.db import InboxMessage, OutboxMessage
from knowledge.directory.handlers import SUBJECT_FILTERS, handle_directory_event
from knowledge.insight.router import router as insight_router
from knowledge.library.router import router as library_router
from knowledge.measure.router import router as measure_router
from knowledge.openapi_extras import OPENAPI
from knowledge.review.handlers import (
    PLAN_SUBJECT_FILTERS,
    REVIEW_SUBJECT_FILTERS,
    ReviewEventHandler,
    handle_plan_event,
)
from knowledge.search.router import router as search_router
from knowledge.seed import Seeder
from knowledge.theme.router import router as theme_router

DESCRIPTION = """
What partnerships, trusts and councils learn across reviews: themes, aggregates and the
evidence library. Keeps a read model of the directory from the `SCHEDULING` stream, ingests the
reviews' reports, action plans and 90-day reviews from the `REVIEWS` stream (only what each
partnership's data-sharing agreement allows), and publishes on the `KNOWLEDGE` stream.

Insights (`/v1/insights`) are read from rollups the event handlers keep; above the partnership
only aggregates are shown, and a figure about fewer schools than the agreement's threshold is
suppressed, with complementary suppression so that none can be worked out from the others.

The theme taxonomy (`/v1/themes`) is global and versioned: every edit publishes the whole
taxonomy as `knowledge.taxonomy.updated`. The research library (`/v1/evidence-library`) maps
published sources to themes. Reading needs `knowledge:read`, editing `knowledge:admin`.
"""


# Reports come in bursts (a partnership's reviews published in the same weeks): consecutive
# deliveries are applied 64 to a transaction (a whole fetch; see common.messaging.consumer,
# "Batches"), so the rollup rows they share are written once (common.db.deferred).
TRANSACTION_BATCH = 64


def consumers(settings: KnowledgeSettings) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            stream="SCHEDULING",
            durable="knowledge-directory",
            filter_subjects=SUBJECT_FILTERS,
            handler=handle_directory_event,
        ),
        ConsumerSpec(
            stream="REVIEWS",
            durable="knowledge-reviews",
            filter_subjects=REVIEW_SUBJECT_FILTERS,
            handler=ReviewEventHandler(settings),
            transaction_batch=TRANSACTION_BATCH,
        ),
        ConsumerSpec(
            stream="SCHEDULING",
            durable="knowledge-schedule",
            filter_subjects=PLAN_SUBJECT_FILTERS,
            handler=handle_plan_event,
            transaction_batch=TRANSACTION_BATCH,
        ),
    ]


def create_app(settings: KnowledgeSettings | None = None) -> FastAPI:
    settings = settings or KnowledgeSettings()
    runtime = ServiceRuntime(
        settings=settings,
        outbox_model=OutboxMessage,
        inbox_model=InboxMessage,
        streams=[StreamSpec("KNOWLEDGE", ["knowledge.>"])],
        consumers=consumers(settings),
    )
    seeder = Seeder(runtime)
    return create_service_app(
        title="Critical Friend: knowledge",
        version="1.0.0",
        description=DESCRIPTION,
        settings=settings,
        openapi=OPENAPI,
        lifespan=seeder.lifespan(),
        routers=[
            theme_router,
            library_router,
            insight_router,
            measure_router,
            search_router,
            brokering_router,
        ],
        readiness=seeder.readiness,
    )
