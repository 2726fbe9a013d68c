"""One trace from a school PUT in scheduling to its application in reviews and knowledge: the
W3C trace context rides in the CloudEvent through the outbox and NATS (in-memory exporter)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from common.observability.tracing import use_tracer_provider
from common.testing.apps import eventually
from tests.e2e.conftest import System
from tests.support import TokenFactory, bearer

SCHOOL = {"name": "Traced Primary", "phase": "primary", "la_code": "881", "status": "open"}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for the apps this test builds (before the ``system`` fixture), off after."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    use_tracer_provider(provider)
    yield exporter
    use_tracer_provider(None)


# ``spans`` before ``system``: the apps are built (and instrumented) once tracing is on.
async def test_one_trace_spans_the_request_the_outbox_and_both_consumers(
    spans: InMemorySpanExporter, system: System, issue_token: TokenFactory
) -> None:
    headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    created = await system.scheduling.put("/v1/schools/152000", json=SCHOOL, headers=headers)
    assert created.status_code == 201

    def consumers() -> list[ReadableSpan]:
        return [s for s in spans.get_finished_spans() if s.kind is SpanKind.CONSUMER]

    async def both_applied() -> bool:
        names = {s.name for s in consumers()}
        return {"reviews-directory process", "knowledge-directory process"} <= names

    await eventually(both_applied, within=60, interval=0.2)
    finished = spans.get_finished_spans()
    [server] = [
        s
        for s in finished
        if s.kind is SpanKind.SERVER and s.attributes.get("http.route") == "/v1/schools/{urn}"
    ]
    trace_id = server.context.trace_id
    applied = [s for s in consumers() if s.name.endswith("-directory process")]
    assert {s.context.trace_id for s in applied} == {trace_id}
    for span in applied:
        assert span.parent is not None
        assert span.attributes["cloudevents.event_type"].endswith("school.registered.v1")
    # The handlers' statements are spans of the same trace, below the consumer spans.
    consumer_ids = {s.context.span_id for s in applied}
    assert any(
        s.parent is not None and s.parent.span_id in consumer_ids and s.kind is SpanKind.CLIENT
        for s in finished
    )
