"""Events over NATS JetStream: CloudEvents envelope, transactional outbox and relay, durable
consumers with an inbox (exactly once, in order per partition key), dead letters."""

from common.messaging.broker import Broker, connect
from common.messaging.consumer import ConsumerRunner
from common.messaging.deadletter import DeadLetter, dead_letter_subject
from common.messaging.dispatch import Dispatcher, HandlerTable, subject_filters
from common.messaging.envelope import (
    CORRELATION_ID_HEADER,
    MSG_ID_HEADER,
    CloudEvent,
    MalformedEvent,
)
from common.messaging.inbox import InboxMixin, InboxStatus
from common.messaging.outbox import (
    OutboxMixin,
    OutboxNotConfiguredError,
    add_event,
    bind_outbox,
    outbox_model_for,
)
from common.messaging.processing import Handler
from common.messaging.publish import EventKind, Outgoing, PublishedKind, publish, publish_many
from common.messaging.relay import OutboxRelay
from common.messaging.streams import (
    DEAD_LETTER_STREAM,
    ensure_copying_stream,
    ensure_dead_letter_stream,
    ensure_stream,
)
from common.messaging.subjects import subject_matches

__all__ = [
    "CORRELATION_ID_HEADER",
    "DEAD_LETTER_STREAM",
    "MSG_ID_HEADER",
    "Broker",
    "CloudEvent",
    "ConsumerRunner",
    "DeadLetter",
    "Dispatcher",
    "EventKind",
    "Handler",
    "HandlerTable",
    "InboxMixin",
    "InboxStatus",
    "MalformedEvent",
    "OutboxMixin",
    "OutboxNotConfiguredError",
    "OutboxRelay",
    "Outgoing",
    "PublishedKind",
    "add_event",
    "bind_outbox",
    "connect",
    "dead_letter_subject",
    "ensure_copying_stream",
    "ensure_dead_letter_stream",
    "ensure_stream",
    "outbox_model_for",
    "publish",
    "publish_many",
    "subject_filters",
    "subject_matches",
]
