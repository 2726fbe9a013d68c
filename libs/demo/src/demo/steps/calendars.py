"""Term dates: Essex's year as the LA calendar (set by the county council), the own term dates
of the academies of some trusts (set by the trust) and a few schools' own INSET days (set by
the school). Each is read first and replaced (``If-Match``) only when it differs."""

from __future__ import annotations

from typing import Any

from demo.api.client import ServiceClient
from demo.context import DemoContext
from demo.county.model import Blackout, LaCalendar, SchoolCalendar, Term
from demo.report import Outcome, StepReport


def _terms(terms: tuple[Term, ...]) -> list[dict[str, str]]:
    return [
        {
            "half_term": t.half_term,
            "starts_on": t.starts_on.isoformat(),
            "ends_on": t.ends_on.isoformat(),
        }
        for t in terms
    ]


def _blackout(b: Blackout) -> dict[str, Any]:
    return {
        "starts_on": b.starts_on.isoformat(),
        "ends_on": b.ends_on.isoformat(),
        "phases": list(b.phases) if b.phases else None,
        "reason": b.reason,
    }


def la_body(calendar: LaCalendar) -> dict[str, Any]:
    return {
        "terms": _terms(calendar.terms),
        "inset_days": [d.isoformat() for d in calendar.inset_days],
        "blackouts": [_blackout(b) for b in calendar.blackouts],
    }


def school_body(calendar: SchoolCalendar) -> dict[str, Any]:
    return {
        "terms": _terms(calendar.terms) if calendar.terms else None,
        "inset_days": [d.isoformat() for d in calendar.inset_days],
        "blackouts": [],
    }


def _same(wanted: dict[str, Any], held: dict[str, Any]) -> bool:
    def canonical(doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "terms": doc["terms"],
            "inset_days": sorted(doc["inset_days"]),
            "blackouts": sorted(
                (
                    {**b, "phases": sorted(b["phases"]) if b["phases"] else None}
                    for b in doc["blackouts"]
                ),
                key=lambda b: (b["starts_on"], b["ends_on"], b["reason"] or ""),
            ),
        }

    return canonical(wanted) == canonical(held)


async def put_document(
    api: ServiceClient, path: str, token: str, body: dict[str, Any], report: StepReport, kind: str
) -> None:
    """Create, replace or leave a PUT-addressed document, and count which."""
    found = await api.get_with_etag(path, token=token)
    if found is None:
        await api.request("PUT", path, token=token, json=body, ok=(201,))
        report.count(kind, Outcome.CREATED)
        return
    held, etag = found
    if _same(body, held):
        report.count(kind, Outcome.UNCHANGED)
        return
    await api.request("PUT", path, token=token, json=body, headers={"If-Match": etag})
    report.count(kind, Outcome.UPDATED)


class Calendars:
    name = "calendars"
    title = "term dates, INSET days and blackouts"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        county, api = ctx.county, ctx.services.scheduling
        path = f"/v1/calendars/las/{county.la_code}/{county.academic_year}"
        await put_document(
            api, path, ctx.tokens.county(), la_body(county.calendar), report, "LA calendar"
        )

        async def own_dates(calendar: SchoolCalendar) -> None:
            token = (
                ctx.tokens.trust(calendar.set_by_trust)
                if calendar.set_by_trust
                else ctx.tokens.school(calendar.urn)
            )
            kind = (
                "trust academies' own term dates" if calendar.terms else "schools' own INSET days"
            )
            path = f"/v1/calendars/schools/{calendar.urn}/{county.academic_year}/override"
            await put_document(api, path, token, school_body(calendar), report, kind)

        await ctx.each(county.school_calendars, own_dates)
