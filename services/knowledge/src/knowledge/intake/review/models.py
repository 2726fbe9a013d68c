"""What the knowledge service keeps of a review, from the reviews service's events.

Only what the partnership's data-sharing agreement allows: the shape of the findings and actions
(kinds, theme codes, evidence counts, ratings) always; their words only while the agreement is
``named`` within the partnership (and the producer shared them), and then only in
``knowledge.intake.search`` (one table to index, and one to clear when an agreement becomes
stricter). ``counted_trust`` and ``counted_la`` say in which rollups above the partnership the
review is counted *now*; they follow the agreement (see ``knowledge.intake.review.visibility``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin
from common.db.base import UTCDateTime
from knowledge.db import Base
from knowledge.intake.theme.models import CODE_LENGTH


class IngestedReview(TimestampMixin, Base):
    __tablename__ = "ingested_reviews"
    __table_args__ = (Index("ix_ingested_reviews_urn_year", "urn", "academic_year"),)

    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    urn: Mapped[int] = mapped_column(Integer)
    academic_year: Mapped[str] = mapped_column(String(7), index=True)
    trust_uid: Mapped[str | None] = mapped_column(String(10), doc="The school's trust (directory)")
    counted_trust: Mapped[str | None] = mapped_column(String(10), index=True)
    counted_la: Mapped[bool] = mapped_column(Boolean, default=False)

    state: Mapped[str | None] = mapped_column(String(30))
    state_version: Mapped[int] = mapped_column(Integer, default=0)

    report_version: Mapped[int] = mapped_column(Integer, default=0, doc="0: no report yet")
    first_review_day: Mapped[date | None] = mapped_column(Date)
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evidence_items: Mapped[int] = mapped_column(Integer, default=0, doc="All recorded")
    findings_count: Mapped[int] = mapped_column(Integer, default=0)
    triangulated_count: Mapped[int] = mapped_column(Integer, default=0)
    evidence_sum: Mapped[int] = mapped_column(Integer, default=0, doc="Behind the findings")
    text_shared: Mapped[bool] = mapped_column(Boolean, default=False)

    plan_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    workshop_date: Mapped[date | None] = mapped_column(Date)

    progress_reviewed_on: Mapped[date | None] = mapped_column(Date)
    progress_due: Mapped[date | None] = mapped_column(Date)
    progress_on_time: Mapped[bool | None] = mapped_column(Boolean)

    closed_version: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IngestedFinding(Base):
    __tablename__ = "ingested_findings"

    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("ingested_reviews.review_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    theme_codes: Mapped[list[str]] = mapped_column(JSON)
    evidence_count: Mapped[int] = mapped_column(Integer)
    evidence_kinds: Mapped[list[str]] = mapped_column(JSON)
    triangulated: Mapped[bool] = mapped_column(Boolean)
    question_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class FindingTheme(Base):
    """One theme code of a finding, as coded (ancestors are added by the rollups)."""

    __tablename__ = "ingested_finding_themes"
    __table_args__ = (Index("ix_ingested_finding_themes_code_kind", "theme_code", "kind"),)

    finding_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("ingested_findings.finding_id", ondelete="CASCADE"), primary_key=True
    )
    theme_code: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(30))


class IngestedAction(Base):
    __tablename__ = "ingested_actions"

    action_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("ingested_reviews.review_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    theme_codes: Mapped[list[str]] = mapped_column(JSON)
    owner_role: Mapped[str] = mapped_column(String(80))
    due_date: Mapped[date] = mapped_column(Date)
    support_urn: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[str | None] = mapped_column(String(20), doc="At the 90-day review")


class ReviewPeople(Base):
    """Who runs a review's workshop, from the schedule's plan events (for the research
    suggestions an Improvement Champion asks for)."""

    __tablename__ = "review_people"

    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    improvement_champion: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    assistant: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    lead_reviewer: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    source_version: Mapped[int] = mapped_column(Integer)
