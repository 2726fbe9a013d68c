"""The school's self-evaluation (SEF) for one review: its data summary and its own view of its
strengths and weaknesses. Written by the school during self-review; the team reads it once the
school shares it, and in any case from pre-review on (moving to pre-review is the school
sharing its self-review)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, UTCDateTime, VersionedMixin
from contracts.reviews import ReviewState
from reviews.db import Base

#: The state in which the school writes its self-evaluation.
EDITING_STATE = ReviewState.SELF_REVIEW
#: From here on the team reads it whether or not the school shared it explicitly.
SHARED_FROM = ReviewState.PRE_REVIEW


class SelfEvaluation(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "self_evaluations"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    #: A ``summary.DataSummary`` as JSON: aggregates only, never a pupil.
    data_summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``[{"text": "...", "theme_codes": [...]}]``
    strengths: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    weaknesses: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
