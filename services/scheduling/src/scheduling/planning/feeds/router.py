"""Routes of calendar feeds: tokens (authenticated) and the feed itself at its secret URL."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination
from scheduling.deps import ScheduleReader, SessionDep
from scheduling.planning.feeds import service
from scheduling.planning.feeds.schemas import CreatedFeedTokenOut, FeedTokenIn, FeedTokenOut

router = APIRouter(tags=["calendar feeds"])

TokenId = Annotated[UUID, Path(description="Feed token id")]
Secret = Annotated[
    str,
    Path(
        min_length=20,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The feed's secret (from the token's `url`)",
    ),
]


@router.post(
    "/v1/feed-tokens",
    name="create_feed_token",
    summary="Create a calendar feed",
    description=(
        "An iCalendar feed of a person's, a school's or a partnership's reviews (with every "
        "milestone) and meetings, at a secret URL (`url`, shown only now) that Outlook and "
        "Google Calendar can subscribe to without a token. A person's feed: the person "
        "themselves or who manages them; a school's: those who see the school; a "
        "partnership's: its lead or LA. Reading a schedule this way needs only "
        "`schedule:read`. Send `Idempotency-Key` to retry safely (the retry shows the same URL)."
    ),
    status_code=201,
    response_model=CreatedFeedTokenOut,
)
async def create_token(
    body: FeedTokenIn, idempotency: IdempotencyKey, session: SessionDep, principal: ScheduleReader
) -> Response:
    stored = await service.create_token(session, principal, body, idempotency)
    return stored.to_response()


@router.get(
    "/v1/feed-tokens",
    name="list_feed_tokens",
    summary="Your calendar feeds",
    description="The tokens you created (never their secrets), revoked ones too.",
    response_model=Page[FeedTokenOut],
)
async def list_tokens(
    session: SessionDep, principal: ScheduleReader, params: Pagination
) -> Page[FeedTokenOut]:
    rows, next_cursor = await service.list_tokens(session, principal, params)
    return Page(data=[service.token_out(t) for t in rows], next_cursor=next_cursor)


@router.delete(
    "/v1/feed-tokens/{token_id}",
    name="revoke_feed_token",
    summary="Revoke a calendar feed",
    description="Its URL answers 404 from now on.",
    status_code=204,
)
async def revoke_token(
    token_id: TokenId, session: SessionDep, principal: ScheduleReader
) -> Response:
    await service.revoke_token(session, principal, token_id)
    return Response(status_code=204)


@router.get(
    "/v1/feeds/{secret}.ics",
    name="get_feed",
    summary="A calendar feed (iCalendar)",
    description=(
        "No bearer token: the secret in the URL is the credential. Stable UIDs, SEQUENCE "
        "rising with every change, cancelled reviews and meetings as STATUS:CANCELLED. 404 "
        "for an unknown or revoked secret."
    ),
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}},
)
async def get_feed(secret: Secret, session: SessionDep) -> Response:
    body = await service.feed(session, secret)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
