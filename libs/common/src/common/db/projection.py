"""Read models fed by events: apply a row only when it is newer than what we hold.

Events of one aggregate arrive in order, but a redelivery or a replay can bring an old state
back; comparing the producer's version keeps the newest one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

ModelT = TypeVar("ModelT", bound=DeclarativeBase)


async def upsert_if_newer(
    session: AsyncSession,
    model: type[ModelT],
    key: Any,
    values: dict[str, Any],
    *,
    version_field: str = "source_version",
) -> bool:
    """Insert or update the row with primary key ``key``; False when ours is as new or newer."""
    row = await session.get(model, key)
    if row is None:
        session.add(model(**values))
        return True
    if getattr(row, version_field) >= values[version_field]:
        return False
    for field, value in values.items():
        setattr(row, field, value)
    return True
