"""The report of a review: versions assembled from its findings by the lead reviewer, each an
immutable snapshot; the head acknowledges a version (the report is checked with the school),
and the lead publishes an acknowledged version, which moves the review to report_published.

A version's content never changes once written and a published version never changes at all:
the ORM refuses below, and database triggers refuse too (see the migration).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Text, Uuid, event, inspect
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from common.clock import utcnow
from common.db import UTCDateTime
from reviews.db import Base

#: Columns written once, with the version.
CONTENT_COLUMNS = ("review_id", "number", "summary", "content", "created_at", "created_by")


class ReportVersion(Base):
    __tablename__ = "report_versions"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    summary: Mapped[str] = mapped_column(Text)
    #: The findings and their evidence as they were when the version was made (JSON).
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    acknowledgement_comment: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The lead reviewer's reason for publishing with untriangulated findings.
    override_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def published(self) -> bool:
        return self.published_at is not None


class ImmutableReportError(RuntimeError):
    pass


@event.listens_for(ReportVersion, "before_update")
def _refuse_changes(mapper: Mapper[Any], connection: Any, target: ReportVersion) -> None:
    state = inspect(target)
    # The value before this flush: the committed one if it changed now, else the current one.
    published_before = state.committed_state.get("published_at", target.published_at)
    if published_before is not None:
        raise ImmutableReportError("a published report version never changes")
    for column in CONTENT_COLUMNS:
        if state.attrs[column].history.has_changes():
            raise ImmutableReportError(f"report_versions.{column} is written once")


@event.listens_for(ReportVersion, "before_delete")
def _refuse_delete(mapper: Mapper[Any], connection: Any, target: ReportVersion) -> None:
    raise ImmutableReportError("report versions are never deleted")
