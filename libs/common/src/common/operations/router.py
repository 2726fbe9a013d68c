"""The operator's routes, on every service beside ``/metrics`` and outside ``/v1`` (the public
gateway routes neither): the backlog, this service's dead letters (list, show, replay), and a
consumer replayed from a stream position. They need the ``ops:admin`` scope, which no tenant
token carries, and they answer only for this service's own consumers: another service's dead
letter or consumer is a 404 here. ``cf ops`` does the same from a shell."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status
from nats.js.errors import NotFoundError
from pydantic import BaseModel, Field, model_validator

from common.auth.deps import require_scopes
from common.auth.principal import Principal
from common.http.health import Backlog
from common.http.problems import conflict, not_found, service_unavailable
from common.http.schemas import StrictModel
from common.operations.deadletters import (
    DeadLetterRecord,
    ReplayRefusedError,
    get_dead_letter,
    list_dead_letters,
    pretty_payload,
    replay_dead_letter,
)
from common.operations.replay import replay_consumer

ADMIN_SCOPE = "ops:admin"
Operator = Annotated[Principal, Depends(require_scopes(ADMIN_SCOPE))]


class DeadLetterOut(BaseModel):
    seq: int = Field(examples=[12], description="Its sequence in the DEADLETTER stream.")
    time: datetime | None = None
    stream: str = Field(examples=["SCHEDULING"])
    consumer: str = Field(examples=["reviews-directory"])
    stream_seq: int = Field(examples=[1204], description="Where it was in its own stream.")
    subject: str = Field(examples=["scheduling.school.registered.v1.881._.115000"])
    attempts: int = Field(examples=[8])
    error: str = Field(examples=["KeyError: 'la_code'"])
    event_id: str | None = Field(default=None, description="None: not an event at all.")
    event_type: str | None = None
    payload: str | None = Field(default=None, description="The message (show only).")


class DeadLetterPage(BaseModel):
    data: list[DeadLetterOut]


class Replayed(BaseModel):
    event_id: str | None = None
    consumer: str | None = None


class ConsumerReplay(StrictModel):
    """Where the consumer starts again: one of a stream sequence or a time."""

    from_seq: int | None = Field(default=None, ge=1, examples=[1200])
    from_time: datetime | None = Field(default=None, examples=["2026-12-07T02:00:00Z"])

    @model_validator(mode="after")
    def _exactly_one(self) -> ConsumerReplay:
        if (self.from_seq is None) == (self.from_time is None):
            raise ValueError("give exactly one of from_seq and from_time")
        return self


def _runtime(request: Request) -> Any:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise service_unavailable("The service is starting; retry shortly.")
    return runtime


def _jetstream(request: Request) -> Any:
    broker = getattr(_runtime(request), "broker", None)
    if broker is None or not broker.is_connected:
        raise service_unavailable(
            "No NATS connection in this process: ask a worker (or an `all` process)."
        )
    return broker.js


def _own_consumers(request: Request) -> dict[str, str]:
    """This service's durable consumers and their streams."""
    return {spec.durable: spec.stream for spec in _runtime(request).consumers}


def _out(record: DeadLetterRecord, *, with_payload: bool = False) -> DeadLetterOut:
    payload = pretty_payload(record) if with_payload else None
    return DeadLetterOut(**record.summary(), payload=payload)


async def _own_letter(request: Request, seq: int) -> DeadLetterRecord:
    try:
        record = await get_dead_letter(_jetstream(request), seq)
    except NotFoundError as exc:
        raise not_found(f"No dead letter {seq}.") from exc
    if record.consumer not in _own_consumers(request):
        raise not_found(f"No dead letter {seq} of this service's consumers.")
    return record


router = APIRouter(prefix="/admin", tags=["operations"])


@router.get("/backlog", name="get_backlog", summary="The outbox and consumer backlog")
async def get_backlog(request: Request, _: Operator) -> Backlog:
    """Outbox rows waiting and the oldest one's age; each consumer this process runs, with its
    pending and unacknowledged messages (docs/runbooks.md)."""
    backlog: Backlog = await _runtime(request).backlog()
    return backlog


@router.get("/dead-letters", name="list_dead_letters", summary="This service's dead letters")
async def list_own_dead_letters(
    request: Request,
    _: Operator,
    consumer: Annotated[str | None, Query(max_length=255)] = None,
    after: Annotated[int, Query(ge=0, description="Only letters after this sequence.")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeadLetterPage:
    """Events this service's consumers gave up on, in order; `consumer` narrows to one."""
    own = _own_consumers(request)
    if consumer is not None and consumer not in own:
        return DeadLetterPage(data=[])
    found: list[DeadLetterOut] = []
    for name in [consumer] if consumer else sorted(own):
        records = await list_dead_letters(
            _jetstream(request), consumer=name, after=after, limit=limit
        )
        found.extend(_out(record) for record in records)
    found.sort(key=lambda letter: letter.seq)
    return DeadLetterPage(data=found[:limit])


SeqPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/dead-letters/{seq}", name="get_dead_letter", summary="One dead letter")
async def get_own_dead_letter(request: Request, _: Operator, seq: SeqPath) -> DeadLetterOut:
    """The dead letter with its message, pretty-printed."""
    return _out(await _own_letter(request, seq), with_payload=True)


@router.post(
    "/dead-letters/{seq}/replay",
    name="replay_dead_letter",
    summary="Apply a dead letter again",
    status_code=status.HTTP_202_ACCEPTED,
)
async def replay_own_dead_letter(request: Request, _: Operator, seq: SeqPath) -> Replayed:
    """Parks the event again in its consumer's inbox, due now: the consumer applies it within
    15 s, once. 409 when it cannot be replayed (not an event, or replayed already)."""
    record = await _own_letter(request, seq)
    database = _runtime(request).database
    try:
        event_id = await replay_dead_letter(_jetstream(request), database, record.seq)
    except ReplayRefusedError as exc:
        raise conflict(str(exc)) from exc
    return Replayed(event_id=event_id, consumer=record.consumer)


@router.post(
    "/consumers/{durable}/replay",
    name="replay_consumer",
    summary="Deliver a stream again from a point",
    status_code=status.HTTP_202_ACCEPTED,
)
async def replay_own_consumer(
    request: Request,
    _: Operator,
    durable: Annotated[str, Path(max_length=255)],
    body: ConsumerReplay,
) -> Replayed:
    """Recreates this service's durable consumer to start from a stream sequence or a time;
    what it applied already is skipped by its inbox (after a restore: docs/operations.md)."""
    stream = _own_consumers(request).get(durable)
    if stream is None:
        raise not_found(f"No consumer {durable} in this service.")
    try:
        await replay_consumer(
            _jetstream(request), stream, durable, from_seq=body.from_seq, from_time=body.from_time
        )
    except NotFoundError as exc:
        raise not_found(f"The consumer {durable} does not exist yet.") from exc
    return Replayed(consumer=durable)
