"""An LA's year's progress for its council: only a token of that LA reads it (anyone else: 404,
as if there were no such LA).

Counts per partnership, never a school, and no threshold. Why none: every fact counted here
is one the LA is already told school by school, whatever the data-sharing agreement says: the
plan (scheduling's planned reviews), each stage reached and each milestone overdue (the
lifecycle events its webhooks, stream and feed carry, ``reviews.integration.service``). The
agreement and knowledge's suppression guard what reviews *found* (reports, findings, plans,
ratings), and nothing of those is here; suppressing a count of 1 would hide nothing the LA
cannot read elsewhere and would blind it to a small partnership's stalled year."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import not_found
from reviews.oversight import repository
from reviews.oversight.schemas import Counts, PartnershipProgress, Progress


def current_year() -> str:
    """The academic year (1 September to 31 August) today falls in, like ``2026-27``."""
    today = utcnow().date()
    first = today.year if today.month >= 9 else today.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


async def progress(
    session: AsyncSession, principal: Principal, la_code: str, academic_year: str | None
) -> Progress:
    if la_code not in principal.la:
        raise not_found("No such local authority")
    year = academic_year or current_year()
    found = await repository.counts(session, la_code, year, utcnow().date())
    names = await repository.partnerships(session, la_code)
    zero = (0,) * len(repository.COUNTED)
    rows = [
        PartnershipProgress(
            partnership_id=id_,
            name=names.get(id_),
            **dict(zip(repository.COUNTED, found.get(id_, zero), strict=True)),
        )
        for id_ in names.keys() | found.keys()
    ]
    rows.sort(key=lambda row: (row.name is None, row.name or "", str(row.partnership_id)))
    totals = [sum(column) for column in zip(zero, *found.values(), strict=False)]
    return Progress(
        la_code=la_code,
        academic_year=year,
        total=Counts(**dict(zip(repository.COUNTED, totals, strict=True))),
        partnerships=rows,
    )
