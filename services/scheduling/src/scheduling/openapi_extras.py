"""What the scheduling OpenAPI document says beyond its routes: tag descriptions."""

from __future__ import annotations

from common.http.openapi_document import OpenApiExtras

TAGS = {
    "schools": "Schools and local authorities, from GIAS imports or by hand.",
    "trusts": "Academy trusts and their schools.",
    "partnerships": "Partnerships of schools, their members and data-sharing agreements.",
    "people": "The people who lead, review and champion, and their roles.",
    "sync": "What was deleted (tombstones), for integrators that mirror the directory.",
    "cycles": "A partnership's review cycle for an academic year.",
    "schedules": "The cycle's schedule: draft, publish and repair.",
    "schedule jobs": "Asynchronous schedule generation, followed by its job.",
    "planned reviews": "The reviews a published schedule plans, and changes to them.",
    "meetings": "Partnership meetings in the cycle.",
    "calendars": "A person's, school's or partnership's calendar of the year.",
    "calendar feeds": "iCalendar feeds at secret URLs (no bearer token), and their tokens.",
    "imports": "Bulk imports (GIAS extracts) as jobs.",
    "local authorities": "A council's view of its year: coverage of its schools and partnerships.",
}

#: Descriptions for operations whose route gives none (operationId -> text).
DESCRIPTIONS = {
    "get_la_calendar": "The local authority's term dates for the academic year (e.g. "
    "`2026-27`); 404 when none are recorded.",
    "get_school_calendar": "The school's own dates for the academic year, where they differ "
    "from its local authority's; 404 when the school has none.",
    "list_cycles": "The review cycles the token's tenancy covers, paged.",
    "get_cycle": "One review cycle; 404 when there is none or the token may not see it.",
    "get_cycle_request": "What one member school asked of the cycle (e.g. dates to avoid); 404 "
    "when it has asked nothing.",
    "get_import": "An import job and its progress; follow the `Location` of the upload here.",
    "get_meeting": "One partnership meeting; 404 when there is none or the token may not see it.",
    "list_partnerships": "The partnerships the token's tenancy covers, paged.",
    "get_partnership": "One partnership; 404 when there is none or the token may not see it.",
    "patch_partnership": "Changes the name or the kind. Needs `If-Match` with the ETag of the "
    "last read (428 without it, 412 when it has changed since).",
    "get_partnership_agreement": "The current version of the partnership's data-sharing "
    "agreement (as proposed). Each member school is bound by it only as far as it consented: "
    "see `/agreement/schools`.",
    "list_partnership_members": "The partnership's member schools, paged.",
    "delete_partnership_member": "Removes the school from the partnership (204).",
    "get_person": "One person; 404 when there is none or the token may not see them.",
    "get_planned_review": "One planned review with its dates and team.",
    "get_schedule_job": "A schedule generation job and its progress; follow the `Location` of "
    "the request here.",
    "get_school": "One school by URN; 404 when there is none or the token may not see it.",
    "get_trust": "One academy trust by its UID, with its schools.",
}

OPENAPI = OpenApiExtras(tags=TAGS, descriptions=DESCRIPTIONS)
