"""The bodies of the health routes: ``/livez`` and ``/healthz`` (alive), ``/readyz`` (ready for
the process's role, with the event backlog an operator watches)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class OutboxBacklog(BaseModel):
    """Events committed but not yet published to NATS (the relay publishes them in order)."""

    waiting: int = Field(examples=[0])
    oldest_age_seconds: float | None = Field(default=None, examples=[None])


class ConsumerBacklog(BaseModel):
    """One durable consumer: ``pending`` messages of its subjects not yet delivered,
    ``ack_pending`` delivered but not yet acknowledged, ``lag`` the two together (what it has
    still to apply), ``oldest_pending_age_seconds`` how long the oldest of them has waited.
    A stream with an age limit (``stream_max_age_seconds``) removes an event at that age
    whether or not the consumer applied it: the oldest pending age must stay well below it.
    ``refused``: why it does not consume (the stream lost its history)."""

    stream: str = Field(examples=["SCHEDULING"])
    pending: int | None = Field(default=None, examples=[0])
    ack_pending: int | None = Field(default=None, examples=[0])
    lag: int | None = Field(default=None, examples=[0])
    oldest_pending_age_seconds: float | None = Field(default=None, examples=[None])
    stream_max_age_seconds: float | None = Field(default=None, examples=[None])
    refused: str | None = Field(default=None, examples=[None])


class Backlog(BaseModel):
    outbox: OutboxBacklog | None = None
    consumers: dict[str, ConsumerBacklog] = Field(default_factory=dict)


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    role: str | None = Field(default=None, examples=["all"])
    checks: dict[str, bool] = Field(examples=[{"database": True, "nats": True}])
    backlog: Backlog | None = None


BacklogProbe = Callable[[], Awaitable[Backlog]]
