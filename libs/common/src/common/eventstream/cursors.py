"""Feed cursors: opaque to clients, a stream sequence inside."""

from __future__ import annotations

from common.http.pagination import CursorError, decode_cursor, encode_cursor
from common.http.problems import ProblemError, validation_failed


def cursor_for(seq: int) -> str:
    return encode_cursor([seq])


def sequence_of(cursor: str, *, field: str = "query.after") -> int:
    """The stream sequence a cursor stands for; a 422 problem if it is not one of ours."""
    try:
        values = decode_cursor(cursor)
    except CursorError as exc:
        raise _not_a_cursor(field) from exc
    if len(values) != 1 or not isinstance(values[0], int) or isinstance(values[0], bool):
        raise _not_a_cursor(field)
    if values[0] < 0:
        raise _not_a_cursor(field)
    return values[0]


def _not_a_cursor(field: str) -> ProblemError:
    message = "Not a cursor of this feed; start again without one."
    return validation_failed([{"field": field, "message": message}])
