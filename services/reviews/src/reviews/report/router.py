"""Routes of /v1/reviews/{id}/report: versions, the head's acknowledgement, the publication,
and the report itself as JSON, HTML or Markdown.

Each representation also has a route of its own (``report.md``, ``report.html``, and the same
for a version): a client generated from the OpenAPI reads one media type per operation, so
content negotiation on one route cannot reach the HTML or the Markdown from it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import JSONResponse

from common.http.etag import IfMatchVersion, set_etag
from common.http.pagination import After, Page, Pagination
from common.http.problems import PROBLEM_MEDIA_TYPE, ProblemError
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.report import service
from reviews.report.models import ReportVersion
from reviews.report.rendering import MEDIA_TYPES, OFFERED, ReportFormat, negotiate, render
from reviews.report.schemas import AcknowledgementIn, PublicationIn, ReportDraftIn, ReportOut

router = APIRouter(prefix="/v1/reviews", tags=["report"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]
Number = Annotated[int, Path(ge=1, le=10_000, description="Report version number")]
FormatQuery = Annotated[
    ReportFormat | None,
    Query(
        alias="format",
        description="json, html, markdown or print (HTML with a print style sheet); "
        "overrides Accept",
    ),
]
AcceptHeader = Annotated[
    str | None,
    Header(
        alias="Accept",
        description="application/json, text/html or text/markdown",
        examples=["text/html"],
    ),
]

_RENDERED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report, as asked (JSON, HTML or Markdown)",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "text/markdown": {"schema": {"type": "string"}},
        },
    },
    406: {
        "description": "None of the Accept header's media types is offered.",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
}


_LABELS = {ReportFormat.HTML: "HTML", ReportFormat.MARKDOWN: "Markdown"}


def _as_document(format_: ReportFormat) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI of a route that answers only ``format_``: the body as text."""
    return {
        200: {
            "description": f"The report as {_LABELS[format_]}",
            "content": {MEDIA_TYPES[format_]: {"schema": {"type": "string"}}},
        }
    }


async def _document(session: SessionDep, version: ReportVersion, format_: ReportFormat) -> Response:
    media_type = f"{MEDIA_TYPES[format_]}; charset=utf-8"
    return Response(
        render(await service.document(session, version), format_), media_type=media_type
    )


async def _rendered(
    session: SessionDep, version: ReportVersion, format_: ReportFormat | None, accept: str | None
) -> Response:
    chosen = negotiate(format_, accept)
    if chosen is None:
        raise ProblemError(
            406,
            "Not Acceptable",
            detail="The report is offered as application/json, text/html and text/markdown.",
            extensions={"offered": OFFERED},
        )
    if chosen == ReportFormat.JSON:
        return JSONResponse(ReportOut.of(version).model_dump(mode="json"))
    return await _document(session, version, chosen)


@router.post(
    "/{review_id}/report/versions",
    name="draft_report",
    summary="Draft a new version of the report",
    description=(
        "By the lead reviewer in `report_drafted`: the next version, assembled from the "
        "findings as they are now (a snapshot: no version ever changes). Kept in the history."
    ),
    status_code=201,
    response_model=ReportOut,
)
async def draft_report(
    review_id: ReviewId,
    body: ReportDraftIn,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ReportOut:
    version = await service.create_version(session, principal, review_id, body)
    response.headers["Location"] = f"/v1/reviews/{review_id}/report/versions/{version.number}"
    return ReportOut.of(version)


@router.get(
    "/{review_id}/report/versions",
    name="list_report_versions",
    summary="The report's versions",
    description=(
        "Drafts and the published version, oldest first: for the team and the school. New "
        "versions: pass the `version` of the last one you hold as `after_id`. A version's "
        "content never changes; its acknowledgement and publication are entries of the review's "
        "history (`report_acknowledged`, `report_published`), followed with its `after_id`."
    ),
    response_model=Page[ReportOut],
)
async def list_report_versions(
    review_id: ReviewId,
    session: SessionDep,
    principal: ReviewsReader,
    params: Pagination,
    after: After,
) -> Page[ReportOut]:
    rows, next_cursor = await service.list_versions(session, principal, review_id, params, after)
    return Page(data=[ReportOut.of(v) for v in rows], next_cursor=next_cursor)


@router.get(
    "/{review_id}/report/versions/{number}.md",
    name="get_report_version_markdown",
    summary="One version of the report, as Markdown",
    description="`GET /v1/reviews/{id}/report/versions/{number}` as Markdown only, for "
    "clients that cannot negotiate (a generated client): the same readers.",
    response_class=Response,
    responses=_as_document(ReportFormat.MARKDOWN),
)
async def get_report_version_markdown(
    review_id: ReviewId, number: Number, session: SessionDep, principal: ReviewsReader
) -> Response:
    version = await service.get_version(session, principal, review_id, number)
    return await _document(session, version, ReportFormat.MARKDOWN)


@router.get(
    "/{review_id}/report/versions/{number}.html",
    name="get_report_version_html",
    summary="One version of the report, as HTML",
    description="`GET /v1/reviews/{id}/report/versions/{number}` as HTML only, for "
    "clients that cannot negotiate (a generated client): the same readers.",
    response_class=Response,
    responses=_as_document(ReportFormat.HTML),
)
async def get_report_version_html(
    review_id: ReviewId, number: Number, session: SessionDep, principal: ReviewsReader
) -> Response:
    version = await service.get_version(session, principal, review_id, number)
    return await _document(session, version, ReportFormat.HTML)


@router.get(
    "/{review_id}/report/versions/{number}",
    name="get_report_version",
    summary="One version of the report",
    description=(
        "A draft for the team and the school; the published version also for its other readers "
        "(see `GET /v1/reviews/{id}/report`). `format` or `Accept` chooses JSON, HTML or "
        "Markdown."
    ),
    response_model=ReportOut,
    responses=_RENDERED,
)
async def get_report_version(
    review_id: ReviewId,
    number: Number,
    session: SessionDep,
    principal: ReviewsReader,
    format_: FormatQuery = None,
    accept: AcceptHeader = None,
) -> Response:
    version = await service.get_version(session, principal, review_id, number)
    return await _rendered(session, version, format_, accept)


@router.post(
    "/{review_id}/report/versions/{number}/acknowledgement",
    name="acknowledge_report",
    summary="The head acknowledges a draft",
    description=(
        "By the school, in `report_drafted`, for the current draft (409 for a superseded one or "
        "a second time). The lead reviewer can publish it then."
    ),
    response_model=ReportOut,
)
async def acknowledge_report(
    review_id: ReviewId,
    number: Number,
    body: AcknowledgementIn,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ReportOut:
    return ReportOut.of(await service.acknowledge(session, principal, review_id, number, body))


@router.post(
    "/{review_id}/report/publication",
    name="publish_report",
    summary="Publish the report",
    description=(
        "By the lead reviewer, with the review's `If-Match`: publishes the acknowledged current "
        "draft and moves the review to `report_published` (the only way there). A draft with "
        "untriangulated findings needs an `override_reason` (409 without, listing them). Emits "
        "`reviews.report.published` (the findings' words only when the agreement names "
        "schools to the partnership) and `reviews.review.transitioned`. The ETag is the "
        "review's."
    ),
    response_model=ReportOut,
)
async def publish_report(
    review_id: ReviewId,
    body: PublicationIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ReportOut:
    review, version = await service.publish_report(session, principal, review_id, body, expected)
    set_etag(response, review.version)
    return ReportOut.of(version)


@router.get(
    "/{review_id}/report",
    name="get_report",
    summary="The published report",
    description=(
        "For the school, its team and IC; for the partnership lead when the data-sharing "
        "agreement names schools to the partnership; for the LA or trust when it names them to "
        "those (403 for others who see the review). 404 until published. `format` or `Accept` "
        "chooses JSON, HTML or Markdown."
    ),
    response_model=ReportOut,
    responses=_RENDERED,
)
async def get_report(
    review_id: ReviewId,
    session: SessionDep,
    principal: ReviewsReader,
    format_: FormatQuery = None,
    accept: AcceptHeader = None,
) -> Response:
    version = await service.get_published(session, principal, review_id)
    return await _rendered(session, version, format_, accept)


@router.get(
    "/{review_id}/report.md",
    name="get_report_markdown",
    summary="The published report, as Markdown",
    description="`GET /v1/reviews/{id}/report` as Markdown only, for clients that cannot "
    "negotiate (a generated client): the same readers, 404 until published.",
    response_class=Response,
    responses=_as_document(ReportFormat.MARKDOWN),
)
async def get_report_markdown(
    review_id: ReviewId, session: SessionDep, principal: ReviewsReader
) -> Response:
    version = await service.get_published(session, principal, review_id)
    return await _document(session, version, ReportFormat.MARKDOWN)


@router.get(
    "/{review_id}/report.html",
    name="get_report_html",
    summary="The published report, as HTML",
    description="`GET /v1/reviews/{id}/report` as HTML only, for clients that cannot "
    "negotiate (a generated client): the same readers, 404 until published.",
    response_class=Response,
    responses=_as_document(ReportFormat.HTML),
)
async def get_report_html(
    review_id: ReviewId, session: SessionDep, principal: ReviewsReader
) -> Response:
    version = await service.get_published(session, principal, review_id)
    return await _document(session, version, ReportFormat.HTML)
