"""A typed repository base. Repositories query and add; they never commit (services do)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

ModelT = TypeVar("ModelT", bound=DeclarativeBase)


class Repository(Generic[ModelT]):
    """Basic persistence for one entity type. Subclasses set ``model`` and add queries."""

    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: Any) -> ModelT | None:
        return await self.session.get(self.model, key)

    def add(self, entity: ModelT) -> ModelT:
        self.session.add(entity)
        return entity

    async def delete(self, entity: ModelT) -> None:
        await self.session.delete(entity)

    async def flush(self) -> None:
        await self.session.flush()

    def select(self) -> Select[ModelT]:
        return select(self.model)

    async def all(self, statement: Select[ModelT]) -> Sequence[ModelT]:
        return (await self.session.scalars(statement)).all()
