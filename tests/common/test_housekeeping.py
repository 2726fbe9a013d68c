"""Housekeeping removes expired idempotency records and old published outbox rows, and
nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import DeclarativeBase

from common.clock import utcnow
from common.db import TYPE_ANNOTATION_MAP, Database, service_metadata
from common.housekeeping import Retention, sweep
from common.http.idempotency import IdempotencyMixin
from common.messaging import OutboxMixin
from common.testing.databases import database_with_tables


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class Outbox(OutboxMixin, Base):
    __tablename__ = "hk_outbox"


class Keys(IdempotencyMixin, Base):
    __tablename__ = "hk_idempotency_keys"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = await database_with_tables(database_url, Base.metadata)
    yield database
    await database.dispose()


def _outbox(n: int, published_days_ago: float | None) -> Outbox:
    published = (
        None if published_days_ago is None else utcnow() - timedelta(days=published_days_ago)
    )
    return Outbox(event_id=f"e{n}", nats_subject="x.y", payload="{}", published_at=published)


def _key(name: str, hours_ago: float) -> Keys:
    return Keys(
        client="c",
        key=name,
        method="POST",
        path="/v1/x",
        fingerprint="f",
        status_code=201,
        headers={},
        body="{}",
        created_at=utcnow() - timedelta(hours=hours_ago),
    )


async def test_sweep_removes_only_what_has_expired(database: Database) -> None:
    async with database.session() as session:
        session.add_all(
            [
                _outbox(1, published_days_ago=30),  # old and published: goes
                _outbox(2, published_days_ago=1),  # recent: stays
                _outbox(3, published_days_ago=None),  # never published: always stays
                _key("old", hours_ago=48),
                _key("fresh", hours_ago=1),
            ]
        )
        await session.commit()

    removed = await sweep(
        database, outbox_model=Outbox, idempotency_model=Keys, retention=Retention()
    )

    assert removed == {"idempotency_keys": 1, "outbox": 1}
    async with database.session() as session:
        events = set(await session.scalars(select(Outbox.event_id)))
        keys = set(await session.scalars(select(Keys.key)))
        assert events == {"e2", "e3"}
        assert keys == {"fresh"}
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 2
