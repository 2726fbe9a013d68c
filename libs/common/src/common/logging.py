"""structlog JSON logging. Request and correlation ids ride in contextvars so every log line of a
request, and of the event handling it causes, carries them."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

import structlog
from opentelemetry import trace

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def _add_ids(_logger: object, _name: str, event_dict: dict[str, object]) -> dict[str, object]:
    if (request_id := request_id_var.get()) is not None:
        event_dict.setdefault("request_id", request_id)
    if (correlation_id := correlation_id_var.get()) is not None:
        event_dict.setdefault("correlation_id", correlation_id)
    return event_dict


def _add_trace(_logger: object, _name: str, event_dict: dict[str, object]) -> dict[str, object]:
    """The current span's trace and span ids (W3C hex), so a line can be found from its trace
    and a trace from its lines; nothing when tracing is off (no span is recording)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def configure_logging(service: str, level: str = "INFO") -> None:
    """Configure structlog and the stdlib root logger to write one JSON object per line."""
    numeric = logging.getLevelName(level.upper())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_ids,  # type: ignore[list-item]
        _add_trace,  # type: ignore[list-item]
    ]
    structlog.configure(
        processors=[
            *shared,
            # No frame locals: they hold request headers, bearer tokens and personal data.
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            # remove_processors_meta: no ``_record``/``_from_structlog`` keys in the output.
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric)
    _route_uvicorn_through_root()


def _route_uvicorn_through_root() -> None:
    """uvicorn's loggers write plain text through handlers of their own: send them through the
    root's JSON handler instead, and silence its access log, which would repeat (in another
    shape, with raw paths that may carry secrets) the line our middleware writes per request."""
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
        uvicorn_logger.disabled = False  # alembic's fileConfig (migrations) disables it
        uvicorn_logger.setLevel(logging.NOTSET)  # the root's level, not uvicorn's --log-level
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
