"""``GET /problems`` and ``GET /problems/{slug}``: the problem-type catalogue at its URIs.

Public (no token): a problem's ``type`` must be readable by whoever received it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Path
from pydantic import BaseModel, Field

from common.http.problem_catalog import PROBLEM_TYPES, ProblemType
from common.http.problems import not_found

PROBLEMS_PATH = "/problems"


class ProblemTypeOut(BaseModel):
    type: str = Field(
        description="The URI a problem document carries in `type`",
        examples=["https://criticalfriend.org/problems/outside-tenancy"],
    )
    slug: str = Field(examples=["outside-tenancy"])
    status: int = Field(description="The HTTP status it comes with", examples=[403])
    title: str = Field(examples=["Outside your tenancy"])
    description: str = Field(
        examples=[
            "The token's tenancy (local authority, trust, partnership or URNs) does not cover it."
        ]
    )


class ProblemTypeList(BaseModel):
    data: list[ProblemTypeOut]


def _out(problem: ProblemType) -> ProblemTypeOut:
    return ProblemTypeOut(
        type=problem.uri,
        slug=problem.slug,
        status=problem.status,
        title=problem.title,
        description=problem.description,
    )


def add_problem_routes(app: FastAPI) -> None:
    router = APIRouter(prefix=PROBLEMS_PATH, tags=["problems"])

    @router.get(
        "",
        name="list_problem_types",
        summary="The problem types",
        description="Every `type` a problem document of this API can carry, sorted by slug.",
    )
    async def list_problem_types() -> ProblemTypeList:
        return ProblemTypeList(data=[_out(p) for p in PROBLEM_TYPES.values()])

    @router.get(
        "/{slug}",
        name="get_problem_type",
        summary="One problem type",
        description="What a problem `type` means: the URI "
        "`https://criticalfriend.org/problems/<slug>` resolves here.",
    )
    async def get_problem_type(
        slug: Annotated[str, Path(max_length=64, examples=["outside-tenancy"])],
    ) -> ProblemTypeOut:
        problem = PROBLEM_TYPES.get(slug)
        if problem is None:
            raise not_found(f"No problem type {slug!r}.")
        return _out(problem)

    app.include_router(router)
