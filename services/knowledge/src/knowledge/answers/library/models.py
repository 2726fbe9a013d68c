"""The research library: published sources (guidance reports, reviews) mapped to themes, for
Improvement Champions preparing a workshop. Global, not tenant data."""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import TimestampMixin, VersionedMixin
from common.ids import new_id
from knowledge.db import Base
from knowledge.intake.theme.models import CODE_LENGTH


class Source(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "library_sources"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    year: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    #: The stages of education it is written for (``stages.Stage``); empty: any stage.
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)

    themes: Mapped[list[SourceTheme]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SourceTheme.theme_code"
    )

    @property
    def theme_codes(self) -> list[str]:
        return [t.theme_code for t in self.themes]


class SourceTheme(Base):
    __tablename__ = "library_source_themes"

    source_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("library_sources.id", ondelete="CASCADE"), primary_key=True
    )
    theme_code: Mapped[str] = mapped_column(
        String(CODE_LENGTH), ForeignKey("themes.code"), primary_key=True, index=True
    )
