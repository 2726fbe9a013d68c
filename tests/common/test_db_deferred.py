"""Deferred bulk writes (common.db.deferred) on SQLite and PostgreSQL: written once at commit,
merged by key; never missed by a read of their table in the same transaction, nor left behind
by a delete; gone with a rollback; a statement that accounts for them itself runs without
writing them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import ForeignKey, String, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import Database, service_metadata
from common.db.deferred import SEES_DEFERRED, defer, flushes, pending
from common.testing.databases import database_with_tables


class Base(DeclarativeBase):
    metadata = service_metadata()


class Parent(Base):
    __tablename__ = "parents"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class Child(Base):
    __tablename__ = "children"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id", ondelete="CASCADE"))


class Tally(Base):
    __tablename__ = "tallies"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int]


CHILDREN = Child.__table__
TALLIES = Tally.__table__


def add_to_tally(dialect: str) -> object:
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(TALLIES)
    return statement.on_conflict_do_update(
        index_elements=["name"], set_={"count": TALLIES.c.count + statement.excluded.count}
    )


ADD = {name: add_to_tally(name) for name in ("postgresql", "sqlite")}
INSERT_CHILDREN = insert(CHILDREN)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await database_with_tables(database_url, Base.metadata)
    yield database
    await database.dispose()


def add_statement(database: Database) -> object:
    return ADD[database.engine.dialect.name]


async def count(database: Database, model: type[Base]) -> int:
    async with database.read_sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_written_once_at_commit_merged_by_key(db: Database) -> None:
    statement = add_statement(db)
    async with db.sessions() as session, session.begin():
        session.add(Parent(id=1))
        await session.flush()
        for _ in range(3):
            defer(session, statement, TALLIES, [{"name": "a", "count": 2}], key=["name"],
                  summed=["count"])  # fmt: skip
        defer(session, statement, TALLIES, [{"name": "b", "count": 1}], key=["name"],
              summed=["count"])  # fmt: skip
        defer(session, statement, TALLIES, [{"name": "b", "count": -1}], key=["name"],
              summed=["count"])  # fmt: skip
        defer(session, INSERT_CHILDREN, CHILDREN, [{"id": 1, "parent_id": 1}])
        defer(session, INSERT_CHILDREN, CHILDREN, [{"id": 2, "parent_id": 1}])
        assert pending(session, statement)[("a",)]["count"] == 6
        assert await count(db, Child) == 0  # another session: nothing written yet
    async with db.read_sessions() as session:
        tallies = dict((await session.execute(select(Tally.name, Tally.count))).all())
    assert tallies == {"a": 6}  # "b" added nothing, so it was not written at all
    assert await count(db, Child) == 2


async def test_a_read_of_the_table_sees_them_and_others_do_not_write_them(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        session.add(Parent(id=1))
        await session.flush()
        defer(session, INSERT_CHILDREN, CHILDREN, [{"id": 1, "parent_id": 1}])
        assert await session.scalar(select(func.count()).select_from(Parent)) == 1
        assert pending(session, INSERT_CHILDREN)  # a read of another table: still waiting
        waiting = await session.scalar(
            select(func.count()).select_from(Child), execution_options={SEES_DEFERRED: True}
        )
        assert waiting == 0
        assert flushes(session) == 0
        assert await session.scalar(select(func.count()).select_from(Child)) == 1
        assert not pending(session, INSERT_CHILDREN)
        assert flushes(session) == 1


async def test_a_delete_writes_them_first_and_a_rollback_drops_them(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        session.add(Parent(id=1))
        await session.flush()
        defer(session, INSERT_CHILDREN, CHILDREN, [{"id": 1, "parent_id": 1}])
        # Cascades to the child in the database: had the child waited, the commit would fail.
        await session.execute(delete(Parent).where(Parent.id == 1))
    assert await count(db, Child) == 0
    assert await count(db, Parent) == 0

    async with db.sessions() as session:
        session.add(Parent(id=2))
        await session.flush()
        defer(session, INSERT_CHILDREN, CHILDREN, [{"id": 2, "parent_id": 2}])
        await session.rollback()
        async with session.begin():  # a new transaction: nothing of the old one waits
            assert not pending(session, INSERT_CHILDREN)
            session.add(Parent(id=3))
    assert await count(db, Child) == 0
    assert await count(db, Parent) == 1


async def test_rows_may_refer_to_objects_added_after_them(db: Database) -> None:
    """The ORM's pending objects are written before the deferred rows (foreign keys)."""
    async with db.sessions() as session, session.begin():
        defer(session, INSERT_CHILDREN, CHILDREN, [{"id": 5, "parent_id": 5}])
        session.add(Parent(id=5))
    assert await count(db, Child) == 1
