"""What one answer shows of one scope: resolve the scope the caller asked about (404 when it may
not see it) and give its cells, by name or in aggregate with the suppression applied."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.problems import not_found, validation_failed
from contracts.local_authorities import la_name
from knowledge.answers.disclosure import cache, packed
from knowledge.answers.disclosure.audience import AGGREGATED, NAMED, Audience, audience_of
from knowledge.answers.disclosure.packed import ScopeCells
from knowledge.answers.disclosure.suppression import SuppressedReason
from knowledge.answers.disclosure.universe import Decided
from knowledge.answers.insight.repository import consistent_read, named_cells, named_reviews
from knowledge.cells import ALL, LA, NATIONAL_ID, PARTNERSHIP, TRUST, Scope
from knowledge.intake.directory.repository import DirectoryRepository
from knowledge.intake.review.models import IngestedReview

SCHOOL = "school"
_PATTERNS = {
    SCHOOL: re.compile(r"^\d{6}$"),
    TRUST: re.compile(r"^[A-Za-z0-9]{1,10}$"),
    LA: re.compile(r"^\d{3}$"),
}


@dataclass(frozen=True)
class Target:
    scope: Scope
    view: str
    name: str | None
    every_review: bool = False  # a school asking about itself


@dataclass
class CellView:
    suppressed: bool
    reviews: int = 0
    schools: int = 0
    items: int = 0
    triangulated: int = 0
    evidence: int = 0
    days: int = 0
    urns: list[int] | None = None
    reason: SuppressedReason | None = None  # why it is hidden


def parse_scope(kind: str, scope_id: str | None) -> Scope:
    """422 for an id that does not fit the scope (``all`` takes none)."""
    if kind == ALL:
        if scope_id is not None:
            raise validation_failed([{"field": "query.id", "message": "`all` takes no id."}])
        return Scope(ALL, NATIONAL_ID)
    valid = scope_id is not None and (
        _PATTERNS[kind].fullmatch(scope_id) if kind in _PATTERNS else _is_uuid(scope_id)
    )
    if not valid or scope_id is None:
        message = (
            f"Give the {kind}'s id: "
            + {
                SCHOOL: "a URN (6 digits).",
                PARTNERSHIP: "a partnership id (UUID).",
                TRUST: "a trust's GIAS group UID.",
                LA: "a three-digit LA code.",
            }[kind]
        )
        raise validation_failed([{"field": "query.id", "message": message}])
    return Scope(kind, str(uuid.UUID(scope_id)) if kind == PARTNERSHIP else scope_id)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _school_target(session: AsyncSession, audience: Audience, scope: Scope) -> Target:
    urn = int(scope.id)
    school = await DirectoryRepository(session).school(urn)
    name = school.name if school else None
    if urn in audience.own_urns:
        return Target(scope, NAMED, name, every_review=True)
    if audience.named_partnerships:
        members = await DirectoryRepository(session).members(audience.named_partnerships)
        reviewed = await session.scalar(
            select(IngestedReview.review_id)
            .where(
                named_reviews(
                    partnership_ids=audience.named_partnerships, urn=urn, every_review=False
                )
            )
            .limit(1)
        )
        if reviewed is not None or any(urn in m for m in members.values()):
            return Target(scope, NAMED, name)
    raise not_found(f"No school {urn} visible to this client.")


async def resolve(
    session: AsyncSession, principal: Principal, kind: str, scope_id: str | None
) -> tuple[Audience, Target]:
    scope = parse_scope(kind, scope_id)
    await consistent_read(session)
    audience = await audience_of(session, principal)
    if scope.kind == SCHOOL:
        return audience, await _school_target(session, audience, scope)
    view = audience.view_of(scope)
    if view is None:
        raise not_found(f"No {kind} {scope_id or ''} visible to this client.".replace("  ", " "))
    name = None
    if scope.kind == PARTNERSHIP:
        found = await DirectoryRepository(session).partnerships([uuid.UUID(scope.id)])
        name = next((p.name for p in found.values()), None)
    elif scope.kind == TRUST:
        known, name = await DirectoryRepository(session).trust(scope.id)
        if not known:
            raise not_found(f"No trust {scope.id} in the directory.")
    elif scope.kind == LA:
        name = la_name(scope.id)
    return audience, Target(scope, view, name)


def named_filter(audience: Audience, target: Target) -> ColumnElement[bool]:
    """The reviews a named view counts: a partnership's, or a school's (all of them for the
    school itself; those of the caller's named partnerships for a lead or a fellow member)."""
    if target.scope.kind == SCHOOL:
        return named_reviews(
            partnership_ids=audience.named_partnerships,
            urn=int(target.scope.id),
            every_review=target.every_review,
        )
    return named_reviews(partnership_ids=[uuid.UUID(target.scope.id)], every_review=False)


async def cells_for(
    session: AsyncSession, audience: Audience, target: Target, family: str, year: str
) -> tuple[dict[tuple[str, str], CellView], int | None]:
    """The target's cells of one family and year, and the threshold (None for named views)."""
    if target.view == NAMED:
        figures = await named_cells(session, named_filter(audience, target), family, year)
        return {
            key: CellView(
                suppressed=False,
                reviews=f.reviews,
                schools=len(f.urns),
                items=f.items,
                triangulated=f.triangulated,
                evidence=f.evidence,
                days=f.days,
                urns=sorted(f.urns),
            )
            for key, f in figures.items()
        }, None
    assert target.view == AGGREGATED
    answer = (await cache.answers(session, audience, family, [year], [target.scope]))[year]
    cells = scope_cells(answer.decided, target.scope, answer.figures)
    return cells, answer.decided.threshold(target.scope)


def scope_cells(
    decided: Decided, scope: Scope, figures: Sequence[ScopeCells]
) -> dict[tuple[str, str], CellView]:
    """One scope's cells, its figures (``packed.read``, among ``figures``) with the caller's
    decision applied."""
    return {
        cell: CellView(suppressed=True, reason=decided.hidden_reason(scope, *cell))
        if f is None
        else CellView(False, *f)
        for cell, f in decided.cells_of(scope, packed.of_scope(figures, scope))
    }
