"""The scheduling service: the directory of schools, trusts, partnerships and people
(``scheduling.directory``) and the planning of the year's reviews (``scheduling.planning``).
``uvicorn --factory scheduling.main:create_app``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from common.http.app import create_service_app
from common.runtime import ServiceRuntime, StreamSpec
from scheduling.bodylimit import override_body_limits
from scheduling.config import SchedulingSettings
from scheduling.db import IdempotencyRecord, InboxMessage, OutboxMessage
from scheduling.directory.agreement.router import router as agreement_router
from scheduling.directory.area.router import router as area_router
from scheduling.directory.calendar.router import router as calendar_router
from scheduling.directory.coverage.router import router as coverage_router
from scheduling.directory.cycle.router import partnership_cycles_router
from scheduling.directory.cycle.router import router as cycle_router
from scheduling.directory.deletions.router import router as tombstone_router
from scheduling.directory.gias.router import router as import_router
from scheduling.directory.gias.worker import ImportRunner
from scheduling.directory.partnership.router import router as partnership_router
from scheduling.directory.person.router import router as person_router
from scheduling.directory.school.router import router as school_router
from scheduling.directory.trust.router import router as trust_router
from scheduling.openapi_extras import OPENAPI
from scheduling.planning.feeds.router import router as feed_router
from scheduling.planning.forecast.router import la_router as la_forecast_router
from scheduling.planning.forecast.router import partnership_router as forecast_router
from scheduling.planning.jobs.router import router as schedule_job_router
from scheduling.planning.jobs.worker import ScheduleRunner
from scheduling.planning.meetings.router import router as meeting_router
from scheduling.planning.people.router import router as planning_people_router
from scheduling.planning.reviews.router import router as planned_review_router
from scheduling.planning.schedules.router import router as schedule_router

DESCRIPTION = """
The directory of schools, trusts and partnerships, and each partnership's data-sharing
agreement; schools, trusts and links are imported from the DfE GIAS extracts (`/v1/imports`).
Changes are published as CloudEvents on the `SCHEDULING` stream
(`scheduling.<aggregate>.<event>.v1.<la>.<partnership>.<urn>`).
"""


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    runtime = ServiceRuntime(
        settings=settings,
        outbox_model=OutboxMessage,
        inbox_model=InboxMessage,
        idempotency_model=IdempotencyRecord,
        streams=[StreamSpec("SCHEDULING", ["scheduling.>"])],
    )
    runtime_lifespan = runtime.lifespan()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(app):
            assert runtime.database is not None
            imports = ImportRunner(runtime.database, settings)
            await imports.recover()
            app.state.imports = imports
            schedules = ScheduleRunner(runtime.database, settings)
            app.state.schedules = schedules
            await schedules.recover()
            try:
                yield
            finally:
                await schedules.stop()
                await imports.stop()

    app = create_service_app(
        title="Critical Friend: scheduling",
        version="1.0.0",
        description=DESCRIPTION,
        settings=settings,
        openapi=OPENAPI,
        lifespan=lifespan,
        routers=[
            school_router,
            trust_router,
            partnership_router,
            agreement_router,
            import_router,
            person_router,
            planning_people_router,
            calendar_router,
            cycle_router,
            partnership_cycles_router,
            schedule_job_router,
            schedule_router,
            planned_review_router,
            meeting_router,
            feed_router,
            tombstone_router,
            coverage_router,
            area_router,
            forecast_router,
            la_forecast_router,
        ],
        readiness=runtime.readiness,
    )
    override_body_limits(
        app,
        max_body_bytes=settings.max_body_bytes,
        overrides={"/v1/imports": settings.import_max_body_bytes},
    )
    return app
