"""Transactional outbox: an event is a row written in the same transaction as the change it
describes, and the relay publishes it after the commit.

A service declares its table on its own declarative base::

    class OutboxMessage(OutboxMixin, Base):
        __tablename__ = "outbox"

and a use case calls ``add_event(session, event, nats_subject=...)`` before it commits.
``add_event`` finds the service's outbox model from the session, in this order:

1. ``session.info``, set for every session of a :class:`~common.db.Database` by
   :func:`bind_outbox` (call it where the service builds its Database: deterministic);
2. otherwise the declarative base of the objects already in the session (every subclass of
   :class:`OutboxMixin` registers itself with its ``MetaData``, and a use case has always added
   or loaded the entity the event is about; an event handler's session holds its inbox row).

On commit, the relays of this process that publish that model are woken (no polling delay);
on PostgreSQL the transaction also sends ``pg_notify(notify_channel(model))``, delivered with
its commit, which wakes the relays of other processes (the worker role) that listen to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Index, Integer, MetaData, String, Text, event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from common.clock import utcnow
from common.db.base import UTCDateTime
from common.db.engine import Database
from common.logging import correlation_id_var
from common.messaging.envelope import CloudEvent
from common.observability.tracing import current_trace_context

_MODEL_KEY = "common.messaging.outbox_model"
_PENDING_KEY = "common.messaging.outbox_pending"

# Integer on SQLite so that the key is the rowid (autoincrementing); BIGINT elsewhere.
AutoIncrementId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxNotConfiguredError(LookupError):
    """``add_event`` could not tell which outbox table the session writes to."""


class OutboxMixin:
    """Columns of an outbox table. ``id`` is the publish order; ``published_at`` is set once
    JetStream has acknowledged the message. A partial index keeps the unsent rows cheap to
    find however large the table grows (prune published rows at leisure)."""

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    nats_subject: Mapped[str] = mapped_column(String(512), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    partition_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    correlation_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        unsent = text("published_at IS NULL")
        name = f"ix_{cls.__tablename__}_unpublished"  # type: ignore[attr-defined]
        return (Index(name, "id", postgresql_where=unsent, sqlite_where=unsent),)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # maps the class when Base is a DeclarativeBase
        table = getattr(cls, "__table__", None)
        if table is not None:
            _by_metadata[table.metadata] = cls


_by_metadata: dict[MetaData, type[OutboxMixin]] = {}
_wakers: dict[type[OutboxMixin], set[Callable[[], None]]] = {}


def bind_outbox(database: Database, model: type[OutboxMixin]) -> None:
    """Make ``add_event`` on every session of ``database`` write to ``model``."""
    info = dict(database.sessions.kw.get("info") or {})
    info[_MODEL_KEY] = model
    database.sessions.configure(info=info)


def outbox_model_for(session: AsyncSession | Session) -> type[OutboxMixin]:
    """The outbox model ``add_event`` uses for ``session`` (see the module docstring)."""
    bound = session.info.get(_MODEL_KEY)
    if bound is not None:
        return bound  # type: ignore[no-any-return]
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    candidates: Iterable[object] = (
        *sync.new,
        *sync.dirty,
        *sync.deleted,
        *sync.identity_map.values(),
    )
    for obj in candidates:
        model = _by_metadata.get(getattr(type(obj), "metadata", None))  # type: ignore[arg-type]
        if model is not None:
            return model
    raise OutboxNotConfiguredError(
        "no outbox model for this session: call bind_outbox(database, OutboxMessage) where the "
        "service builds its Database"
    )


def add_event(session: AsyncSession, event: CloudEvent, *, nats_subject: str) -> None:
    """Add ``event`` to the outbox in the caller's transaction; it is published after commit.

    The current correlation id (``common.logging.correlation_id_var``) is stamped on the event
    when it has none, so every event caused by one request or one handled event shares it.
    """
    model = outbox_model_for(session)
    if event.correlationid is None and (correlation_id := correlation_id_var.get()) is not None:
        event = event.model_copy(update={"correlationid": correlation_id})
    if event.traceparent is None and (trace_context := current_trace_context()):
        event = event.model_copy(update=trace_context)
    row = cast(Any, model)(  # the declarative base supplies the keyword constructor
        event_id=event.id,
        nats_subject=nats_subject,
        payload=event.to_bytes().decode(),
        partition_key=event.partitionkey,
        correlation_id=event.correlationid,
    )
    session.add(row)
    session.info.setdefault(_PENDING_KEY, set()).add(model)


def notify_channel(model: type[OutboxMixin]) -> str:
    """The PostgreSQL ``NOTIFY`` channel of ``model``'s table (one per database)."""
    return f"{model.__tablename__}_committed"  # type: ignore[attr-defined]


def register_waker(model: type[OutboxMixin], wake: Callable[[], None]) -> None:
    """Call ``wake`` (from the event loop's thread) whenever rows of ``model`` are committed."""
    _wakers.setdefault(model, set()).add(wake)


def unregister_waker(model: type[OutboxMixin], wake: Callable[[], None]) -> None:
    _wakers.get(model, set()).discard(wake)


# Listeners on the Session class cover every session (async ones run a sync Session inside);
# they cost a dict lookup for sessions that added no event.
_NOTIFY = text("SELECT pg_notify(:channel, '')")


@event.listens_for(Session, "before_commit")
def _notify_other_processes(session: Session) -> None:
    models: set[type[OutboxMixin]] | None = session.info.get(_PENDING_KEY)
    if not models or session.get_bind().dialect.name != "postgresql":
        return
    for model in models:  # transactional: sent at commit, dropped with a rollback
        session.execute(_NOTIFY, {"channel": notify_channel(model)})


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    models: set[type[OutboxMixin]] = session.info.pop(_PENDING_KEY, set())
    for model in models:
        for wake in tuple(_wakers.get(model, ())):
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
