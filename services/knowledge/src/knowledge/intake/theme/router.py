"""Routes of /v1/themes: the theme taxonomy (knowledge:read to read, knowledge:admin to edit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, Sync
from knowledge.deps import KnowledgeAdmin, KnowledgeReader, SessionDep
from knowledge.intake.theme import service
from knowledge.intake.theme.schemas import (
    ExpertiseMap,
    ExpertiseMappingOut,
    TaxonomyVersionOut,
    ThemeIn,
    ThemeOut,
    ThemePage,
    ThemePatch,
)

router = APIRouter(prefix="/v1/themes", tags=["themes"])

CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
ThemeCodePath = Annotated[
    str,
    Path(
        pattern=CODE_PATTERN,
        max_length=120,
        description="Theme code",
        examples=["curriculum.reading.phonics"],
    ),
]
ThemeCodeQuery = Annotated[str | None, Query(pattern=CODE_PATTERN, max_length=120)]


@router.get(
    "",
    name="list_themes",
    summary="List the theme taxonomy",
    description=(
        "The current taxonomy, by code. `parent` gives the direct sub-themes of a theme, "
        "`prefix` a theme and all its descendants. Retired themes only with `include_retired`. "
        "To mirror it, sync with `updated_since` and `after_id` and `include_retired=true`: "
        "codes are never deleted, a retirement is a change."
    ),
    response_model=ThemePage,
)
async def list_themes(
    session: SessionDep,
    principal: KnowledgeReader,
    params: Pagination,
    sync: Sync,
    parent: ThemeCodeQuery = None,
    prefix: ThemeCodeQuery = None,
    include_retired: Annotated[bool, Query(description="Include retired themes")] = False,
) -> ThemePage:
    listing = await service.list_themes(
        session,
        params,
        parent=parent,
        prefix=prefix,
        include_retired=include_retired,
        sync=sync,
    )
    return ThemePage(
        data=[service.theme_out(t, listing.expertise.get(t.code, [])) for t in listing.themes],
        next_cursor=listing.next_cursor,
        taxonomy_version=listing.taxonomy_version,
    )


@router.post(
    "",
    name="create_theme",
    summary="Add a theme",
    description=(
        "Adds a theme under its parent (the code without its last segment), which must exist "
        "and not be retired (else 409). Makes a new taxonomy version and emits "
        "`knowledge.taxonomy.updated`. Send `Idempotency-Key` to retry safely."
    ),
    status_code=201,
    response_model=ThemeOut,
)
async def create_theme(
    body: ThemeIn,
    idempotency: IdempotencyKey,
    session: SessionDep,
    principal: KnowledgeAdmin,
) -> Response:
    stored = await service.add_theme(session, body, idempotency)
    return stored.to_response()


@router.get(
    "/versions",
    name="list_taxonomy_versions",
    summary="List taxonomy versions",
    description="Every published version of the taxonomy, newest first, with what changed.",
    response_model=Page[TaxonomyVersionOut],
)
async def list_versions(
    session: SessionDep, principal: KnowledgeReader, params: Pagination
) -> Page[TaxonomyVersionOut]:
    rows, next_cursor = await service.list_versions(session, params)
    return Page(data=[TaxonomyVersionOut.model_validate(v) for v in rows], next_cursor=next_cursor)


@router.get(
    "/expertise-map",
    name="get_expertise_map",
    summary="Reviewer expertise codes and their themes",
    response_model=ExpertiseMap,
)
async def get_expertise_map(session: SessionDep, principal: KnowledgeReader) -> ExpertiseMap:
    version, mappings = await service.expertise_map(session)
    return ExpertiseMap(
        taxonomy_version=version,
        data=[ExpertiseMappingOut.model_validate(m) for m in mappings],
    )


@router.get("/{code}", name="get_theme", summary="Get a theme", response_model=ThemeOut)
async def get_theme(
    code: ThemeCodePath, response: Response, session: SessionDep, principal: KnowledgeReader
) -> ThemeOut:
    theme, expertise = await service.get_theme(session, code)
    set_etag(response, theme.version)
    return service.theme_out(theme, expertise)


@router.patch(
    "/{code}",
    name="patch_theme",
    summary="Relabel, retire or reinstate a theme",
    description=(
        "Needs `If-Match`. Codes are never deleted; retire instead (a theme with current "
        "sub-themes cannot be retired: 409). A change makes a new taxonomy version and emits "
        "`knowledge.taxonomy.updated`; a no-op changes nothing."
    ),
    response_model=ThemeOut,
)
async def patch_theme(
    code: ThemeCodePath,
    body: ThemePatch,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: KnowledgeAdmin,
) -> ThemeOut:
    theme, expertise = await service.patch_theme(session, code, body, expected)
    set_etag(response, theme.version)
    return service.theme_out(theme, expertise)
