"""RFC 9457 problem details for every error response, and the exception handlers that make them.

Routes and services raise :class:`ProblemError` (or a helper such as :func:`not_found`); the
handlers installed by :func:`install_problem_handlers` turn it, validation errors, Starlette's
own HTTP errors and a few database errors into ``application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from common.db.engine import DatabaseUnavailableError
from common.logging import get_logger, request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://criticalfriend.org/problems/"

_SLUGS: dict[int, str] = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "content-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
    503: "service-unavailable",
}

_log = get_logger("common.http.problems")


def problem_type(slug: str) -> str:
    """The ``type`` URI for a slug; a full URI is returned unchanged."""
    return slug if "://" in slug or slug == "about:blank" else PROBLEM_TYPE_BASE + slug


def status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ProblemError(StarletteHTTPException):
    """An error that becomes a problem document. A Starlette HTTPException subclass, so that
    FastAPI's own ``except HTTPException: raise`` paths pass it through untouched."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        type_: str | None = None,
        errors: Sequence[Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.status = status
        self.title = title
        self.problem_detail = detail
        self.type = problem_type(type_ or _SLUGS.get(status, "about:blank"))
        self.errors = [dict(e) for e in errors] if errors is not None else None
        self.extensions = dict(extensions or {})

    def to_dict(self, *, instance: str | None, request_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {**self.extensions, "type": self.type, "title": self.title}
        body["status"] = self.status
        if self.problem_detail is not None:
            body["detail"] = self.problem_detail
        if instance is not None:
            body["instance"] = instance
        if request_id is not None:
            body["request_id"] = request_id
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(error: ProblemError, scope: Scope) -> Response:
    """Render ``error`` for the request in ``scope`` (``instance`` is the request path)."""
    body = error.to_dict(instance=scope.get("path"), request_id=request_id_var.get())
    return ProblemResponse(body, status_code=error.status, headers=error.headers)


# Helpers for the common cases, so services say what happened, not which status it is.


def bad_request(detail: str, *, type_: str | None = None) -> ProblemError:
    return ProblemError(400, "Bad Request", detail, type_=type_)


def unauthorized(
    detail: str = "A valid bearer token is required.", *, invalid_token: bool = False
) -> ProblemError:
    # RFC 6750: name the scheme, and say so when the token sent was rejected (not just missing).
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return ProblemError(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


def forbidden(detail: str = "The token does not allow this operation.") -> ProblemError:
    return ProblemError(403, "Forbidden", detail)


def not_found(detail: str | None = None) -> ProblemError:
    return ProblemError(404, "Not Found", detail)


def conflict(detail: str | None = None, *, type_: str | None = None) -> ProblemError:
    return ProblemError(409, "Conflict", detail, type_=type_)


def precondition_failed(
    detail: str = "The resource has changed; fetch it again and retry with its new ETag.",
) -> ProblemError:
    return ProblemError(412, "Precondition Failed", detail)


def precondition_required(
    detail: str = "This update needs an If-Match header with the resource's ETag.",
) -> ProblemError:
    return ProblemError(428, "Precondition Required", detail)


def content_too_large(limit: int) -> ProblemError:
    return ProblemError(413, "Content Too Large", f"The request body exceeds {limit} bytes.")


def validation_failed(
    errors: Sequence[Mapping[str, str]], detail: str = "The request is not valid."
) -> ProblemError:
    """422 with ``errors: [{field, message}]``."""
    return ProblemError(422, "Unprocessable Content", detail, errors=errors)


def too_many_requests(retry_after: int) -> ProblemError:
    return ProblemError(
        429,
        "Too Many Requests",
        f"Write rate limit exceeded; retry in {retry_after} s.",
        headers={"Retry-After": str(retry_after)},
    )


def service_unavailable(
    detail: str, *, extensions: Mapping[str, Any] | None = None
) -> ProblemError:
    return ProblemError(503, "Service Unavailable", detail, extensions=extensions)


def overloaded(retry_after: int) -> ProblemError:
    """The process is already handling as many requests as it may: shed at once."""
    return ProblemError(
        503,
        "Service Unavailable",
        "The service is at capacity; nothing was done. Retry shortly.",
        type_="overloaded",
        headers={"Retry-After": str(retry_after)},
    )


def internal_error() -> ProblemError:
    # Never say more: the cause is in the log line carrying the same request id.
    return ProblemError(500, "Internal Server Error", "An unexpected error occurred.")


# Exception handlers. Starlette types them as (Request, Exception), hence the isinstance checks.


def _field_path(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _problem_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc, request.scope)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = status_title(exc.status_code)
    detail = exc.detail if exc.detail and exc.detail != title else None
    error = ProblemError(exc.status_code, title, detail, headers=exc.headers)
    return problem_response(error, request.scope)


async def _request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    broken_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if broken_json is not None:
        reason = broken_json.get("ctx", {}).get("error", "invalid JSON")
        position = broken_json.get("loc", ("body", "?"))[-1]
        detail = f"The request body is not valid JSON: {reason} at position {position}."
        return problem_response(bad_request(detail, type_="malformed-json"), request.scope)
    fields = [{"field": _field_path(e.get("loc", ())), "message": str(e["msg"])} for e in errors]
    return problem_response(validation_failed(fields), request.scope)


async def _stale_data(request: Request, exc: Exception) -> Response:
    # The version check in the UPDATE's WHERE clause lost a race the If-Match check could not see.
    _log.info("stale_update", error=str(exc))
    return problem_response(precondition_failed(), request.scope)


async def _integrity(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IntegrityError)
    _log.warning("integrity_error", error=type(exc.orig).__name__, message=str(exc.orig))
    detail = "The request conflicts with the current state of the data."
    return problem_response(conflict(detail), request.scope)


#: Lock and serialization failures that a retry a moment later would not meet: SQLite's busy
#: timeout running out, PostgreSQL's deadlock, serialization and lock-timeout errors.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
TRANSIENT_RETRY_AFTER_SECONDS = 2
#: The server refuses or lost the connection: 08 connection exceptions, 53 insufficient
#: resources (53300 "too many clients"), 57P01-57P05 shutting down or "cannot connect now".
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P")
UNAVAILABLE_RETRY_AFTER_SECONDS = 5


def _sqlstate(exc: DBAPIError) -> str:
    original = exc.orig
    return str(getattr(original, "sqlstate", None) or getattr(original, "pgcode", None) or "")


def is_transient_database_error(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return False
    original = exc.orig
    if "database is locked" in str(original) or "database table is locked" in str(original):
        return True
    return _sqlstate(exc) in _TRANSIENT_SQLSTATES


def is_database_unavailable(exc: BaseException) -> bool:
    """No connection to be had: the pool stayed full past its timeout, the server cannot be
    reached, refuses more clients, is shutting down, or dropped the connection."""
    if isinstance(exc, DatabaseUnavailableError | PoolTimeoutError):
        return True
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return False
    return exc.connection_invalidated or _sqlstate(exc).startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)


def _busy(detail: str, type_: str, retry_after: int) -> ProblemError:
    return ProblemError(
        503, "Service Unavailable", detail, type_=type_, headers={"Retry-After": str(retry_after)}
    )


async def _database_busy(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PoolTimeoutError):
        _log.warning("database_pool_exhausted", message=str(exc))
        detail = "Every database connection is in use; nothing was changed. Retry shortly."
        error = _busy(detail, "database-busy", TRANSIENT_RETRY_AFTER_SECONDS)
    elif is_database_unavailable(exc):
        _log.error("database_unavailable", error=type(exc).__name__, message=str(exc))
        detail = "The database cannot be reached; nothing was changed. Retry shortly."
        error = _busy(detail, "database-unavailable", UNAVAILABLE_RETRY_AFTER_SECONDS)
    elif is_transient_database_error(exc):
        _log.warning(
            "database_busy", error=type(exc).__name__, message=str(getattr(exc, "orig", ""))
        )
        detail = "The database is busy with other writes; nothing was changed. Retry shortly."
        error = _busy(detail, "database-busy", TRANSIENT_RETRY_AFTER_SECONDS)
    else:
        raise exc  # the middleware logs it and answers 500
    return problem_response(error, request.scope)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers. Unexpected exceptions are turned into a 500 problem by
    :class:`common.http.middleware.RequestContextMiddleware`, which also logs them."""
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StaleDataError, _stale_data)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DBAPIError, _database_busy)
    app.add_exception_handler(PoolTimeoutError, _database_busy)
    app.add_exception_handler(DatabaseUnavailableError, _database_busy)
