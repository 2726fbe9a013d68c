"""ETags from the ``version`` column, and the If-Match checks for optimistic concurrency.

A route reads the expected version with ``expected: IfMatchVersion`` (or
:func:`require_if_match`), the service compares it with :func:`check_version` before changing
the entity, and the router sets the new ETag with :func:`set_etag`.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header
from starlette.requests import Request
from starlette.responses import Response

from common.http.problems import precondition_failed, precondition_required

_STRONG_ETAG = re.compile(r'"(\d{1,18})"')


def etag_for(version: int) -> str:
    """The strong, quoted ETag for a version: ``etag_for(3) == '"3"'``."""
    return f'"{version}"'


def parse_if_match(value: str | None) -> int:
    """The version in an If-Match header value.

    Missing (or ``*``, which would skip the lost-update check) -> 428; anything but one strong
    ETag of ours (a weak ``W/"3"``, a list, garbage) -> 412, as it cannot match.
    """
    if value is None or not value.strip() or value.strip() == "*":
        raise precondition_required()
    match = _STRONG_ETAG.fullmatch(value.strip())
    if match is None:
        raise precondition_failed(
            'If-Match must be the single strong ETag from the last read, e.g. "3".'
        )
    return int(match.group(1))


def require_if_match(request: Request) -> int:
    return parse_if_match(request.headers.get("if-match"))


async def if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Required on updates: the ETag from the last read of the resource.",
            examples=['"3"'],
        ),
    ] = None,
) -> int:
    """FastAPI dependency form of :func:`require_if_match`; documents the header in OpenAPI.
    Async, like every dependency here: FastAPI runs a sync one in the thread pool."""
    return parse_if_match(if_match)


IfMatchVersion = Annotated[int, Depends(if_match_version)]


def check_version(current: int, expected: int) -> None:
    """412 when the client's version is not the current one (someone else changed it)."""
    if current != expected:
        raise precondition_failed()


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


async def optional_if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Required when replacing an existing resource: the ETag from the last "
            "read. Leave it out to create.",
            examples=['"3"'],
        ),
    ] = None,
) -> int | None:
    """For create-or-replace PUTs: ``None`` when absent (creating); the version otherwise. The
    service answers 428 itself when the resource exists and no version was given."""
    return None if if_match is None else parse_if_match(if_match)


OptionalIfMatchVersion = Annotated[int | None, Depends(optional_if_match_version)]
