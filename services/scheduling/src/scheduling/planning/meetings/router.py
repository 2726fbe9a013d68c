"""Routes of a cycle's meetings (/v1/cycles/{id}/meetings) and of one meeting (/v1/meetings)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, Sync
from scheduling.deps import ScheduleReader, ScheduleWriter, SessionDep
from scheduling.planning.meetings import service
from scheduling.planning.meetings.schemas import GeneratedOut, MeetingIn, MeetingOut, MeetingPatch

router = APIRouter(tags=["meetings"])

CycleId = Annotated[UUID, Path(description="Cycle id (UUIDv7)")]
MeetingId = Annotated[UUID, Path(description="Meeting id")]


@router.get(
    "/v1/cycles/{cycle_id}/meetings",
    name="list_cycle_meetings",
    summary="A cycle's meetings",
    description="For whoever sees the cycle (its member schools too); cancelled ones included.",
    response_model=Page[MeetingOut],
)
async def list_meetings(
    cycle_id: CycleId,
    session: SessionDep,
    principal: ScheduleReader,
    params: Pagination,
    sync: Sync,
) -> Page[MeetingOut]:
    rows, next_cursor = await service.list_meetings(session, principal, cycle_id, params, sync=sync)
    return Page(data=[MeetingOut.model_validate(m) for m in rows], next_cursor=next_cursor)


@router.post(
    "/v1/cycles/{cycle_id}/meetings",
    name="create_cycle_meeting",
    summary="Add a meeting to a cycle",
    description="By the partnership's lead or LA. Send `Idempotency-Key` to retry safely.",
    status_code=201,
    response_model=MeetingOut,
)
async def create_meeting(
    cycle_id: CycleId,
    body: MeetingIn,
    idempotency: IdempotencyKey,
    session: SessionDep,
    principal: ScheduleWriter,
) -> Response:
    stored = await service.create_meeting(session, principal, cycle_id, body, idempotency)
    return stored.to_response()


@router.post(
    "/v1/cycles/{cycle_id}/meetings/generation",
    name="generate_cycle_meetings",
    summary="Generate a cycle's meetings from its policy",
    description=(
        "A headteachers' meeting each half-term, the training sessions and the June "
        "evaluation session (`policy.meetings`), on school days of the LA's calendar. Only "
        "the missing ones are created: meetings already generated stay as edited (or "
        "cancelled), so this can be run again after a policy change. 409 without term dates."
    ),
    response_model=GeneratedOut,
)
async def generate_meetings(
    cycle_id: CycleId, session: SessionDep, principal: ScheduleWriter
) -> GeneratedOut:
    created, kept = await service.generate_meetings(session, principal, cycle_id)
    return GeneratedOut(created=[MeetingOut.model_validate(m) for m in created], kept=kept)


@router.get(
    "/v1/meetings/{meeting_id}", name="get_meeting", summary="A meeting", response_model=MeetingOut
)
async def get_meeting(
    meeting_id: MeetingId, response: Response, session: SessionDep, principal: ScheduleReader
) -> MeetingOut:
    meeting = await service.get_meeting(session, principal, meeting_id)
    set_etag(response, meeting.version)
    return MeetingOut.model_validate(meeting)


@router.patch(
    "/v1/meetings/{meeting_id}",
    name="patch_meeting",
    summary="Change a meeting",
    description="Title, times or location; needs `If-Match`.",
    response_model=MeetingOut,
)
async def patch_meeting(
    meeting_id: MeetingId,
    body: MeetingPatch,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ScheduleWriter,
) -> MeetingOut:
    meeting = await service.patch_meeting(session, principal, meeting_id, body, expected)
    set_etag(response, meeting.version)
    return MeetingOut.model_validate(meeting)


@router.delete(
    "/v1/meetings/{meeting_id}",
    name="cancel_meeting",
    summary="Cancel a meeting",
    description="Kept as cancelled, so calendar feeds show it cancelled. Needs `If-Match`.",
    status_code=204,
)
async def cancel_meeting(
    meeting_id: MeetingId, expected: IfMatchVersion, session: SessionDep, principal: ScheduleWriter
) -> Response:
    await service.cancel_meeting(session, principal, meeting_id, expected)
    return Response(status_code=204)
