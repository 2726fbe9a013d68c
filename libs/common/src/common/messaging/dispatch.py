"""A consumer's handler table: one handler per event type, and the subjects those types need.

A consumer subscribes to exactly the events its table names, so the table is the one place
that says what it reads. A type that is not in the table still arrives when a newer producer
publishes it on a subject the consumer reads: it is logged and skipped, which is safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from common.logging import get_logger
from common.messaging.envelope import CloudEvent
from common.messaging.processing import Handler
from common.messaging.publish import EventKind

log = get_logger(__name__)

HandlerTable = Mapping[EventKind, Handler]


@dataclass(frozen=True)
class Dispatcher:
    """Calls the handler of the event's type; ``name`` tells the consumers apart in the logs."""

    name: str
    handlers: Mapping[str, Handler]

    @classmethod
    def of(cls, name: str, table: HandlerTable) -> Dispatcher:
        return cls(name, {kind.type: handler for kind, handler in table.items()})

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        handler = self.handlers.get(event.type)
        if handler is None:
            log.info("event_ignored", consumer=self.name, type=event.type, id=event.id)
            return
        await handler(session, event)


def subject_filters(table: HandlerTable) -> list[str]:
    """The table's subject filters, in its order, each once."""
    return list(dict.fromkeys(kind.subject_filter for kind in table))
