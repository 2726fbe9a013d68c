"""The reviews service. ``uvicorn --factory reviews.main:create_app``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from common.http.app import create_service_app
from common.runtime import ConsumerSpec, ServiceRuntime, StreamSpec
from readmodel.directory import consumer as directory_consumer
from reviews.config import ReviewsSettings
from reviews.db import IdempotencyRecord, InboxMessage, OutboxMessage
from reviews.digest.router import router as digest_router
from reviews.directory.service import directory
from reviews.embedded.router import router as embedded_router
from reviews.evaluation.router import router as evaluation_router
from reviews.evidence.router import router as evidence_router
from reviews.feedback.router import router as feedback_router
from reviews.finding.router import router as finding_router
from reviews.focus.router import router as focus_router
from reviews.integration.catalog import SOURCES, STREAM
from reviews.integration.catalog import SUBJECT_FILTERS as INTEGRATION_FILTERS
from reviews.integration.handlers import handle_review_event
from reviews.integration.router import integration_routers
from reviews.integration.service import webhook_dispatcher
from reviews.interim.router import router as interim_router
from reviews.milestone.service import run_sweeper
from reviews.openapi_extras import OPENAPI
from reviews.oversight.router import router as oversight_router
from reviews.progress.router import router as progress_router
from reviews.report.router import router as report_router
from reviews.review.handlers import HANDLERS as SCHEDULE_HANDLERS
from reviews.review.router import router as review_router
from reviews.self_evaluation.router import router as self_evaluation_router
from reviews.support.router import router as support_router
from reviews.taxonomy.handlers import HANDLERS as TAXONOMY_HANDLERS
from reviews.workshop.router import router as workshop_router

DESCRIPTION = """
Review records from self-review to the 90-day check. Keeps a read model of the directory
(schools, partnerships, members, data-sharing agreements) from the `SCHEDULING` stream and of the
theme taxonomy from the `KNOWLEDGE` stream, and publishes on the `REVIEWS` stream. Reviews
arrive from the schedule (`scheduling.review.*`) and move through their lifecycle by explicit
transitions, each kept in the review's history.

Integrators follow the lifecycle without polling: Standard Webhooks (`/v1/webhooks`), a live
Server-Sent Events stream (`/v1/events/stream`) and a paged feed (`/v1/events`), each carrying
only the events the token's tenancy covers.
"""


def create_app(settings: ReviewsSettings | None = None) -> FastAPI:
    settings = settings or ReviewsSettings()
    runtime = ServiceRuntime(
        settings=settings,
        outbox_model=OutboxMessage,
        inbox_model=InboxMessage,
        idempotency_model=IdempotencyRecord,
        streams=[StreamSpec("REVIEWS", ["reviews.>"]), StreamSpec(STREAM, sources=SOURCES)],
        consumers=[
            directory_consumer(directory, durable="reviews-directory"),
            ConsumerSpec.dispatching(
                stream="SCHEDULING", durable="reviews-schedule", handlers=SCHEDULE_HANDLERS
            ),
            ConsumerSpec.dispatching(
                stream="KNOWLEDGE", durable="reviews-taxonomy", handlers=TAXONOMY_HANDLERS
            ),
            ConsumerSpec(
                stream=STREAM,
                durable="reviews-webhooks",
                filter_subjects=INTEGRATION_FILTERS,
                handler=handle_review_event,
            ),
        ],
    )
    runtime_lifespan = runtime.lifespan()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(app):
            assert runtime.database is not None
            if not settings.runs_worker:  # the API role: HTTP only
                yield
                return
            sweeper = None
            if settings.milestone_sweep_seconds > 0:
                sweeping = run_sweeper(runtime.database, settings.milestone_sweep_seconds)
                sweeper = asyncio.create_task(sweeping, name="milestone-sweeper")
            # Every worker dispatches: deliveries are claimed, never sent twice at once.
            dispatcher = webhook_dispatcher(runtime.database, settings)
            dispatching = asyncio.create_task(dispatcher.run(), name="webhook-dispatcher")
            try:
                yield
            finally:
                await dispatcher.stop()
                with contextlib.suppress(asyncio.CancelledError):
                    await dispatching
                if sweeper is not None:
                    sweeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sweeper

    return create_service_app(
        title="Critical Friend: reviews",
        version="1.0.0",
        description=DESCRIPTION,
        settings=settings,
        openapi=OPENAPI,
        lifespan=lifespan,
        routers=[
            review_router,
            embedded_router,
            self_evaluation_router,
            focus_router,
            evidence_router,
            finding_router,
            report_router,
            workshop_router,
            interim_router,
            support_router,
            progress_router,
            feedback_router,
            evaluation_router,
            oversight_router,
            digest_router,
            *integration_routers(settings),
        ],
        readiness=runtime.readiness,
    )
