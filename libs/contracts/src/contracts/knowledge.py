"""Events of the knowledge service: the theme taxonomy that findings are coded against, and the
emerging themes of a partnership's year."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from contracts.directory import LaCode, Payload
from contracts.events import EventDefinition
from contracts.schedule import AcademicYear

ThemeCode = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$",
        max_length=120,
        examples=["curriculum.reading.phonics"],
    ),
]


class Theme(Payload):
    code: ThemeCode
    label: str
    parent: ThemeCode | None
    retired: bool = Field(False, description="Kept for history; not for new findings")


class TaxonomyPayload(Payload):
    """The whole taxonomy at ``version`` (small enough to send whole; newer wins)."""

    version: int
    themes: list[Theme]
    published_at: datetime


TAXONOMY_UPDATED: EventDefinition[TaxonomyPayload] = EventDefinition(
    "knowledge",
    "taxonomy",
    "updated",
    1,
    TaxonomyPayload,
    "A new version of the theme taxonomy was published.",
)


class EmergingThemePayload(Payload):
    """An area for development raised in more than ``share_threshold`` of a partnership's
    reviews this academic year (and by at least as many schools as the agreement's suppression
    threshold). Sent once per partnership, year and theme, to the partnership only: the subject's
    LA token is ``_``, so a council's ``*.*.*.*.<la>.>`` permission does not receive it. The
    counts are filled only when the agreement names schools within the partnership."""

    partnership_id: UUID
    la_code: LaCode = Field(description="The partnership's LA (in the payload, not the subject)")
    academic_year: AcademicYear
    theme_code: ThemeCode
    share_threshold: float = Field(gt=0, lt=1, description="The setting that was exceeded")
    reviews_raising: int | None = Field(
        description="Reviews that raised it; null unless the agreement is `named`"
    )
    reviews_in_year: int | None = Field(
        description="Reviews with a published report this year; null unless `named`"
    )
    detected_at: datetime


THEME_EMERGING: EventDefinition[EmergingThemePayload] = EventDefinition(
    "knowledge",
    "theme",
    "emerging",
    1,
    EmergingThemePayload,
    "An area for development is emerging across a partnership's reviews this year (sent once).",
)

EVENTS: tuple[EventDefinition[Any], ...] = (TAXONOMY_UPDATED, THEME_EMERGING)
