"""Routes of /v1/reviews/{id}/self-evaluation: the school's SEF."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.etag import IfMatchVersion, set_etag
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.self_evaluation import service
from reviews.self_evaluation.schemas import SelfEvaluationIn, SelfEvaluationOut

router = APIRouter(prefix="/v1/reviews", tags=["self-evaluation"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]


@router.get(
    "/{review_id}/self-evaluation",
    name="get_self_evaluation",
    summary="The school's self-evaluation",
    description=(
        "For the school, and for the review team and IC once the school has shared it (or the "
        "review has reached `pre_review`); 403 for others who see the review. 404 until written "
        "(for the team: until shared)."
    ),
    response_model=SelfEvaluationOut,
)
async def get_self_evaluation(
    review_id: ReviewId, response: Response, session: SessionDep, principal: ReviewsReader
) -> SelfEvaluationOut:
    evaluation, shared = await service.get_self_evaluation(session, principal, review_id)
    set_etag(response, evaluation.version)
    return SelfEvaluationOut.of(evaluation, shared=shared)


@router.put(
    "/{review_id}/self-evaluation",
    name="set_self_evaluation",
    summary="Write the self-evaluation",
    description=(
        "By the school, in `self_review` (409 otherwise). `If-Match`: the review's ETag for the "
        "first version, then the self-evaluation's. The data summary holds aggregates only: "
        "figures out of range or that do not add up to the cohort are a 422. `share: true` "
        "shares it with the team. Kept in the review's history."
    ),
    response_model=SelfEvaluationOut,
)
async def set_self_evaluation(
    review_id: ReviewId,
    body: SelfEvaluationIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> SelfEvaluationOut:
    evaluation, shared = await service.set_self_evaluation(
        session, principal, review_id, body, expected
    )
    set_etag(response, evaluation.version)
    return SelfEvaluationOut.of(evaluation, shared=shared)
