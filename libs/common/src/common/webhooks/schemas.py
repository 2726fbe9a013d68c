"""HTTP models of the webhook routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel

_SUBSCRIPTION_ID = "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"
_DELIVERY_ID = "0190b6c2-6d2f-7a01-b5e3-1c2d3e4f5a6b"
_EVENT_TYPE = "org.criticalfriend.reviews.review.transitioned.v1"
_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
_WHEN = "2026-11-03T09:15:00Z"

EventType = Annotated[str, StringConstraints(min_length=1, max_length=255)]
SubscriptionUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2048,
        description="Where to POST the events: https, a public host.",
        examples=["https://mis.example-trust.org.uk/hooks/critical-friend"],
    ),
]
SecretValue = Annotated[
    str,
    Field(
        max_length=200,
        description="A `whsec_` secret of 24 to 64 random bytes, base64; made for you if absent.",
        examples=[_SECRET],
    ),
]


class SubscriptionIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://mis.example-trust.org.uk/hooks/critical-friend",
                    "event_types": [_EVENT_TYPE],
                    "description": "Trust MIS: review lifecycle",
                }
            ]
        }
    )

    url: SubscriptionUrl
    event_types: list[EventType] = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    secret: SecretValue | None = None


class SubscriptionPatch(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "active"}, {"event_types": [_EVENT_TYPE]}]}
    )

    url: SubscriptionUrl | None = None
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    status: Literal["active", "disabled"] | None = Field(
        default=None, description="`active` re-enables a disabled subscription."
    )


class TenancyOut(BaseModel):
    """What the subscription may receive: events about these LAs, trusts, partnerships and
    schools, and about this person (copied from the owner's token)."""

    la_codes: list[str] = Field(examples=[["881"]])
    trusts: list[str] = Field(examples=[[]])
    partnerships: list[str] = Field(examples=[[]])
    schools: list[str] = Field(examples=[[]])
    person_id: str | None = Field(default=None, examples=[None])


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=[_SUBSCRIPTION_ID])
    url: str = Field(examples=["https://mis.example-trust.org.uk/hooks/critical-friend"])
    description: str | None = Field(examples=["Trust MIS: review lifecycle"])
    event_types: list[str] = Field(examples=[[_EVENT_TYPE]])
    tenancy: TenancyOut
    status: Literal["active", "disabled"] = Field(examples=["active"])
    disabled_reason: str | None = Field(examples=[None])
    disabled_at: AwareDatetime | None = Field(examples=[None])
    previous_secret_expires_at: AwareDatetime | None = Field(
        description="Until then, deliveries are also signed with the secret before the last "
        "rotation.",
        examples=[None],
    )
    created_at: AwareDatetime = Field(examples=[_WHEN])
    updated_at: AwareDatetime = Field(examples=[_WHEN])

    @classmethod
    def of(cls, row: Any, **extra: Any) -> Self:
        tenancy = TenancyOut(
            la_codes=row.la_codes,
            trusts=row.trusts,
            partnerships=row.partnerships,
            schools=row.schools,
            person_id=row.person_id,
        )
        names = (name for name in SubscriptionOut.model_fields if name != "tenancy")
        return cls(tenancy=tenancy, **{name: getattr(row, name) for name in names}, **extra)


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(
        description="Verify deliveries with it (Standard Webhooks); shown only here and after "
        "a rotation.",
        examples=[_SECRET],
    )


class SecretRotationIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"previous_valid_for_seconds": 3600}]}
    )

    secret: SecretValue | None = None
    previous_valid_for_seconds: int = Field(
        default=86400,
        ge=0,
        le=7 * 86400,
        description="How long deliveries stay signed with the old secret as well.",
    )


class SecretOut(BaseModel):
    secret: str = Field(examples=[_SECRET])
    previous_secret_expires_at: AwareDatetime | None = Field(examples=[_WHEN])


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempted_at: AwareDatetime = Field(examples=[_WHEN])
    response_code: int | None = Field(
        description="null when there was no answer (see `error`)", examples=[503]
    )
    error: str | None = Field(examples=[None])
    duration_ms: int = Field(examples=[84])


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=[_DELIVERY_ID])
    subscription_id: uuid.UUID = Field(examples=[_SUBSCRIPTION_ID])
    message_id: str = Field(
        description="The event id, sent as `webhook-id`", examples=["0190b6c2-7000-7000-8000-0000"]
    )
    event_type: str = Field(examples=[_EVENT_TYPE])
    status: Literal["pending", "delivered", "failed"] = Field(examples=["delivered"])
    attempt_count: int = Field(description="Attempts since it was (re)armed", examples=[1])
    next_attempt_at: AwareDatetime | None = Field(examples=[None])
    last_response_code: int | None = Field(examples=[200])
    last_error: str | None = Field(examples=[None])
    delivered_at: AwareDatetime | None = Field(examples=[_WHEN])
    created_at: AwareDatetime = Field(examples=[_WHEN])


class DeliveryDetail(DeliveryOut):
    event: dict[str, Any] = Field(
        description="The body sent: the CloudEvent (structured JSON)",
        examples=[{"specversion": "1.0", "type": _EVENT_TYPE, "data": {}}],
    )
    attempts: list[AttemptOut] = Field(description="Every attempt, oldest first")


class ReplayIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "since": "2026-11-03T00:00:00Z",
                    "until": "2026-11-04T00:00:00Z",
                    "only_failed": True,
                }
            ]
        }
    )

    since: AwareDatetime = Field(description="Deliveries created at or after this time")
    until: AwareDatetime = Field(description="... and before this one")
    only_failed: bool = Field(default=False, description="Replay failed deliveries only")


class ReplayOut(BaseModel):
    replayed: int = Field(description="How many deliveries were made due again", examples=[12])


class EventTypeOut(BaseModel):
    type: str = Field(examples=[_EVENT_TYPE])
    description: str = Field(examples=["A review moved to another state of its lifecycle."])
