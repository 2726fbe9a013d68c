"""Full-text search over the findings and actions the caller may read: those of its own school,
and those of partnerships whose agreement names schools to it (as lead or member school), while
the agreement still says so. Text that was never shared was never indexed (see
``knowledge.intake.search.models``); above the partnership nothing is ever returned."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.pagination import CursorError, PageParams, decode_cursor, encode_cursor
from common.http.problems import validation_failed
from contracts.directory import Visibility
from knowledge.answers.disclosure.audience import audience_of
from knowledge.answers.insight.scopes import SCHOOL, Target, resolve
from knowledge.answers.search.schemas import SearchHit, SearchResults, ThemeRef
from knowledge.intake.directory.models import DirectoryAgreement, DirectorySchoolAgreement
from knowledge.intake.directory.repository import DirectoryRepository
from knowledge.intake.search.models import SearchDocument
from knowledge.intake.search.repository import fts5_query, search
from knowledge.intake.theme.repository import ThemeRepository

MAX_OFFSET = 10_000


def _visible(own: frozenset[int], named: frozenset[uuid.UUID]) -> ColumnElement[bool]:
    conditions = []
    if own:
        conditions.append(SearchDocument.urn.in_(sorted(own)))
    if named:
        conditions.append(SearchDocument.partnership_id.in_(sorted(named)))
    if not conditions:
        return false()
    naming = Visibility.NAMED.value
    still_named = SearchDocument.partnership_id.in_(
        select(DirectoryAgreement.partnership_id).where(
            DirectoryAgreement.partnership_visibility == naming
        )
    )
    # ...and the terms in force for the document's school (the defaults name it when unknown).
    school_withheld = (
        select(DirectorySchoolAgreement.urn)
        .where(
            DirectorySchoolAgreement.partnership_id == SearchDocument.partnership_id,
            DirectorySchoolAgreement.urn == SearchDocument.urn,
            DirectorySchoolAgreement.partnership_visibility != naming,
        )
        .exists()
    )
    return and_(or_(*conditions), still_named, ~school_withheld)


def _offset(params: PageParams) -> int:
    if params.cursor is None:
        return 0
    try:
        values = decode_cursor(params.cursor)
        if len(values) != 1 or not isinstance(values[0], int) or not 0 < values[0] <= MAX_OFFSET:
            raise CursorError("not a search cursor")
    except CursorError as exc:
        message = "Not a cursor from this search; start again without one."
        raise validation_failed([{"field": "query.cursor", "message": message}]) from exc
    return values[0]


def _codes(stored: str) -> list[str]:
    return [c for c in stored.split("|") if c]


def _scope_filter(target: Target) -> ColumnElement[bool]:
    if target.scope.kind == SCHOOL:
        return SearchDocument.urn == int(target.scope.id)
    return SearchDocument.partnership_id == uuid.UUID(target.scope.id)


async def search_texts(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    query: str,
    theme: str | None,
    year: str | None,
    kind: str | None,
    scope: str | None,
    scope_id: str | None,
) -> SearchResults:
    if not fts5_query(query):
        raise validation_failed([{"field": "query.q", "message": "Give at least one word."}])
    offset = _offset(params)
    filters: list[ColumnElement[bool]] = []
    if scope is not None:
        audience, target = await resolve(session, principal, scope, scope_id)
        if target.view != "named":  # aggregated views have no words to search
            return SearchResults(query=query, data=[], next_cursor=None)
        filters.append(_scope_filter(target))
    else:
        audience = await audience_of(session, principal)
    if theme is not None:
        filters.append(
            or_(
                SearchDocument.theme_codes.contains(f"|{theme}|", autoescape=True),
                SearchDocument.theme_codes.contains(f"|{theme}.", autoescape=True),
            )
        )
    if year is not None:
        filters.append(SearchDocument.academic_year == year)
    if kind is not None:
        filters.append(SearchDocument.kind == kind)
    visible = _visible(audience.own_urns, audience.named_partnerships)
    hits = await search(session, query, visible, filters, limit=params.limit + 1, offset=offset)
    more = len(hits) > params.limit
    hits = hits[: params.limit]
    directory = DirectoryRepository(session)
    schools = await directory.schools({h.document.urn for h in hits})
    # Every hit is of a partnership that names schools to the caller: its name is no news.
    partnerships = await directory.partnerships({h.document.partnership_id for h in hits})
    codes_of = {h.document.doc_id: _codes(h.document.theme_codes) for h in hits}
    themes = await ThemeRepository(session).existing_codes(
        sorted({c for codes in codes_of.values() for c in codes})
    )
    data = [
        SearchHit(
            type=h.document.doc_kind,
            id=h.document.doc_id,
            review_id=h.document.review_id,
            urn=h.document.urn,
            school_name=s.name if (s := schools.get(h.document.urn)) else None,
            partnership_id=h.document.partnership_id,
            partnership_name=p.name if (p := partnerships.get(h.document.partnership_id)) else None,
            academic_year=h.document.academic_year,
            kind=h.document.kind,
            theme_codes=codes_of[h.document.doc_id],
            themes=[
                ThemeRef(code=c, label=t.label if (t := themes.get(c)) else None)
                for c in codes_of[h.document.doc_id]
            ],
            text=h.document.body,
            score=round(h.score, 6),
        )
        for h in hits
    ]
    next_cursor = encode_cursor([offset + params.limit]) if more else None
    return SearchResults(query=query, data=data, next_cursor=next_cursor)
