"""A review's focus and enquiry questions, and the reviewers' challenge notes on them.

The school (or the lead reviewer) sets the focus during self-review and pre-review; the lead
reviewer marks it agreed at the pre-review meeting. Questions are kept in order, each with a
stable id that evidence items link to. Challenge notes are append-only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Text, Uuid, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from common.clock import utcnow
from common.db import TimestampMixin, UTCDateTime, VersionedMixin
from contracts.reviews import ReviewState
from reviews.db import Base

#: The states in which the focus and its questions may be set (and challenged).
EDITABLE_STATES = (ReviewState.SELF_REVIEW, ReviewState.PRE_REVIEW)
#: The state in which the lead reviewer marks the focus agreed (the pre-review meeting).
AGREEMENT_STATE = ReviewState.PRE_REVIEW
MAX_QUESTIONS = 5


class ReviewFocus(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "review_focus"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    theme_codes: Mapped[list[str]] = mapped_column(JSON)
    #: ``[{"id": "<uuid>", "text": "..."}]`` in order (1 to 5).
    questions: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agreed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    def question_ids(self) -> set[uuid.UUID]:
        return {uuid.UUID(q["id"]) for q in self.questions}


class FocusChallenge(Base):
    """Append-only: a reviewer's challenge to the focus (e.g. it only confirms a known answer)."""

    __tablename__ = "focus_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    author_person_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(FocusChallenge, "before_update")
@event.listens_for(FocusChallenge, "before_delete")
def _refuse(mapper: Mapper[Any], connection: Any, target: FocusChallenge) -> None:
    raise AppendOnlyError("focus_challenges is append-only")
