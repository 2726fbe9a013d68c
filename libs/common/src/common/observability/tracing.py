"""OpenTelemetry traces: one trace from an HTTP request through the outbox, NATS, the consuming
service's handler and a webhook delivery.

Off by default: nothing is instrumented, so an untraced process pays nothing. Tracing is on when
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set, which makes a
provider exporting with OTLP over HTTP, or after :func:`use_tracer_provider` (the tests give one
with an in-memory exporter, and take it back after). The provider is ours, not OpenTelemetry's
global one, so a test can switch tracing on and off again in one process.

The trace context survives the outbox because it travels *in the event*: ``add_event`` stamps
the current span's W3C ``traceparent``/``tracestate`` on the CloudEvent (the CloudEvents
distributed-tracing extension), and a consumer's handler runs in a span whose parent is that
context, as does a webhook delivery of the event.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.ext.asyncio import AsyncEngine

_TRACER_NAME = "critical-friend"
_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
# Probes and scrapes would be most of the spans and say nothing.
_UNTRACED_URLS = "healthz,livez,readyz,metrics"
_provider: TracerProvider | None = None


def use_tracer_provider(provider: TracerProvider | None) -> None:
    """Trace with ``provider`` from now on (None: stop). httpx is instrumented while on."""
    global _provider
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    instrumentor = HTTPXClientInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    _provider = provider
    if provider is not None:
        # Client spans, and ``traceparent`` sent, for every httpx request: webhook deliveries.
        instrumentor.instrument(tracer_provider=provider)


def tracing_active() -> bool:
    return _provider is not None


def configure_tracing(service_name: str) -> bool:
    """Make the OTLP exporter if an endpoint is configured and tracing is not on yet. Returns
    whether tracing is on. Called when an app is built, never at import."""
    if _provider is None and any(os.environ.get(name) for name in _ENDPOINT_VARIABLES):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        name = os.environ.get("OTEL_SERVICE_NAME") or f"critical-friend-{service_name}"
        provider = TracerProvider(resource=Resource.create({"service.name": name}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        use_tracer_provider(provider)
    return tracing_active()


def instrument_app(app: FastAPI) -> None:
    """Server spans for the app's requests (probes and scrapes left out)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, excluded_urls=_UNTRACED_URLS)


def instrument_engine(engine: AsyncEngine) -> None:
    """A span per statement, when tracing is on."""
    if _provider is not None:
        # The instrumentation's tracer for one engine. SQLAlchemyInstrumentor().instrument()
        # would also wrap create_engine process-wide, and only once per process.
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        from opentelemetry.metrics import NoOpMeterProvider

        tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", None, _provider)
        meter = NoOpMeterProvider().get_meter("opentelemetry.instrumentation.sqlalchemy")
        usage = meter.create_up_down_counter("db.client.connections.usage")
        EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def current_trace_context() -> dict[str, str]:
    """The current span's ``traceparent`` (and ``tracestate``), empty when there is none."""
    if not tracing_active():
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {key: value for key, value in carrier.items() if key in ("traceparent", "tracestate")}


@contextmanager
def _span_from(
    carrier: dict[str, str], name: str, kind: SpanKind, attributes: dict[str, Any]
) -> Iterator[None]:
    parent = propagate.extract(carrier)
    token = otel_context.attach(parent)
    try:
        tracer = trace.get_tracer(_TRACER_NAME, tracer_provider=_provider)
        with tracer.start_as_current_span(name, kind=kind, attributes=attributes):
            yield
    finally:
        otel_context.detach(token)


def consumer_span(
    consumer: str, event_id: str, event_type: str, traceparent: str | None, tracestate: str | None
) -> Any:
    """The span a handler runs in: a child of the trace the event carries (or a new trace)."""
    if not tracing_active():
        return nullcontext()
    carrier = {"traceparent": traceparent or "", "tracestate": tracestate or ""}
    attributes = {
        "messaging.system": "nats",
        "messaging.consumer.group.name": consumer,
        "messaging.message.id": event_id,
        "cloudevents.event_type": event_type,
    }
    return _span_from(carrier, f"{consumer} process", SpanKind.CONSUMER, attributes)


def delivery_span(payload: str, message_id: str) -> Any:
    """The span of one webhook attempt, in the trace of the event it delivers (when the body is
    a CloudEvent that carries one)."""
    if not tracing_active():
        return nullcontext()
    carrier: dict[str, str] = {}
    try:
        body = json.loads(payload)
    except ValueError:
        body = None
    if isinstance(body, dict):
        carrier = {k: str(body[k]) for k in ("traceparent", "tracestate") if body.get(k)}
    attributes = {"webhook.message_id": message_id}
    return _span_from(carrier, "webhook deliver", SpanKind.PRODUCER, attributes)
