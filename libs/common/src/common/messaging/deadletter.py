"""Dead letters: the original message, re-published to ``deadletter.<stream>.<durable>`` on the
``DEADLETTER`` stream with headers that say where it came from and why it was given up on.
Replay one by publishing its body again to ``Cf-Original-Subject``."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js.client import JetStreamContext

from common.messaging.envelope import CORRELATION_ID_HEADER, MSG_ID_HEADER

STREAM_HEADER = "Cf-Original-Stream"
CONSUMER_HEADER = "Cf-Original-Consumer"
SEQUENCE_HEADER = "Cf-Original-Sequence"
SUBJECT_HEADER = "Cf-Original-Subject"
ERROR_HEADER = "Cf-Error"
ATTEMPTS_HEADER = "Cf-Attempts"
MAX_ERROR_LENGTH = 1000


def dead_letter_subject(stream: str, durable: str) -> str:
    return f"deadletter.{stream}.{durable}"


@dataclass(frozen=True)
class DeadLetter:
    stream: str
    durable: str
    stream_seq: int
    subject: str
    payload: bytes
    error: str
    attempts: int
    # The event id, or a stand-in for a message that did not parse. With the consumer name it
    # makes the dead letter's own Nats-Msg-Id, so a retried dead-lettering is not stored twice.
    message_key: str
    correlation_id: str | None = None


async def publish_dead_letter(
    js: JetStreamContext, letter: DeadLetter, publish_timeout: float
) -> None:
    """Publish and wait for the DEADLETTER stream's ack (raises if it did not store it)."""
    # Header values travel on one line: no CR/LF.
    error = " ".join(letter.error.split())[:MAX_ERROR_LENGTH] or "unknown"
    headers = {
        MSG_ID_HEADER: f"{letter.durable}:{letter.message_key}",
        STREAM_HEADER: letter.stream,
        CONSUMER_HEADER: letter.durable,
        SEQUENCE_HEADER: str(letter.stream_seq),
        SUBJECT_HEADER: letter.subject,
        ERROR_HEADER: error,
        ATTEMPTS_HEADER: str(letter.attempts),
    }
    if letter.correlation_id:
        headers[CORRELATION_ID_HEADER] = letter.correlation_id
    await js.publish(
        dead_letter_subject(letter.stream, letter.durable),
        letter.payload,
        headers=headers,
        timeout=publish_timeout,
    )
