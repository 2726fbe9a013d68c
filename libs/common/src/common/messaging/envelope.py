"""The event envelope: CloudEvents 1.0 in structured JSON mode (the NATS protocol binding).

The whole event, attributes and ``data``, is the message body; ``id`` is also sent as the
``Nats-Msg-Id`` header so JetStream drops a re-publish inside the stream's duplicate window.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from common.clock import utcnow
from common.ids import new_id

MSG_ID_HEADER = "Nats-Msg-Id"
# Attributes that default when building an event but must be present in one we receive.
_REQUIRED_ON_THE_WIRE = ("specversion", "id", "time")
CORRELATION_ID_HEADER = "Correlation-Id"


class MalformedEvent(ValueError):  # noqa: N818 - the name says what it is
    """The bytes are not a CloudEvents 1.0 structured JSON event we can read."""


_WIRE = "wire"


def _new_event_id() -> str:
    return str(new_id())


class CloudEvent(BaseModel):
    """One event. Build it with the attributes that vary; ``id`` and ``time`` default to a new
    UUIDv7 and now. Immutable: use ``model_copy(update=...)`` to derive another."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=_new_event_id, min_length=1)
    source: str = Field(min_length=1, examples=["/scheduling"])
    type: str = Field(min_length=1, examples=["org.criticalfriend.scheduling.school.registered.v1"])
    subject: str | None = Field(default=None, examples=["schools/100000"])
    time: AwareDatetime = Field(default_factory=utcnow)
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)
    # Extension attributes (lower-case alphanumerics, as the spec requires).
    partitionkey: str | None = None
    correlationid: str | None = None
    # The CloudEvents distributed-tracing extension: the W3C trace context of the change that
    # caused the event, so one trace spans the producer, the outbox and every consumer.
    traceparent: str | None = None
    tracestate: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _complete_on_the_wire(cls, value: Any, info: ValidationInfo) -> Any:
        if info.context == _WIRE and isinstance(value, dict):
            missing = [name for name in _REQUIRED_ON_THE_WIRE if name not in value]
            if missing:
                raise ValueError(f"missing required attributes: {', '.join(missing)}")
        return value

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def to_bytes(self) -> bytes:
        """The structured-mode JSON body. Absent optional attributes are left out, not null."""
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> CloudEvent:
        """Parse a structured-mode body; :class:`MalformedEvent` on anything else."""
        try:
            return cls.model_validate_json(raw, context=_WIRE)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
                for error in exc.errors()
            )
            raise MalformedEvent(f"not a CloudEvents 1.0 JSON event: {problems}") from exc
