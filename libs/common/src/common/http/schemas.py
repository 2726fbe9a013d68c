"""Base models for HTTP bodies: strict request models and the RFC 9457 problem document."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema


class StrictModel(BaseModel):
    """Base for request bodies: an unknown field is a 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _without_offset(value: time) -> time:
    # An offset never meant anything here: the time is combined with a date in local time.
    return value.replace(tzinfo=None)


#: A time of day on the local wall clock (``"13:30:00"``), as a string with no UTC offset.
#: OpenAPI's ``format: time`` is RFC 3339's full-time, which requires an offset, so it would
#: misdescribe this: the schema gives the pattern instead.
LocalTime = Annotated[
    time,
    AfterValidator(_without_offset),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "Local time of day, HH:MM[:SS], without a UTC offset",
            "examples": ["13:30:00"],
        }
    ),
]


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
