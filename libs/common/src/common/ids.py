"""Identifiers: UUIDv7 everywhere (time-ordered, so indexes and cursors stay cheap)."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A new UUIDv7 as a standard :class:`uuid.UUID`."""
    return uuid.UUID(bytes=uuid6.uuid7().bytes)
