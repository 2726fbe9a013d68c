"""What the scheduling OpenAPI document says beyond its routes: tag descriptions."""

from __future__ import annotations

from common.http.openapi_document import OpenApiExtras

TAGS = {
    "schools": "Schools and local authorities, from GIAS imports or by hand.",
    "trusts": "Academy trusts and their schools.",
    "partnerships": "Partnerships of schools, their members and data-sharing agreements.",
    "people": "The people who lead, review and champion, and their roles.",
    "cycles": "A partnership's review cycle for an academic year.",
    "schedules": "The cycle's schedule: draft, publish and repair.",
    "schedule jobs": "Asynchronous schedule generation, followed by its job.",
    "planned reviews": "The reviews a published schedule plans, and changes to them.",
    "meetings": "Partnership meetings in the cycle.",
    "calendars": "A person's, school's or partnership's calendar of the year.",
    "calendar feeds": "iCalendar feeds at secret URLs (no bearer token), and their tokens.",
    "imports": "Bulk imports (GIAS extracts) as jobs.",
}

OPENAPI = OpenApiExtras(tags=TAGS)
