"""One read of a review and the parts asked for: the review (with its team) and the caller's
visibility once, then each part's read rule (the same 403s as the parts' own routes), then at
most three more statements: the findings, their evidence links, the evidence page (whose items
give the findings their evidence kinds; only items beyond that page are fetched)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.pagination import MAX_LIMIT, Page, PageParams
from common.http.problems import validation_failed
from reviews.embedded.schemas import INCLUDABLE, ReviewWithPartsOut
from reviews.evidence import service as evidence
from reviews.evidence.models import EvidenceItem
from reviews.evidence.schemas import EvidenceOut
from reviews.finding import service as findings
from reviews.review import service as reviews


def parse_include(value: str | None) -> frozenset[str]:
    """``findings,evidence`` -> the parts; 422 naming any value that is not one."""
    names = [n.strip() for n in (value or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in INCLUDABLE]
    if unknown:
        message = f"Unknown: {', '.join(unknown)}; one or more of {', '.join(INCLUDABLE)}."
        raise validation_failed([{"field": "query.include", "message": message}])
    return frozenset(names)


async def read(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, include: Collection[str]
) -> ReviewWithPartsOut:
    review = await reviews.get_review(session, principal, review_id)  # 404 when not visible
    if "findings" in include:
        findings.check_readable(principal, review)
    if "evidence" in include:
        evidence.check_readable(principal, review)
    out = ReviewWithPartsOut.of(review, reviews.today())
    first = PageParams(limit=MAX_LIMIT)
    known: dict[uuid.UUID, EvidenceItem] = {}
    if "evidence" in include:
        items, cursor = await evidence.page_of(session, review.id, first)
        known = {item.id: item for item in items}
        out.evidence = Page(data=[EvidenceOut.of(i) for i in items], next_cursor=cursor)
    if "findings" in include:
        rows, cursor = await findings.page_of(session, review, first, known)
        out.findings = Page(data=rows, next_cursor=cursor)
    return out
