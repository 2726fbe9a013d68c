"""``/metrics`` after a small walk: the request, outbox and consumer series move by exactly what
was done, and figures read at scrape time (the outbox backlog) come back to zero."""

from __future__ import annotations

from common.testing.apps import eventually
from common.testing.metrics import sample
from tests.e2e.conftest import System
from tests.support import TokenFactory, bearer

SCHOOL = {"name": "Metrics Primary", "phase": "primary", "la_code": "881", "status": "open"}
PUT_SCHOOL = {"route": "/v1/schools/{urn}", "method": "PUT"}


async def _metrics(system: System) -> dict[str, str]:
    texts = {}
    for name in ("scheduling", "reviews", "knowledge"):
        answer = await getattr(system, name).get("/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")
        texts[name] = answer.text
    return texts


def _applied(texts: dict[str, str], service: str, consumer: str) -> float:
    return sample(texts[service], "cf_consumer_events_total", consumer=consumer, outcome="applied")


async def test_metrics_count_requests_events_and_consumers(
    system: System, issue_token: TokenFactory
) -> None:
    headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    before = await _metrics(system)

    created = await system.scheduling.put("/v1/schools/151000", json=SCHOOL, headers=headers)
    assert created.status_code == 201
    missing = await system.scheduling.get("/v1/schools/151999", headers=headers)
    assert missing.status_code == 404

    async def settled() -> bool:
        now = await _metrics(system)
        return (
            sample(now["scheduling"], "cf_outbox_waiting", service="scheduling") == 0
            and _applied(now, "reviews", "reviews-directory")
            > _applied(before, "reviews", "reviews-directory")
            and _applied(now, "knowledge", "knowledge-directory")
            > _applied(before, "knowledge", "knowledge-directory")
        )

    await eventually(settled, within=60, interval=0.2)
    after = await _metrics(system)

    def delta(process: str, name: str, **labels: str) -> float:
        return sample(after[process], name, **labels) - sample(before[process], name, **labels)

    # By route template, never by raw path (one series per route, no URNs or secrets).
    assert delta("scheduling", "cf_http_requests_total", **PUT_SCHOOL, status="201") == 1
    assert "/v1/schools/151000" not in after["scheduling"]
    assert (
        delta(
            "scheduling",
            "cf_http_requests_total",
            route="/v1/schools/{urn}",
            method="GET",
            status="404",
        )
        == 1
    )
    assert delta("scheduling", "cf_http_request_duration_seconds_count", **PUT_SCHOOL) == 1
    # One school registered: one event published, applied once by each directory read model.
    assert delta("scheduling", "cf_outbox_published_total", service="scheduling") == 1
    assert sample(after["scheduling"], "cf_outbox_oldest_age_seconds", service="scheduling") == 0
    assert delta("reviews", "cf_consumer_events_total", consumer="reviews-directory") == 1
    assert delta("knowledge", "cf_consumer_events_total", consumer="knowledge-directory") == 1
    assert delta("reviews", "cf_consumer_events_total", outcome="dead") == 0
    assert "cf_consumer_pending" in after["reviews"]
    # Caught up: nothing waits; the test streams keep events forever (max_age 0).
    assert (
        sample(
            after["reviews"], "cf_consumer_oldest_pending_age_seconds", consumer="reviews-directory"
        )
        == 0
    )
    assert (
        sample(after["reviews"], "cf_consumer_stream_max_age_seconds", consumer="reviews-directory")
        == 0
    )
