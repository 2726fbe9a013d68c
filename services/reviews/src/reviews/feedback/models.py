"""The host school's feedback on its review: a few 1-5 ratings and a comment, given once by
the head after the report is published."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.clock import utcnow
from common.db import UTCDateTime
from contracts.reviews import ReviewState
from reviews.db import Base

#: The states in which the report is published and the school may rate the review.
GIVING_STATES = frozenset(
    {
        ReviewState.REPORT_PUBLISHED,
        ReviewState.WORKSHOP,
        ReviewState.ACTION_PLAN_AGREED,
        ReviewState.PROGRESS_REVIEW,
        ReviewState.CLOSED,
    }
)
#: The ratings, in the order they are shown.
RATINGS = ("preparation", "challenge", "report_usefulness")


class HostFeedback(Base):
    __tablename__ = "host_feedback"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    preparation: Mapped[int] = mapped_column(SmallInteger)
    challenge: Mapped[int] = mapped_column(SmallInteger)
    report_usefulness: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    #: The head's person id (a machine token of the school has none).
    given_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
