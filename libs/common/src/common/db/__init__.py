"""Database kit: engines, sessions, declarative base helpers, the version column, repositories."""

from common.db.base import (
    TYPE_ANNOTATION_MAP,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    service_metadata,
)
from common.db.engine import (
    Database,
    DatabaseUnavailableError,
    PoolConfig,
    create_database,
    is_postgres,
)
from common.db.repository import Repository
from common.db.scoped import transaction_scoped

__all__ = [
    "TYPE_ANNOTATION_MAP",
    "Database",
    "DatabaseUnavailableError",
    "PoolConfig",
    "Repository",
    "TimestampMixin",
    "UTCDateTime",
    "VersionedMixin",
    "create_database",
    "is_postgres",
    "service_metadata",
    "transaction_scoped",
]
