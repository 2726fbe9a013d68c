"""Events of the reviews service (report published, action plan agreed, progress reviewed,
review closed, milestone overdue). Filled in with the reviews service (issue 4)."""

from __future__ import annotations

from typing import Any

from contracts.events import EventDefinition

EVENTS: tuple[EventDefinition[Any], ...] = ()
