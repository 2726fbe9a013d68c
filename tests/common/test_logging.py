"""Logs are JSON lines, and an exception's traceback never carries the frames' local values
(request headers, bearer tokens, personal data live there)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from common.logging import configure_logging, get_logger


def _fail_holding_a_secret() -> None:
    authorization = "Bearer secret-token-value"
    raise RuntimeError(f"boom ({len(authorization)} characters)")


def test_a_logged_exception_has_its_traceback_but_no_locals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written = io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", written)
        configure_logging("logging-test", "INFO")
        try:
            _fail_holding_a_secret()
        except RuntimeError:
            get_logger("tests").exception("unhandled_error", path="/v1/things")
    configure_logging("tests", "INFO")  # back to the real stderr for the tests after this one
    line = written.getvalue().strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["event"] == "unhandled_error"
    assert entry["service"] == "logging-test"
    [exception] = entry["exception"]
    assert exception["exc_type"] == "RuntimeError"
    assert any(f["name"] == "_fail_holding_a_secret" for f in exception["frames"])
    assert "secret-token-value" not in line


def test_stdlib_and_uvicorn_records_are_clean_json_and_the_access_log_is_ours_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging

    written = io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", written)
        configure_logging("logging-test", "INFO")
        logging.getLogger("httpx").info("HTTP Request: %s", "GET")
        logging.getLogger("uvicorn.error").info("Started server process")
        logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /v1/feeds/s3cr3t.ics"')
    configure_logging("tests", "INFO")
    entries = [json.loads(line) for line in written.getvalue().strip().splitlines()]
    assert [e["event"] for e in entries] == ["HTTP Request: GET", "Started server process"]
    assert [e["logger"] for e in entries] == ["httpx", "uvicorn.error"]
    for entry in entries:
        assert set(entry) == {"event", "logger", "service", "level", "timestamp"}


def test_the_access_line_masks_secret_path_parameters_and_names_the_route() -> None:
    from starlette.routing import Route

    from common.http.middleware import loggable_path
    from common.observability.metrics import route_template

    scope = {
        "path": "/v1/feeds/AbC123secret.ics",
        "path_params": {"secret": "AbC123secret"},
        "route": Route("/v1/feeds/{secret}.ics", endpoint=lambda: None),
    }
    assert loggable_path(scope) == "/v1/feeds/***.ics"
    assert route_template(scope) == "/v1/feeds/{secret}.ics"
    assert route_template({"path": "/nowhere"}) == "unmatched"


async def test_every_line_of_a_request_names_its_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    from tests.common.test_http_helpers import client_for, make_app

    written = io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", written)
        configure_logging("lifespan-of-another-task", "INFO")
        import structlog

        structlog.contextvars.clear_contextvars()  # a server's task: nothing bound
        app = make_app(Path(str(tmp_path)) / "key.pem")
        async with client_for(app) as client:
            await client.get("/livez", headers={"X-Request-ID": "line-1"})
    configure_logging("tests", "INFO")
    [access] = [
        json.loads(line)
        for line in written.getvalue().splitlines()
        if '"request"' in line and "line-1" in line
    ]
    assert access["service"] == "test"
    assert access["route"] == "/livez"
    assert access["request_id"] == "line-1"


def test_a_line_logged_in_a_span_carries_its_trace_and_span_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    written = io.StringIO()
    tracer = TracerProvider().get_tracer("tests")
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", written)
        configure_logging("logging-test", "INFO")
        with tracer.start_as_current_span("work") as span:
            get_logger("tests").info("inside")
        get_logger("tests").info("outside")
    configure_logging("tests", "INFO")
    inside, outside = (json.loads(line) for line in written.getvalue().strip().splitlines())
    context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in outside
