"""Schemathesis over each service's OpenAPI document, in-process, on SQLite and PostgreSQL: no
5xx, and every response matches the documented status codes, content types, headers and
schemas. PostgreSQL rejects text SQLite stores (NUL), so both databases are fuzzed; fewer
examples on PostgreSQL keep the run short, the SQLite run explores more."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis.python.asgi import shutdown_lifespans

from knowledge.config import KnowledgeSettings
from knowledge.main import create_app as create_knowledge
from reviews.config import ReviewsSettings
from reviews.main import create_app as create_reviews
from scheduling.config import SchedulingSettings
from scheduling.main import create_app as create_scheduling
from tests.fuzz.harness import BACKENDS, CHECKS, service_schema

EXAMPLES = {"sqlite": 25, "postgres": 12}

Env = tuple[Any, dict[str, str]]
#: Responses that never end (Server-Sent Events): a fuzzed call would wait forever. The stream
#: is tested by tests/reviews/test_event_stream.py and tests/common/test_eventstream.py.
ENDLESS = {"GET /v1/events/stream"}


def _env(
    service: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    build: Any,
) -> Iterator[tuple[Env, str]]:
    backend = str(request.param)
    folder = tmp_path_factory.mktemp(f"{service}-{backend}")
    with service_schema(service, folder, build, backend) as env:
        try:
            yield env, backend
        finally:
            shutdown_lifespans()


@pytest.fixture(scope="module", params=BACKENDS)
def scheduling_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Env, str]]:
    yield from _env(
        "scheduling",
        request,
        tmp_path_factory,
        lambda s: create_scheduling(SchedulingSettings(**s)),
    )


@pytest.fixture(scope="module", params=BACKENDS)
def reviews_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Env, str]]:
    yield from _env(
        "reviews", request, tmp_path_factory, lambda s: create_reviews(ReviewsSettings(**s))
    )


@pytest.fixture(scope="module", params=BACKENDS)
def knowledge_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Env, str]]:
    yield from _env(
        "knowledge", request, tmp_path_factory, lambda s: create_knowledge(KnowledgeSettings(**s))
    )


def _wait_ready(schema: Any, within: float = 120.0) -> None:
    """Fuzz a started service: /readyz is 200 once the database, NATS and any start-up work
    (knowledge seeds its taxonomy in the background) are done; fuzzing earlier races them."""
    readyz = schema["/readyz"]["GET"]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if readyz.Case().call().status_code == 200:
            return
        time.sleep(0.1)
    raise TimeoutError(f"service not ready after {within}s")


def _fuzz(env_and_backend: tuple[Env, str]) -> None:
    """Every operation of the schema, each with its own Hypothesis run; all failures reported.

    Driven by hand rather than schemathesis's pytest plugin, which reads a private pytest
    attribute that pytest 9 no longer has."""
    (schema, headers), backend = env_and_backend
    fuzz_settings = settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    _wait_ready(schema)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [o for o in operations if o.label not in ENDLESS]
    assert operations, "the schema has no operations"
    for operation in operations:

        @fuzz_settings
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collected, and reported together below
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_scheduling_api(scheduling_env: tuple[Env, str]) -> None:
    _fuzz(scheduling_env)


def test_reviews_api(reviews_env: tuple[Env, str]) -> None:
    _fuzz(reviews_env)


def test_knowledge_api(knowledge_env: tuple[Env, str]) -> None:
    _fuzz(knowledge_env)
