"""``cf ops``: the operator's commands (docs/operations.md and docs/runbooks.md use them).

NATS from ``--nats`` or ``NATS_URL``; a service's database from ``--database``, or its
``<SERVICE>_DATABASE_URL``, or its SQLite file under ``.data/`` as ``make run`` makes it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from common.db import Database, create_database
from common.db.engine import PoolConfig
from common.messaging import Broker
from common.operations.backlog import consumer_backlogs, outbox_backlog
from common.operations.backup import backup_database, restore_database
from common.operations.deadletters import (
    ReplayRefusedError,
    get_dead_letter,
    list_dead_letters,
    pretty_payload,
    replay_dead_letter,
)
from common.operations.replay import replay_consumer
from common.settings import DEFAULT_NATS_URL, ServiceSettings

SERVICES = ("scheduling", "reviews", "knowledge")


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Operate a running system.")
    parser.add_argument("--nats", default=os.environ.get("NATS_URL", DEFAULT_NATS_URL))
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    commands = parser.add_subparsers(dest="command", required=True)

    backlog = commands.add_parser("backlog", help="outbox rows waiting and every consumer's lag")
    _database_options(backlog, required=False)

    letters = commands.add_parser("dead-letters", help="list, show or replay dead letters")
    actions = letters.add_subparsers(dest="action", required=True)
    listed = actions.add_parser("list", help="dead letters in stream order")
    listed.add_argument("--consumer", help="only this durable consumer's")
    listed.add_argument("--after", type=int, default=0, metavar="SEQ")
    listed.add_argument("--limit", type=int, default=100)
    shown = actions.add_parser("show", help="one dead letter with its event")
    shown.add_argument("seq", type=int)
    replayed = actions.add_parser("replay", help="park the event again in its consumer, due now")
    replayed.add_argument("seq", type=int)
    _database_options(replayed, required=True)

    backup = commands.add_parser("backup", help="a consistent copy of a service's database")
    _database_options(backup, required=True)
    backup.add_argument("--to", type=Path, required=True, metavar="FILE")
    restore = commands.add_parser("restore", help="replace a service's database (stop it first)")
    _database_options(restore, required=True)
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")

    rewind = commands.add_parser("replay-consumer", help="deliver a stream again from a point")
    rewind.add_argument("stream")
    rewind.add_argument("durable")
    start = rewind.add_mutually_exclusive_group(required=True)
    start.add_argument("--from-seq", type=int, metavar="SEQ")
    start.add_argument("--from-time", type=datetime.fromisoformat, metavar="ISO-8601")
    return parser


def _database_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--service", choices=SERVICES, required=required)
    parser.add_argument("--database", help="SQLAlchemy URL (default: the service's)")


def _database(args: argparse.Namespace) -> Database | None:
    if args.database:
        return create_database(args.database, pool=PoolConfig(size=1, max_overflow=0))
    if args.service is None:
        return None
    url = os.environ.get(f"{args.service.upper()}_DATABASE_URL", "")
    settings = ServiceSettings(service_name=args.service, database_url=url)
    return create_database(
        settings.resolved_database_url(), pool=PoolConfig(size=1, max_overflow=0)
    )


def _print(args: argparse.Namespace, value: Any, text: str) -> None:
    print(json.dumps(value, indent=2, default=str) if args.json else text)


async def _run(args: argparse.Namespace) -> int:
    if args.command in ("backup", "restore"):  # the database alone: NATS may be down
        return await _backup_or_restore(args)
    broker = await Broker.connect(args.nats, name="cf-ops")
    database = _database(args) if hasattr(args, "service") else None
    try:
        return await _dispatch(args, broker, database)
    finally:
        await broker.close()
        if database is not None:
            await database.dispose()


async def _dispatch(args: argparse.Namespace, broker: Broker, database: Database | None) -> int:
    js = broker.js
    if args.command == "backlog":
        consumers = [asdict(c) for c in await consumer_backlogs(js)]
        outbox = asdict(await outbox_backlog(database)) if database is not None else None
        lines = [f"outbox ({args.service}): {outbox}"] if outbox is not None else []
        lines += [
            f"{c['stream']}/{c['consumer']}: pending {c['pending']}, "
            f"ack pending {c['ack_pending']}, redelivered {c['redelivered']}"
            for c in consumers
        ]
        _print(args, {"outbox": outbox, "consumers": consumers}, "\n".join(lines))
        return 0
    if args.command == "replay-consumer":
        info = await replay_consumer(
            js, args.stream, args.durable, from_seq=args.from_seq, from_time=args.from_time
        )
        _print(args, {"consumer": info.name}, f"{info.name} replays from the given point")
        return 0
    if args.action == "list":
        records = await list_dead_letters(
            js, consumer=args.consumer, after=args.after, limit=args.limit
        )
        summaries = [r.summary() for r in records]
        lines = [
            f"{s['seq']:>6} {s['time']} {s['consumer']} {s['stream']}#{s['stream_seq']} "
            f"{s['event_type'] or '(not an event)'} attempts={s['attempts']}: {s['error']}"
            for s in summaries
        ]
        _print(args, summaries, "\n".join(lines) or "no dead letters")
        return 0
    if args.action == "show":
        record = await get_dead_letter(js, args.seq)
        payload = pretty_payload(record)
        text = "\n".join(f"{k}: {v}" for k, v in record.summary().items()) + "\n" + payload
        _print(args, {**record.summary(), "payload": payload}, text)
        return 0
    assert database is not None  # replay: --service is required
    try:
        event_id = await replay_dead_letter(js, database, args.seq)
    except ReplayRefusedError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    _print(args, {"replayed": event_id}, f"event {event_id} parked again, due now")
    return 0


async def _backup_or_restore(args: argparse.Namespace) -> int:
    database = _database(args)
    assert database is not None  # --service is required
    url = database.engine.url.render_as_string(hide_password=False)
    await database.dispose()
    if args.command == "backup":
        await backup_database(url, args.to)
        print(f"{args.service}: backed up to {args.to}")
    else:
        await restore_database(url, args.source)
        print(f"{args.service}: restored from {args.source}; now replay its consumers")
    return 0


def main(argv: Sequence[str], *, prog: str = "cf ops") -> int:
    args = _parser(prog).parse_args(list(argv))
    return asyncio.run(_run(args))
