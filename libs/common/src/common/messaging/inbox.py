"""Consumer inbox: one row per ``(consumer, event id)`` a consumer has taken responsibility for.

The row is inserted in the same transaction as the handler's changes, so an event redelivered
at any later time (a lost ack, a re-publish beyond the duplicate window) is recognised and
skipped: applied exactly once. The same table is the consumer's parking lot: an event whose
handler failed, and the later events of its partition key, wait here (``status='parked'``,
with their payload) for their retries, in stream order; see :mod:`common.messaging.consumer`.

A service declares::

    class InboxMessage(InboxMixin, Base):
        __tablename__ = "inbox"
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from common.clock import utcnow
from common.db.base import UTCDateTime


class InboxStatus(StrEnum):
    APPLIED = "applied"  # the handler's changes are committed
    PARKED = "parked"  # waiting for a retry, or behind an earlier parked event of its key
    DEAD = "dead"  # given up on: published to the dead-letter stream


class InboxMixin:
    consumer: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    status: Mapped[str] = mapped_column(String(16), default=InboxStatus.APPLIED, nullable=False)
    partition_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Where the message came from: parked events retry in stream order, and a dead letter
    # says which message it was.
    stream_seq: Mapped[int | None] = mapped_column(BigInteger(), nullable=True)
    nats_subject: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # Kept only while parked (the message itself has been acknowledged to JetStream).
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer(), default=0, nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        parked = text("status = 'parked'")
        name = f"ix_{cls.__tablename__}_parked"  # type: ignore[attr-defined]
        return (
            Index(name, "consumer", "stream_seq", postgresql_where=parked, sqlite_where=parked),
        )
