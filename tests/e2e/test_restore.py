"""Restoring one service's database from a backup taken earlier (docs/operations.md, "Backup and
restore"): after the restore, its consumers replayed from the backup's time, the service holds
again everything it had applied, each event applied once, and the system converges."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from common.clock import utcnow
from common.db import create_database
from common.db.engine import PoolConfig
from common.messaging import Broker
from common.operations.backup import backup_database, restore_database
from common.operations.replay import replay_consumer
from common.testing.apps import eventually, migrate, running_app
from common.testing.nats import NatsServer
from common.testing.plugin import DatabaseFactory
from reviews.config import ReviewsSettings
from reviews.main import create_app as create_reviews
from scheduling.config import SchedulingSettings
from scheduling.main import create_app as create_scheduling
from tests.support import TokenFactory, alembic_ini, bearer

URNS = (160001, 160002, 160003, 160004)


def school(name: str) -> dict[str, str]:
    return {"name": name, "phase": "primary", "la_code": "881", "status": "open"}


async def read_model(url: str) -> dict[int, tuple[str, int]]:
    """The reviews service's copy of the directory's schools: urn -> (name, source version)."""
    database = create_database(url, pool=PoolConfig(size=1, max_overflow=0))
    try:
        async with database.session() as session:
            rows = await session.execute(
                text("SELECT urn, name, source_version FROM directory_schools ORDER BY urn")
            )
            return {int(urn): (name, int(version)) for urn, name, version in rows.all()}
    finally:
        await database.dispose()


async def inbox_rows(url: str, consumer: str) -> int:
    database = create_database(url, pool=PoolConfig(size=1, max_overflow=0))
    try:
        async with database.session() as session:
            statement = text(
                "SELECT count(*) FROM inbox WHERE consumer = :c AND status = 'applied'"
            )
            return int(await session.scalar(statement, {"c": consumer}) or 0)
    finally:
        await database.dispose()


async def test_a_restored_service_converges_with_nothing_applied_twice(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
    tmp_path: Path,
) -> None:
    shared = {"nats_url": nats_server.url, "auth_dev_key_path": dev_key_path}
    headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    backup = tmp_path / "reviews.backup"
    async with AsyncExitStack() as stack:
        urls = {}
        for name in ("scheduling", "reviews"):
            urls[name] = await stack.enter_async_context(database_factory(name))
            await migrate(alembic_ini(name), urls[name])
        scheduling = await stack.enter_async_context(
            running_app(
                create_scheduling(
                    SchedulingSettings(
                        database_url=urls["scheduling"], outbox_poll_seconds=0.2, **shared
                    )
                )
            )
        )

        def reviews_app() -> object:
            settings = ReviewsSettings(
                database_url=urls["reviews"], outbox_poll_seconds=0.2, **shared
            )
            return create_reviews(settings)

        async def holds(expected: dict[int, tuple[str, int]]) -> bool:
            return await read_model(urls["reviews"]) == expected

        before = {urn: (f"School {urn}", 1) for urn in URNS[:2]}
        after = {**before, URNS[0]: ("Renamed 160001", 2)}
        after |= {urn: (f"School {urn}", 1) for urn in URNS[2:]}
        async with running_app(reviews_app()):  # type: ignore[arg-type]
            for urn in URNS[:2]:
                put = await scheduling.put(
                    f"/v1/schools/{urn}", json=school(f"School {urn}"), headers=headers
                )
                assert put.status_code == 201
            await eventually(lambda: holds(before), within=60)
            backup_time = utcnow()
            await backup_database(urls["reviews"], backup)

            for urn in URNS[2:]:
                put = await scheduling.put(
                    f"/v1/schools/{urn}", json=school(f"School {urn}"), headers=headers
                )
                assert put.status_code == 201
            renamed = await scheduling.put(
                f"/v1/schools/{URNS[0]}",
                json=school("Renamed 160001"),
                headers={**headers, "If-Match": '"1"'},
            )
            assert renamed.status_code == 200
            await eventually(lambda: holds(after), within=60)
        applied_events = await inbox_rows(urls["reviews"], "reviews-directory")

        # A bad day: the reviews database comes back from the backup (the service stopped).
        await restore_database(urls["reviews"], backup)
        assert await read_model(urls["reviews"]) == before

        async with running_app(reviews_app()):  # type: ignore[arg-type]
            broker = await Broker.connect(nats_server.url, name="operator")
            try:
                # The runbook: replay the service's consumers from the backup's time.
                since = backup_time - timedelta(seconds=1)
                await replay_consumer(broker.js, "SCHEDULING", "reviews-directory", from_time=since)
            finally:
                await broker.close()
            await eventually(lambda: holds(after), within=60)
        # Every directory event once in the inbox, as before the restore: none applied twice.
        assert await inbox_rows(urls["reviews"], "reviews-directory") == applied_events
