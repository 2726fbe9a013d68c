"""The demo's steps, in order. Each is idempotent and reports what it did.

The first steps load the county's directory and its year's plan; then the year's schedule is
generated and published through the scheduling job API, the year's reviews are walked through
their stages as far as their dates allow, the county council's summary is read back, and the
views show what a Partnership Lead, a trust and a county officer see.
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
