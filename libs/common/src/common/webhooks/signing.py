"""Standard Webhooks signatures: secrets of the ``whsec_`` form and the three headers.

The signing itself is the ``standardwebhooks`` library's (``Webhook(secret).sign``), the same
code a receiver verifies with, so the two cannot drift apart. Every attempt is signed afresh
with its own timestamp: receivers refuse timestamps older than five minutes, and a retry may
come hours after the event.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# The specification: random, at least 24 bytes and at most 64.
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


class InvalidSecretError(ValueError):
    """Not a ``whsec_`` secret of 24 to 64 random bytes, base64-encoded."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_secret(secret: str) -> str:
    """``secret`` unchanged when it is a valid ``whsec_`` secret; InvalidSecretError if not."""
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidSecretError(f"must start with {SECRET_PREFIX}")
    try:
        raw = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSecretError("must be base64 after the prefix") from exc
    if not MIN_SECRET_BYTES <= len(raw) <= MAX_SECRET_BYTES:
        raise InvalidSecretError(
            f"must encode {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} random bytes"
        )
    return secret


def signature_headers(
    message_id: str, timestamp: datetime, body: str, secrets_: Sequence[str]
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for one attempt: one
    ``v1,<base64>`` signature per secret, space-separated (both are valid during a rotation)."""
    if not secrets_:
        raise ValueError("at least one secret is needed to sign")
    signatures = [Webhook(secret).sign(message_id, timestamp, body) for secret in secrets_]
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(int(timestamp.timestamp())),
        SIGNATURE_HEADER: " ".join(signatures),
    }
