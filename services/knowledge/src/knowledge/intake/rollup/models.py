"""Rollups kept by the event handlers, in the ingest's transaction, so that dashboards never
scan raw findings.

A review contributes *cells* (``ReviewCell``): ``(family, key, kind)`` with counts. Families:

- ``finding``: key a theme code or any of its ancestors, kind ``strength`` or
  ``area_for_development``; items = findings, plus triangulated findings and evidence items;
- ``outcome_kind`` / ``outcome_theme``: key an action kind / a theme code (with ancestors),
  kind a 90-day rating or ``*`` (rated at all); items = actions;
- ``process``: key ``report`` (days from the first review day to publication, findings,
  triangulated, evidence), ``workshop`` (days to the workshop), ``progress`` (items = on time).

Key ``*`` kind ``*`` is the family's whole: the reviews with a report (``finding``) or with a
90-day review (the outcome families).

``InsightCell`` sums the cells of the reviews counted in a scope (``partnership``, ``trust``,
``la``, ``all``) and year: ``reviews`` that have the cell, ``schools`` distinct (a school
reviewed twice in a year counts once), and the summed counts.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.clock import utcnow
from common.db.base import UTCDateTime
from knowledge.db import Base
from knowledge.intake.theme.models import CODE_LENGTH


class ReviewCell(Base):
    __tablename__ = "review_cells"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("ingested_reviews.review_id", ondelete="CASCADE"), primary_key=True
    )
    family: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)
    triangulated: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[int] = mapped_column(Integer, default=0)
    days: Mapped[int] = mapped_column(Integer, default=0)


class InsightCell(Base):
    __tablename__ = "insight_cells"

    scope_kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    scope_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    family: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    schools: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    triangulated: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[int] = mapped_column(Integer, default=0)
    days: Mapped[int] = mapped_column(Integer, default=0)


class RollupGeneration(Base):
    """Bumped in every transaction that changes a year's rollups or who is counted where, so
    that a disclosure decision computed from a consistent read can be reused until then."""

    __tablename__ = "rollup_generations"

    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


class EmergingTheme(Base):
    """One emitted ``knowledge.theme.emerging``: the primary key makes it once."""

    __tablename__ = "emerging_themes"

    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    theme_code: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    reviews_raising: Mapped[int] = mapped_column(Integer)
    reviews_in_year: Mapped[int] = mapped_column(Integer)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
