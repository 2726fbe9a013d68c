"""Every event the system publishes, and the stream each producing service owns."""

from __future__ import annotations

from typing import Any

from contracts.directory import DIRECTORY_EVENTS
from contracts.events import EventDefinition

ALL_EVENTS: tuple[EventDefinition[Any], ...] = (*DIRECTORY_EVENTS,)

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
