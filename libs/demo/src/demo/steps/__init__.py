"""The demo's steps, in order. Each is idempotent and reports what it did.

The first half loads the county's directory and its year's plan; the second half will add,
before the summary: generating and publishing the schedule through the scheduling job API,
walking a sample of reviews through every stage, and what a Partnership Lead, a trust and a
county officer then see.
"""

from __future__ import annotations

from demo.steps.base import Step
from demo.steps.calendars import Calendars
from demo.steps.cycles import Cycles
from demo.steps.directory import DirectoryImport
from demo.steps.partnerships import Partnerships
from demo.steps.people import People
from demo.steps.person_details import PersonDetails
from demo.steps.preflight import Preflight
from demo.steps.reviews import Reviews
from demo.steps.schedule import Schedule
from demo.steps.summary import CountySummary
from demo.steps.views import Views

STEPS: tuple[Step, ...] = (
    Preflight(),
    DirectoryImport(),
    Partnerships(),
    Calendars(),
    People(),
    PersonDetails(),
    Cycles(),
    Schedule(),
    Reviews(),
    CountySummary(),
    Views(),
)

__all__ = ["STEPS", "Step"]
