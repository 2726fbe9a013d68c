"""The review with the parts ``include=`` asked for."""

from __future__ import annotations

from pydantic import Field

from common.http.pagination import Page
from reviews.evidence.schemas import EvidenceOut
from reviews.finding.schemas import FindingOut
from reviews.review.schemas import ReviewOut

#: ``include`` values. ``team`` is accepted for symmetry: the team is always in the review.
INCLUDABLE = ("team", "findings", "evidence")
PARTS = ("findings", "evidence")


class ReviewWithPartsOut(ReviewOut):
    """A review; ``findings`` and ``evidence`` only when ``include`` names them."""

    findings: Page[FindingOut] | None = Field(
        default=None,
        description="With `include=findings`: the first page (up to 200, oldest first), the "
        "same as `GET /v1/reviews/{id}/findings?limit=200`; continue there with `next_cursor`",
    )
    evidence: Page[EvidenceOut] | None = Field(
        default=None,
        description="With `include=evidence`: the first page (up to 200, oldest change first), "
        "the same as `GET /v1/reviews/{id}/evidence?limit=200`; continue there with "
        "`next_cursor`",
    )
