"""Events of the knowledge service: the theme taxonomy that findings are coded against."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from contracts.directory import Payload
from contracts.events import EventDefinition

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

EVENTS: tuple[EventDefinition[Any], ...] = (TAXONOMY_UPDATED,)
