"""Routes of /v1/evidence-library: research sources mapped to themes, and suggestions for a
workshop (read with knowledge:read, edit with knowledge:admin)."""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, Sync
from common.http.problems import validation_failed
from contracts.directory import Phase
from knowledge.answers.library import service
from knowledge.answers.library.schemas import SourceIn, SourceOut, Suggestions
from knowledge.deps import KnowledgeAdmin, KnowledgeReader, SessionDep

router = APIRouter(prefix="/v1/evidence-library", tags=["evidence library"])

CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
_CODE = re.compile(CODE_PATTERN)
MAX_SUGGESTION_THEMES = 10

SourceId = Annotated[UUID, Path(description="Source id (UUIDv7)")]


@router.get(
    "",
    name="list_sources",
    summary="List research sources",
    description="`theme` also matches its descendants: `curriculum.reading` finds sources "
    "tagged `curriculum.reading.phonics`.",
    response_model=Page[SourceOut],
)
async def list_sources(
    session: SessionDep,
    principal: KnowledgeReader,
    params: Pagination,
    sync: Sync,
    theme: Annotated[
        str | None, Query(pattern=CODE_PATTERN, max_length=120, description="Theme code")
    ] = None,
) -> Page[SourceOut]:
    rows, next_cursor = await service.list_sources(session, params, theme=theme, sync=sync)
    return Page(data=[SourceOut.model_validate(s) for s in rows], next_cursor=next_cursor)


@router.post(
    "",
    name="create_source",
    summary="Add a research source",
    description="Theme codes must be current themes. Send `Idempotency-Key` to retry safely.",
    status_code=201,
    response_model=SourceOut,
)
async def create_source(
    body: SourceIn, idempotency: IdempotencyKey, session: SessionDep, principal: KnowledgeAdmin
) -> Response:
    stored = await service.create_source(session, body, idempotency)
    return stored.to_response()


@router.get(
    "/suggestions",
    name="suggest_sources",
    summary="Suggest sources for themes",
    description=(
        "For an Improvement Champion preparing a workshop: sources ranked by how well their "
        "themes match the ones given (exact, then more specific, then broader); with `phase`, "
        "sources written for the stages a school of that phase teaches come first."
    ),
    response_model=Suggestions,
)
async def suggest_sources(
    session: SessionDep,
    principal: KnowledgeReader,
    themes: Annotated[
        str,
        Query(
            min_length=1,
            max_length=1300,
            description="Comma-separated theme codes (at most 10)",
            examples=["curriculum.reading.phonics,send"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many")] = 10,
    phase: Annotated[
        Phase | None,
        Query(description="The school's phase (as GIAS gives it): its stages' sources first"),
    ] = None,
) -> Suggestions:
    codes = list(dict.fromkeys(code.strip() for code in themes.split(",") if code.strip()))
    bad = [code for code in codes if len(code) > 120 or not _CODE.fullmatch(code)]
    if not codes or bad or len(codes) > MAX_SUGGESTION_THEMES:
        message = (
            f"Not theme codes: {', '.join(bad)}."
            if bad
            else f"Give 1 to {MAX_SUGGESTION_THEMES} theme codes, comma-separated."
        )
        raise validation_failed([{"field": "query.themes", "message": message}])
    suggestions = await service.suggest(
        session, codes, limit=limit, phase=None if phase is None else phase.value
    )
    return Suggestions(themes=codes, data=suggestions)


@router.get(
    "/reviews/{review_id}/suggestions",
    name="suggest_sources_for_review",
    summary="Suggest sources for a review's areas for development",
    description=(
        "For the Improvement Champion preparing the workshop: the review's areas for "
        "development (their theme codes, from the published report) and sources ranked for "
        "them as in `/suggestions`, for the school's phase. For the review's school, its "
        "Improvement Champion, "
        "assistant and lead reviewer (`person_id`), and the lead and members of a partnership "
        "that names its schools; else 404."
    ),
    response_model=Suggestions,
)
async def suggest_sources_for_review(
    review_id: Annotated[UUID, Path(description="Review id")],
    session: SessionDep,
    principal: KnowledgeReader,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many")] = 10,
) -> Suggestions:
    themes, suggestions = await service.suggest_for_review(
        session, principal, review_id, limit=limit
    )
    return Suggestions(themes=themes, data=suggestions)


@router.get(
    "/{source_id}", name="get_source", summary="Get a research source", response_model=SourceOut
)
async def get_source(
    source_id: SourceId, response: Response, session: SessionDep, principal: KnowledgeReader
) -> SourceOut:
    source = await service.get_source(session, source_id)
    set_etag(response, source.version)
    return SourceOut.model_validate(source)


@router.put(
    "/{source_id}",
    name="replace_source",
    summary="Replace a research source",
    description="Needs `If-Match` with the ETag of the last read.",
    response_model=SourceOut,
)
async def replace_source(
    source_id: SourceId,
    body: SourceIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: KnowledgeAdmin,
) -> SourceOut:
    source = await service.replace_source(session, source_id, body, expected)
    set_etag(response, source.version)
    return SourceOut.model_validate(source)
