"""The directory from GIAS: the county's extracts uploaded through ``POST /v1/imports`` by the
county council and the job polled to its end.

The directory is compared first (schools of the LA, trusts, predecessor links): when it
already holds exactly what the extracts say, nothing is uploaded, so a second run creates not
even an import job. Otherwise the whole extract is imported; the import itself only writes
rows that changed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from demo.api.client import ApiError
from demo.context import DemoContext
from demo.county.model import County
from demo.gias.extracts import county_extracts
from demo.report import Outcome, StepReport
from demo.steps.preflight import DemoAborted

POLL_SECONDS = 0.25
JOB_WITHIN_SECONDS = 600.0
FINISHED = ("succeeded", "failed", "cancelled")
# What the import reports per file, and how the step names it.
FILE_KINDS = {"establishments": "schools", "groups": "trusts", "links": "links"}


def expected_schools(county: County) -> dict[int, dict[str, Any]]:
    """Each URN's directory entry as the API shows it after the import."""
    out = {}
    for s in county.schools:
        out[s.urn] = {
            "name": s.name, "phase": s.phase, "la_code": county.la_code,
            "establishment_number": s.establishment_number, "trust_uid": s.trust_uid,
            "postcode": s.postcode, "easting": s.easting, "northing": s.northing,
            "status": "open", "open_date": s.opened_on.isoformat(), "close_date": None,
        }  # fmt: skip
    for p in county.predecessors:
        successor = county.school(p.successor_urn)
        out[p.urn] = {
            "name": p.name, "phase": successor.phase, "la_code": county.la_code,
            "establishment_number": p.establishment_number, "trust_uid": None,
            "postcode": successor.postcode, "easting": successor.easting,
            "northing": successor.northing, "status": "closed", "open_date": "1974-09-01",
            "close_date": p.closed_on.isoformat(),
        }  # fmt: skip
    return out


def expected_trusts(county: County) -> dict[str, dict[str, Any]]:
    return {
        t.uid: {
            "name": t.name,
            "group_type": t.group_type,
            "status": "Open",
            "companies_house_number": t.companies_house_number,
            "open_date": t.opened_on.isoformat(),
            "close_date": None,
        }
        for t in county.trusts
    }


def _differs(expected: dict[str, Any], actual: dict[str, Any] | None) -> bool:
    return actual is None or any(actual.get(k) != v for k, v in expected.items())


class DirectoryImport:
    name = "directory"
    title = "directory: GIAS extracts"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        county, api, token = ctx.county, ctx.services.scheduling, ctx.tokens.county()
        schools, trusts = await asyncio.gather(
            api.all_pages("/v1/schools", token=token, params={"la": county.la_code}),
            api.all_pages("/v1/trusts", token=token),
        )
        held_schools = {row["urn"]: row for row in schools}
        held_trusts = {row["uid"]: row for row in trusts}
        stale = [
            *(
                str(u)
                for u, e in expected_schools(county).items()
                if _differs(e, held_schools.get(u))
            ),
            *(u for u, e in expected_trusts(county).items() if _differs(e, held_trusts.get(u))),
        ]
        if not stale and await self._links_in_place(ctx):
            report.count(
                "schools", Outcome.UNCHANGED, len(county.schools) + len(county.predecessors)
            )
            report.count("trusts", Outcome.UNCHANGED, len(county.trusts))
            report.count("links", Outcome.UNCHANGED, 2 * len(county.predecessors))
            report.note("the directory already matches the extracts: nothing uploaded")
            return
        await self._import(ctx, report)

    async def _links_in_place(self, ctx: DemoContext) -> bool:
        api, token = ctx.services.scheduling, ctx.tokens.county()

        async def linked(successor: int, predecessor: int) -> bool:
            links = await api.get(f"/v1/schools/{successor}/links", token=token)
            return links is not None and predecessor in links["predecessor_urns"]

        found = await ctx.each(ctx.county.predecessors, lambda p: linked(p.successor_urn, p.urn))
        return all(found)

    async def _import(self, ctx: DemoContext, report: StepReport) -> None:
        api, token = ctx.services.scheduling, ctx.tokens.county()
        extracts = county_extracts(ctx.county)
        sizes = ", ".join(
            f"{name} ({len(data) / 1024:.0f} KiB)" for name, data, _ in extracts.files().values()
        )
        ctx.say(f"    uploading {sizes}")
        response = await api.request(
            "POST", "/v1/imports", token=token, ok=(202,), files=extracts.files()
        )
        location = response.headers["Location"]
        deadline = asyncio.get_running_loop().time() + JOB_WITHIN_SECONDS
        job = response.json()
        while job["status"] not in FINISHED:
            if asyncio.get_running_loop().time() > deadline:
                raise DemoAborted(f"the import {location} did not finish in {JOB_WITHIN_SECONDS} s")
            await asyncio.sleep(POLL_SECONDS)
            polled = await api.get(location, token=token)
            if polled is None:
                raise ApiError("GET", location, 404, {"detail": "the import job vanished"})
            job = polled
        if job["status"] != "succeeded":
            raise DemoAborted(f"the import {location} {job['status']}: {job.get('reason')}")
        for file in job["files"]:
            counts, kind = file["counts"], FILE_KINDS[file["kind"]]
            report.count(kind, Outcome.CREATED, counts["created"])
            report.count(kind, Outcome.UPDATED, counts["updated"])
            report.count(kind, Outcome.UNCHANGED, counts["unchanged"])
        totals = job["counts"]
        report.note(
            f"import job {location}: {totals['rows']:,} rows, {totals['rejected']} rejected"
        )
        if totals["rejected"]:
            shown = "; ".join(f"line {r['line']}: {r['reason']}" for r in job["rejections"][:5])
            raise DemoAborted(f"the import rejected {totals['rejected']} rows: {shown}")
