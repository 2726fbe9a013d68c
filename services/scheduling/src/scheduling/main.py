"""The scheduling service: the directory of schools and partnerships (and, later, the year's
review schedule). ``uvicorn --factory scheduling.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from common.http.app import create_service_app
from common.runtime import ServiceRuntime, StreamSpec
from scheduling.config import SchedulingSettings
from scheduling.db import IdempotencyRecord, InboxMessage, OutboxMessage
from scheduling.partnership.router import router as partnership_router
from scheduling.school.router import router as school_router

DESCRIPTION = """
The directory of schools, trusts and partnerships, and each partnership's data-sharing
agreement. Changes are published as CloudEvents on the `SCHEDULING` stream
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
    return create_service_app(
        title="Critical Friend: scheduling",
        version="1.0.0",
        description=DESCRIPTION,
        settings=settings,
        lifespan=runtime.lifespan(),
        routers=[school_router, partnership_router],
        readiness=runtime.readiness,
    )
