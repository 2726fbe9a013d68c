"""State that lives exactly as long as a session's current transaction.

A consumer applies many events in one transaction; some work is needed once per transaction,
not once per event (bump a counter that readers compare, keep rows that the next event will
ask for again). ``session.info`` outlives transactions, so the state is tied to the
transaction object: a new transaction finds an empty one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session


def transaction_scoped(session: AsyncSession, name: str) -> dict[Any, Any]:
    """A dict named ``name`` for the session's current transaction (empty in a new one)."""
    return sync_transaction_scoped(session.sync_session, name)


def sync_transaction_scoped(session: Session, name: str) -> dict[Any, Any]:
    """:func:`transaction_scoped` for the sync session (event hooks get that one)."""
    transaction = session.get_transaction()
    held = session.info.get(name)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[name] = held
    state: dict[Any, Any] = held[1]
    return state
