"""Bulk writes deferred to the end of the transaction, so that a consumer applying a batch of
events writes each table once per batch instead of once per event.

Rows handed to :func:`defer` are kept per transaction and per statement, and executed in one
go (one executemany per statement, in the order the statements were first deferred) when the
transaction commits, or earlier, before any statement of the session touches a table that has
rows waiting: as the ORM's autoflush does, a read never misses a deferred write, and a delete
never leaves one behind. Rows that share a ``key`` are merged into one, their ``summed``
columns added together (an upsert that adds counts can then touch each row once).

A statement that knows how to add the waiting rows itself (see :func:`pending`) runs without
the flush when executed with the ``SEES_DEFERRED`` execution option.

The buffers belong to the transaction: a rollback discards them with it. Not for use inside
savepoints (a rolled-back savepoint would not take its deferred rows with it), and a ``text()``
statement is not looked into (write such a read with the tables, or call
:func:`flush_deferred` first).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.util import find_tables

from common.db.scoped import sync_transaction_scoped, transaction_scoped

#: Execution option: this statement accounts for the deferred rows itself; do not flush them.
SEES_DEFERRED = "cf_sees_deferred"
_BUFFERS = "deferred_writes"
_HOOKED = "deferred_writes_hooked"
_EPOCHS = "deferred_writes_flushes"


@dataclass
class _Buffer:
    statement: Executable
    table: Table
    summed: tuple[str, ...]
    rows: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    serial: itertools.count[int] = field(default_factory=itertools.count)


def defer(
    session: AsyncSession,
    statement: Executable,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    key: Sequence[str] = (),
    summed: Sequence[str] = (),
) -> None:
    """Execute ``statement`` with ``rows`` before the transaction ends (``table``: the table it
    writes, whose readers flush the rows first). With ``key``, rows of equal key columns are
    merged, adding their ``summed`` columns; without, every row is kept."""
    _hook(session.sync_session)
    buffers: dict[int, _Buffer] = transaction_scoped(session, _BUFFERS)
    buffer = buffers.get(id(statement))
    if buffer is None:
        buffer = buffers[id(statement)] = _Buffer(statement, table, tuple(summed))
    key_of = itemgetter(*key) if len(key) > 1 else None  # a tuple of the key columns
    for row in rows:
        row_key: Hashable = (
            key_of(row) if key_of else (row[key[0]],) if key else next(buffer.serial)
        )
        held = buffer.rows.get(row_key)
        if held is None:
            buffer.rows[row_key] = dict(row)
        else:
            for column in buffer.summed:
                held[column] += row[column]


def pending(session: AsyncSession, statement: Executable) -> Mapping[Hashable, dict[str, Any]]:
    """The rows waiting for ``statement`` in this transaction, by the tuple of their ``key``
    columns (merged; to read, not to change)."""
    buffer = transaction_scoped(session, _BUFFERS).get(id(statement))
    return buffer.rows if buffer is not None else {}


async def flush_deferred(session: AsyncSession) -> None:
    """Write the waiting rows now."""
    await session.run_sync(_flush)


def _flush(session: Session) -> None:
    """All of them, in the order they were first deferred (rows may refer to earlier ones),
    after the ORM's own pending objects (the rows may refer to those too)."""
    buffers: dict[int, _Buffer] = sync_transaction_scoped(session, _BUFFERS)
    if not buffers:
        return
    waiting = list(buffers.values())
    buffers.clear()  # first: the statements below must not flush them again
    epoch = sync_transaction_scoped(session, _EPOCHS)
    epoch["flushes"] = epoch.get("flushes", 0) + 1
    session.flush()
    for buffer in waiting:
        rows = [row for row in buffer.rows.values() if not _all_zero(row, buffer.summed)]
        if rows:
            session.execute(buffer.statement, rows)


def flushes(session: AsyncSession) -> int:
    """How many times this transaction's deferred rows were written so far: what a cache of
    values read beside :func:`pending` rows compares, since a flush moves them into the
    database."""
    return int(sync_transaction_scoped(session.sync_session, _EPOCHS).get("flushes", 0))


def _all_zero(row: dict[str, Any], summed: tuple[str, ...]) -> bool:
    """A merged row that adds nothing (+1 then -1) need not be written."""
    return bool(summed) and not any(row[column] for column in summed)


def _hook(session: Session) -> None:
    if session.info.get(_HOOKED):
        return
    session.info[_HOOKED] = True
    event.listen(session, "before_commit", _before_commit)
    event.listen(session, "do_orm_execute", _before_execute)


def _before_commit(session: Session) -> None:
    _flush(session)


def _before_execute(state: ORMExecuteState) -> None:
    buffers = sync_transaction_scoped(state.session, _BUFFERS)
    if not buffers or state.execution_options.get(SEES_DEFERRED):
        return
    # A delete may cascade to a waiting table in the database, out of sight of find_tables.
    waiting = {buffer.table for buffer in buffers.values()}
    statement = state.statement
    touched = (
        find_tables(statement, include_crud=True) if isinstance(statement, ClauseElement) else []
    )
    if state.is_delete or not waiting.isdisjoint(touched):
        _flush(state.session)
