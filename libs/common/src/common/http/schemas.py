"""Base models for HTTP bodies: strict request models and the RFC 9457 problem document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Base for request bodies: an unknown field is a 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(BaseModel):
    field: str = Field(examples=["body.name"])
    message: str = Field(examples=["Field required"])


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    # Extension members (e.g. ``checks`` on /readyz) are allowed by the RFC.
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "https://criticalfriend.org/problems/not-found",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No school with URN 100000.",
                    "instance": "/v1/schools/100000",
                    "request_id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e",
                }
            ]
        },
    )

    type: str = Field(examples=["https://criticalfriend.org/problems/validation-error"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
