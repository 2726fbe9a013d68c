"""The knowledge service's declarative base and its technical tables (outbox, inbox,
idempotency keys). Aggregates declare their tables in their own ``models.py``."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase

from common.db import TYPE_ANNOTATION_MAP, service_metadata
from common.http.idempotency import IdempotencyMixin
from common.messaging import InboxMixin, OutboxMixin


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class OutboxMessage(OutboxMixin, Base):
    __tablename__ = "outbox"


class InboxMessage(InboxMixin, Base):
    __tablename__ = "inbox"


class IdempotencyRecord(IdempotencyMixin, Base):
    __tablename__ = "idempotency_keys"


def table(model: type[Any]) -> Table:
    """A model's Table, for Core statements: a bulk insert of dicts through the ORM does
    per-row work that hundreds of rows per event cannot afford."""
    return cast(Table, model.__table__)
