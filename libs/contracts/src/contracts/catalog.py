"""Every event the system publishes, and the stream each producing service owns.

Each producer's module exports ``EVENTS``; adding an event there is enough for it to appear in
the AsyncAPI document.
"""

from __future__ import annotations

from typing import Any

from contracts import directory, knowledge, reviews, schedule
from contracts.events import EventDefinition

ALL_EVENTS: tuple[EventDefinition[Any], ...] = (
    *directory.DIRECTORY_EVENTS,
    *schedule.EVENTS,
    *reviews.EVENTS,
    *knowledge.EVENTS,
)

#: One stream per producing service: name -> subjects.
STREAMS: dict[str, list[str]] = {
    "SCHEDULING": ["scheduling.>"],
    "REVIEWS": ["reviews.>"],
    "KNOWLEDGE": ["knowledge.>"],
}


def by_type(ce_type: str) -> EventDefinition[Any] | None:
    for definition in ALL_EVENTS:
        if definition.type == ce_type:
            return definition
    return None
