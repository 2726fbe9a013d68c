"""Prometheus metrics of one process, served at ``/metrics`` (never through the public gateway).

The instruments are module-level, as the client library intends: one registry per process, and a
process runs one service (tests that run several apps in one process tell them apart by the
``service`` label). Figures that need a query (the outbox backlog, consumer lag, the pool) are
read when scraped, by the async *refreshers* an app registers (:func:`add_refresher`), so a
scrape always shows the present and nothing polls when nobody looks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import Scope

from common.logging import get_logger

_log = get_logger(__name__)

Refresher = Callable[[], Awaitable[None]]

# Latency buckets for an API whose reads take milliseconds and whose slow writes take a second.
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "cf_http_requests_total",
    "HTTP requests answered, by route template, method and status.",
    ["service", "route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "cf_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template.",
    ["service", "route", "method"],
    buckets=_HTTP_BUCKETS,
)
OUTBOX_PUBLISHED = Counter(
    "cf_outbox_published_total", "Outbox rows published to NATS and acknowledged.", ["service"]
)
OUTBOX_WAITING = Gauge(
    "cf_outbox_waiting", "Outbox rows not yet published (read at scrape time).", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "cf_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row; 0 when none waits (read at scrape time).",
    ["service"],
)
CONSUMER_EVENTS = Counter(
    "cf_consumer_events_total",
    "Deliveries settled by a consumer, by outcome: applied, duplicate, parked, dead.",
    ["service", "consumer", "outcome"],
)
CONSUMER_PENDING = Gauge(
    "cf_consumer_pending",
    "Messages in the stream not yet delivered to the consumer (read at scrape time).",
    ["service", "consumer"],
)
CONSUMER_ACK_PENDING = Gauge(
    "cf_consumer_ack_pending",
    "Messages delivered to the consumer and not yet acknowledged (read at scrape time).",
    ["service", "consumer"],
)
CONSUMER_OLDEST_PENDING_AGE = Gauge(
    "cf_consumer_oldest_pending_age_seconds",
    "Age of the oldest event the consumer has still to apply; 0 when none (read at scrape time).",
    ["service", "consumer"],
)
CONSUMER_STREAM_MAX_AGE = Gauge(
    "cf_consumer_stream_max_age_seconds",
    "The max_age of the consumer's stream (0: kept forever): an event older than this is "
    "removed whether or not the consumer applied it.",
    ["service", "consumer"],
)
DEAD_LETTERS = Counter(
    "cf_dead_letters_total",
    "Events sent to the DEADLETTER stream by a consumer.",
    ["service", "consumer"],
)
WEBHOOK_ATTEMPTS = Counter(
    "cf_webhook_attempts_total",
    "Webhook delivery attempts, by outcome (delivered, retry, failed, disabled, withheld).",
    ["service", "outcome"],
)
WEBHOOK_ATTEMPT_NUMBER = Histogram(
    "cf_webhook_attempt_number",
    "Which attempt of its delivery each attempt was (1 is the first try).",
    ["service"],
    buckets=(1, 2, 3, 4, 5, 6, 7, 8),
)
JOB_DURATION = Histogram(
    "cf_job_duration_seconds",
    "Duration of long jobs (schedule solving, GIAS imports), by kind and final status.",
    ["service", "kind", "status"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
DB_POOL_IN_USE = Gauge(
    "cf_db_pool_connections_in_use",
    "Database connections checked out of the pool (read at scrape time).",
    ["service"],
)
DB_POOL_OVERFLOW = Gauge(
    "cf_db_pool_overflow",
    "Connections open beyond the pool's size; negative while the pool is not full (read at "
    "scrape time).",
    ["service"],
)


def route_template(scope: Scope) -> str:
    """The matched route's template (``/v1/schools/{urn}``), never the raw path: raw paths would
    make a series per school and would put secrets (feed URLs) into the metrics."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def observe_request(service: str, scope: Scope, status: int, seconds: float) -> None:
    route = route_template(scope)
    method = str(scope.get("method", ""))
    HTTP_REQUESTS.labels(service, route, method, str(status)).inc()
    HTTP_LATENCY.labels(service, route, method).observe(seconds)


def current_service() -> str:
    """The service of the running task: the lifespan binds it (``configure_logging``) and the
    relay's and consumers' tasks inherit it, so messaging code needs no service argument."""
    return str(structlog.contextvars.get_contextvars().get("service", "unknown"))


def count_consumer_outcome(consumer: str, outcome: str) -> None:
    CONSUMER_EVENTS.labels(current_service(), consumer, outcome).inc()


def count_dead_letter(consumer: str) -> None:
    DEAD_LETTERS.labels(current_service(), consumer).inc()


def count_published(rows: int) -> None:
    if rows:
        OUTBOX_PUBLISHED.labels(current_service()).inc(rows)


def count_webhook_attempt(outcome: str, attempt_number: int) -> None:
    service = current_service()
    WEBHOOK_ATTEMPTS.labels(service, outcome).inc()
    WEBHOOK_ATTEMPT_NUMBER.labels(service).observe(attempt_number)


def observe_job(service: str, kind: str, status: str, seconds: float) -> None:
    JOB_DURATION.labels(service, kind, status).observe(seconds)


async def render(refreshers: list[Refresher]) -> tuple[bytes, str]:
    """The exposition text after every refresher ran; a failing one leaves its gauges as they
    were (a scrape must not fail because NATS or the database is away)."""
    for refresh in refreshers:
        try:
            await refresh()
        except Exception as exc:  # logged, not raised: the rest of the metrics still count
            _log.warning("metrics_refresh_failed", refresher=repr(refresh), error=repr(exc))
    return generate_latest(), CONTENT_TYPE_LATEST
