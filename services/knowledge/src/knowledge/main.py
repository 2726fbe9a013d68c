"""The knowledge service. ``uvicorn --factory knowledge.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from common.http.app import create_service_app
from common.runtime import ConsumerSpec, ServiceRuntime, StreamSpec
from knowledge.config import KnowledgeSettings
from knowledge.db import InboxMessage, OutboxMessage
from knowledge.directory.handlers import SUBJECT_FILTERS, handle_directory_event

DESCRIPTION = """
What partnerships, trusts and councils learn across reviews: themes, aggregates and the
evidence library. Keeps a read model of the directory from the `SCHEDULING` stream, and
publishes on the `KNOWLEDGE` stream.
"""


def create_app(settings: KnowledgeSettings | None = None) -> FastAPI:
    settings = settings or KnowledgeSettings()
    runtime = ServiceRuntime(
        settings=settings,
        outbox_model=OutboxMessage,
        inbox_model=InboxMessage,
        streams=[StreamSpec("KNOWLEDGE", ["knowledge.>"])],
        consumers=[
            ConsumerSpec(
                stream="SCHEDULING",
                durable="knowledge-directory",
                filter_subjects=SUBJECT_FILTERS,
                handler=handle_directory_event,
            )
        ],
    )
    return create_service_app(
        title="Critical Friend: knowledge",
        version="1.0.0",
        description=DESCRIPTION,
        settings=settings,
        lifespan=runtime.lifespan(),
        routers=[],
        readiness=runtime.readiness,
    )
