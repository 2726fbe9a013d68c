"""The 90-day progress review: the IC rates every action of the agreed plan (on track, at risk,
off track, done) with the evidence of its impact. Recorded once; the review can close then."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.clock import utcnow
from common.db import UTCDateTime
from contracts.reviews import ReviewState
from reviews.db import Base

#: The state in which the IC records the 90-day review.
RECORDING_STATE = ReviewState.PROGRESS_REVIEW


class ProgressReview(Base):
    __tablename__ = "progress_reviews"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: ``[{"action_id": ..., "rating": ..., "evidence_of_impact": ...}]`` in the plan's order.
    ratings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
