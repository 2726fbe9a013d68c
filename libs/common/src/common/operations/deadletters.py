"""Dead letters as an operator meets them: listed from the ``DEADLETTER`` stream, inspected,
and replayed into the consumer that gave up on them.

A replay goes through the consuming service's own machinery, not around it: the consumer's inbox
row of the event (``dead``) becomes ``parked`` again with the dead letter's body and no attempts
used, due now; the consumer's runner, which looks for due parked events, applies it in one
transaction with the inbox row, exactly once, or parks and dead-letters it again if it still
fails. Later events of its key that already flowed are not held back: a replayed event is
applied after them, which the operator decides knowingly (the runbook says so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import update
from sqlalchemy.sql import column, table

from common.clock import utcnow
from common.db import Database
from common.db.base import UTCDateTime
from common.messaging.deadletter import (
    ATTEMPTS_HEADER,
    CONSUMER_HEADER,
    ERROR_HEADER,
    SEQUENCE_HEADER,
    STREAM_HEADER,
    SUBJECT_HEADER,
)
from common.messaging.envelope import MSG_ID_HEADER, CloudEvent, MalformedEvent
from common.messaging.inbox import InboxStatus
from common.messaging.streams import DEAD_LETTER_STREAM

INBOX_TABLE = "inbox"


class ReplayRefusedError(RuntimeError):
    """The dead letter cannot be replayed (not an event, or its inbox row is not dead)."""


@dataclass(frozen=True)
class DeadLetterRecord:
    seq: int  # in the DEADLETTER stream
    time: datetime | None
    stream: str
    consumer: str
    stream_seq: int
    subject: str
    attempts: int
    error: str
    event_id: str | None  # None: the message was not an event at all
    event_type: str | None
    payload: bytes

    def summary(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time.isoformat() if self.time else None,
            "stream": self.stream,
            "consumer": self.consumer,
            "stream_seq": self.stream_seq,
            "subject": self.subject,
            "attempts": self.attempts,
            "error": self.error,
            "event_id": self.event_id,
            "event_type": self.event_type,
        }


def _record(raw: Any) -> DeadLetterRecord:
    headers: dict[str, str] = raw.headers or {}
    payload: bytes = raw.data or b""
    try:
        event: CloudEvent | None = CloudEvent.from_bytes(payload)
    except MalformedEvent:
        event = None
    return DeadLetterRecord(
        seq=int(raw.seq),
        time=raw.time,
        stream=headers.get(STREAM_HEADER, ""),
        consumer=headers.get(CONSUMER_HEADER, ""),
        stream_seq=int(headers.get(SEQUENCE_HEADER, "0") or 0),
        subject=headers.get(SUBJECT_HEADER, ""),
        attempts=int(headers.get(ATTEMPTS_HEADER, "0") or 0),
        error=headers.get(ERROR_HEADER, ""),
        event_id=event.id if event else None,
        event_type=event.type if event else None,
        payload=payload,
    )


async def list_dead_letters(
    js: JetStreamContext, *, consumer: str | None = None, after: int = 0, limit: int = 100
) -> list[DeadLetterRecord]:
    """Dead letters in stream order after sequence ``after``, of one consumer or all."""
    subject = f"deadletter.*.{consumer}" if consumer else "deadletter.>"
    found: list[DeadLetterRecord] = []
    seq = after + 1
    while len(found) < limit:
        try:
            raw = await js.get_msg(DEAD_LETTER_STREAM, seq=seq, subject=subject, next=True)
        except NotFoundError:
            break
        found.append(_record(raw))
        seq = int(raw.seq or seq) + 1
    return found


async def get_dead_letter(js: JetStreamContext, seq: int) -> DeadLetterRecord:
    """One dead letter by its DEADLETTER sequence (NotFoundError if there is none)."""
    return _record(await js.get_msg(DEAD_LETTER_STREAM, seq=seq))


def pretty_payload(record: DeadLetterRecord) -> str:
    try:
        return json.dumps(json.loads(record.payload), indent=2, sort_keys=True)
    except ValueError:
        return record.payload.decode(errors="replace")


async def replay_dead_letter(js: JetStreamContext, database: Database, seq: int) -> str:
    """Park the dead letter's event again in its consumer's inbox, due now; returns its id.

    ``database`` is the consuming service's. Refused for a message that is not an event and
    for an event whose inbox row is not ``dead`` (already replayed, or another service's).
    """
    record = await get_dead_letter(js, seq)
    if record.event_id is None:
        raise ReplayRefusedError(f"dead letter {seq} is not an event: nothing to apply")
    raw_headers = (await js.get_msg(DEAD_LETTER_STREAM, seq=seq)).headers or {}
    expected_id = f"{record.consumer}:{record.event_id}"
    if raw_headers.get(MSG_ID_HEADER, expected_id) != expected_id:
        raise ReplayRefusedError(f"dead letter {seq} does not name its event consistently")
    inbox = table(
        INBOX_TABLE,
        column("consumer"),
        column("event_id"),
        column("status"),
        column("payload"),
        column("attempts"),
        column("next_attempt_at", UTCDateTime()),
        column("last_error"),
    )
    statement = (
        update(inbox)
        .where(
            inbox.c.consumer == record.consumer,
            inbox.c.event_id == record.event_id,
            inbox.c.status == InboxStatus.DEAD.value,
        )
        .values(
            status=InboxStatus.PARKED.value,
            payload=record.payload.decode(),
            attempts=0,
            next_attempt_at=utcnow(),
            last_error=f"replayed from dead letter {seq}; was: {record.error}"[:1000],
        )
    )
    async with database.session() as session, session.begin():
        changed = (await session.execute(statement)).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise ReplayRefusedError(
            f"no dead inbox row for consumer {record.consumer!r}, event {record.event_id}: "
            "already replayed, or this is not that consumer's database"
        )
    return record.event_id
