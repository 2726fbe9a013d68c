"""Keyset pagination with opaque cursors: ``?limit=&cursor=`` in, ``{data, next_cursor}`` out.

No ``from __future__ import annotations`` here: FastAPI reads :class:`PageParams`'s
``__init__`` annotations at runtime, and a class has no ``__globals__`` to resolve strings in.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import ColumnElement, Select, TypeDecorator, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeEngine

from common.http.problems import ProblemError, validation_failed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 1024

T = TypeVar("T")


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        description="Opaque: the `next_cursor` of the previous page.",
    ),
]


class PageParams:
    """The ``limit`` and ``cursor`` query parameters. Use as ``params: Pagination``."""

    __slots__ = ("cursor", "limit")

    def __init__(self, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> None:
        self.limit = limit
        self.cursor = cursor


async def page_params(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> PageParams:
    """The dependency behind :data:`Pagination`: async, since FastAPI runs a sync dependency
    (a class is one) in the thread pool on every request."""
    return PageParams(limit, cursor)


Pagination = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class CursorError(ValueError):
    pass


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_to_json(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> list[Any]:
    """The JSON values in a cursor; :class:`CursorError` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise CursorError("not a cursor") from exc
    if not isinstance(values, list):
        raise CursorError("not a cursor")
    return values


def _python_type(attribute: QueryableAttribute[Any]) -> type | None:
    column_type: TypeEngine[Any] = attribute.expression.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance  # a TypeDecorator reports ``object``
    try:
        return column_type.python_type
    except NotImplementedError:
        return None


def _from_json(value: Any, kind: type | None) -> Any:
    """Rebuild a keyset value from the column's Python type, so it binds like the column."""
    if kind is datetime:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        if parsed is None or parsed.tzinfo is None:
            raise CursorError("bad timestamp")
        return parsed
    if kind is date:
        return date.fromisoformat(value) if isinstance(value, str) else _bad()
    if kind is uuid.UUID:
        return uuid.UUID(value) if isinstance(value, str) else _bad()
    if kind is Decimal:
        return Decimal(value) if isinstance(value, str) else _bad()
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise CursorError("bad integer")
    if kind is str and not isinstance(value, str):
        raise CursorError("bad string")
    return value


def _bad() -> Any:
    raise CursorError("bad value")


def _cursor_problem() -> ProblemError:
    message = "Not a cursor from this list; start again without one."
    return validation_failed([{"field": "query.cursor", "message": message}])


def _keyset_values(cursor: str, order_by: Sequence[QueryableAttribute[Any]]) -> list[Any]:
    try:
        values = decode_cursor(cursor)
        if len(values) != len(order_by):
            raise CursorError("wrong length")
        return [_from_json(v, _python_type(a)) for v, a in zip(values, order_by, strict=True)]
    except (CursorError, ValueError, TypeError) as exc:
        raise _cursor_problem() from exc


def _after(
    order_by: Sequence[QueryableAttribute[Any]], values: Sequence[Any], descending: bool
) -> ColumnElement[bool]:
    # (a, b) > (x, y) spelt out as a > x OR (a = x AND b > y): row values compare the same on
    # SQLite and PostgreSQL this way, and each bound value gets its column's type.
    clauses: list[ColumnElement[bool]] = []
    for i, attribute in enumerate(order_by):
        equal = [order_by[j] == values[j] for j in range(i)]
        beyond = attribute < values[i] if descending else attribute > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


async def paginate(
    session: AsyncSession,
    statement: Select[T],
    *,
    order_by: Sequence[QueryableAttribute[Any]],
    params: PageParams,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    """One page of ``statement`` (a ``select(Entity)``, filtered but not ordered).

    ``order_by`` must be a unique, non-null keyset such as ``(Entity.updated_at, Entity.id)``.
    Returns the rows and the cursor of the next page (``None`` on the last page).
    """
    if not order_by:
        raise ValueError("paginate needs at least one order_by column")
    direction = [a.desc() if descending else a.asc() for a in order_by]
    statement = statement.order_by(None).order_by(*direction)
    if params.cursor:
        values = _keyset_values(params.cursor, order_by)
        statement = statement.where(_after(order_by, values, descending))
    # One extra row tells whether there is a next page without a COUNT.
    rows = list((await session.scalars(statement.limit(params.limit + 1))).all())
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, encode_cursor([getattr(rows[-1], a.key) for a in order_by])


#: The ``updated_since`` query parameter of every list that integrators sync from. Inclusive, so
#: that a row committed in the same instant as the newest one a client holds is never skipped:
#: the boundary rows come again, and a client keeps the one with the higher ``version``.
UpdatedSince = Annotated[
    AwareDatetime | None,
    Query(
        description=(
            "Only rows changed at or after this instant (ISO 8601 with a UTC offset; inclusive: "
            "pass the newest `updated_at` you hold, and expect those rows again, unless you "
            "add `after_id`). Sorts the list oldest change first."
        )
    ),
]


class SyncParams:
    """``updated_since`` and ``after_id``: the sync boundary of a list. Use as ``sync: Sync``.

    ``updated_since`` alone is inclusive (rows changed at or after the instant). With
    ``after_id`` too the boundary is the compound ``(updated_at, id)`` of the last row the
    client holds, and the list starts strictly after it: a batch that stamped many rows with
    one instant is never read again, and none of it is skipped.
    """

    __slots__ = ("after_id", "updated_since")

    def __init__(
        self,
        updated_since: UpdatedSince = None,
        after_id: Annotated[
            str | None,
            Query(
                max_length=64,
                description=(
                    "With `updated_since`: the `id` of the last row you hold whose `updated_at` "
                    "is `updated_since`; the list then starts strictly after that row (the "
                    "compound boundary `(updated_at, id)`), so nothing is read twice."
                ),
            ),
        ] = None,
    ) -> None:
        if after_id is not None and updated_since is None:
            message = "after_id needs updated_since (the updated_at of that row)."
            raise validation_failed([{"field": "query.after_id", "message": message}])
        self.updated_since = updated_since
        self.after_id = after_id

    @property
    def active(self) -> bool:
        return self.updated_since is not None


Sync = Annotated[SyncParams, Depends()]


def _id_value(raw: str, attribute: QueryableAttribute[Any]) -> Any:
    kind = _python_type(attribute)
    try:
        if kind is uuid.UUID:
            return uuid.UUID(raw)
        if kind is int:
            return int(raw)
    except ValueError as exc:
        message = "Not an id of this list."
        raise validation_failed([{"field": "query.after_id", "message": message}]) from exc
    return raw


def changed_since(
    sync: SyncParams,
    updated_at: QueryableAttribute[Any],
    id_: QueryableAttribute[Any],
) -> ColumnElement[bool] | None:
    """The condition of ``sync`` on a list keyed ``(updated_at, id)``; ``None`` when inactive."""
    if sync.updated_since is None:
        return None
    if sync.after_id is None:
        return updated_at >= sync.updated_since
    after = _id_value(sync.after_id, id_)
    return _after((updated_at, id_), (sync.updated_since, after), False)


async def paginate_synced(
    session: AsyncSession,
    statement: Select[T],
    *,
    sync: SyncParams,
    updated_at: QueryableAttribute[Any],
    id_: QueryableAttribute[Any],
    order_by: Sequence[QueryableAttribute[Any]] | None = None,
    params: PageParams,
) -> tuple[list[T], str | None]:
    """A page of a list an MIS mirrors: with a sync boundary, the rows changed after it, oldest
    change first (keyset ``(updated_at, id)``); without one, ``order_by`` (default the same)."""
    condition = changed_since(sync, updated_at, id_)
    if condition is not None:
        statement = statement.where(condition)
        order_by = None
    keyset = order_by or (updated_at, id_)
    return await paginate(session, statement, order_by=keyset, params=params)


#: The ``after_id`` of a list read for its new rows alone (an append-only list, a job list):
#: the list's own keyset, restarted after the row the client holds last.
AfterId = Annotated[
    str | None,
    Query(
        max_length=64,
        description=(
            "The last row you hold, by its `id` (in a list of versions, its version number): "
            "only the rows after it, oldest first, so nothing is read twice and none skipped."
        ),
    ),
]


class AfterParams:
    """``after_id`` alone: where a list that only grows starts again. Use as ``after: After``."""

    __slots__ = ("after_id",)

    def __init__(self, after_id: str | None = None) -> None:
        self.after_id = after_id


async def after_params(after_id: AfterId = None) -> AfterParams:
    """The dependency behind :data:`After` (async: see :func:`page_params`)."""
    return AfterParams(after_id)


After = Annotated[AfterParams, Depends(after_params)]


async def paginate_after(
    session: AsyncSession,
    statement: Select[T],
    *,
    after: AfterParams,
    id_: QueryableAttribute[Any],
    order_by: Sequence[QueryableAttribute[Any]],
    params: PageParams,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    """A page of a list read for its new rows: with ``after_id``, the rows that follow that row
    in ``order_by`` (a unique keyset ending in ``id_``), ascending; without it, ``order_by`` in
    the list's own direction. An id that is not a row of ``statement`` (another tenant's, or
    another list's) is a 422, never an empty page that looks like "nothing new"."""
    if after.after_id is None:
        return await paginate(
            session, statement, order_by=order_by, params=params, descending=descending
        )
    value = _id_value(after.after_id, id_)
    located = statement.with_only_columns(*order_by).where(id_ == value).limit(1)
    boundary = (await session.execute(located)).first()
    if boundary is None:
        message = "Not an id of this list."
        raise validation_failed([{"field": "query.after_id", "message": message}])
    statement = statement.where(_after(order_by, tuple(boundary), False))
    return await paginate(session, statement, order_by=order_by, params=params)
