"""The knowledge service. ``uvicorn --factory knowledge.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from common.http.app import create_service_app
from common.runtime import ConsumerSpec, ServiceRuntime, StreamSpec
from knowledge.answers.brokering.router import router as brokering_router
from knowledge.answers.insight.router import router as insight_router
from knowledge.answers.library.router import router as library_router
from knowledge.answers.measure.router import router as measure_router
from knowledge.answers.search.router import router as search_router
from knowledge.config import KnowledgeSettings
from knowledge.db import InboxMessage, OutboxMessage
from knowledge.intake.review.handlers import PLAN_HANDLERS, review_handlers
from knowledge.intake.review.visibility import directory
from knowledge.intake.theme.router import router as theme_router
from knowledge.openapi_extras import OPENAPI
from knowledge.seed import Seeder
from readmodel.directory import consumer as directory_consumer

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
        directory_consumer(directory, durable="knowledge-directory"),
        ConsumerSpec.dispatching(
            stream="REVIEWS",
            durable="knowledge-reviews",
            handlers=review_handlers(settings),
            transaction_batch=TRANSACTION_BATCH,
        ),
        ConsumerSpec.dispatching(
            stream="SCHEDULING",
            durable="knowledge-schedule",
            handlers=PLAN_HANDLERS,
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
