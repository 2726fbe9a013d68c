"""How every part of a review (its focus, evidence, findings, report, workshop, 90-day review)
reaches the review and keeps its history, written once.

- :func:`get_review`: the review, or 404 when the caller's tenancy cannot see it (another
  tenant's review is absent, not forbidden);
- :class:`Part`: the part's 403 (``<part>-not-allowed-for-role``, with the roles that may);
- :func:`diff`: the history's ``{"field": {"from": ..., "to": ...}}`` between two snapshots
  (each part snapshots its own fields as JSON values);
- :func:`record` and :func:`publish_about` (from :mod:`reviews.review.history`): the history
  row, and an event about the review (its tenancy, subject and partition key), in the caller's
  transaction.

Moving the review's state is :func:`reviews.review.service.check_move` and ``move``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.problems import ProblemError, not_found
from reviews.review import tenancy
from reviews.review.history import publish_about, record
from reviews.review.models import Review, Role
from reviews.review.repository import ReviewRepository

__all__ = ["Part", "diff", "get_review", "publish_about", "record"]


async def get_review(session: AsyncSession, principal: Principal, review_id: uuid.UUID) -> Review:
    found = await ReviewRepository(session).get_where(review_id, tenancy.review_visible(principal))
    if found is None:
        raise not_found(f"No review {review_id}.")
    return found


@dataclass(frozen=True)
class Part:
    """One part of a review; ``name`` prefixes its problem types (``evidence``, ``report``)."""

    name: str

    def forbidden(self, detail: str, required: Iterable[Role]) -> ProblemError:
        return ProblemError(
            403,
            "Not allowed for your role",
            detail=detail,
            type_=f"{self.name}-not-allowed-for-role",
            extensions={"required_roles": sorted(r.value for r in required)},
        )


def diff(before: dict[str, Any], after: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """The fields that differ, each ``{"from": ..., "to": ...}``, sorted; ``prefix`` names the
    part's entity in the key (``workshop.date``, ``finding.<id>.text``)."""
    return {
        f"{prefix}{key}": {"from": before.get(key), "to": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
