"""The theme taxonomy: hierarchical codes that findings, sources and expertise point at.

The taxonomy is global (not tenant data) and versioned as a whole: every edit makes a new
``TaxonomyVersion`` and publishes the whole taxonomy at that version. A code is never deleted,
only retired, because findings keep referring to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from common.clock import utcnow
from common.db import TimestampMixin, VersionedMixin
from knowledge.db import Base

CODE_LENGTH = 120
MAX_DEPTH = 4


def parent_of(code: str) -> str | None:
    """``curriculum.reading.phonics`` -> ``curriculum.reading``; a top-level code has none."""
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestors_of(code: str) -> list[str]:
    """Nearest first: ``a.b.c`` -> ``["a.b", "a"]``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def is_descendant(code: str, of: str) -> bool:
    return code.startswith(of + ".")


class Theme(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "themes"

    code: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(
        String(CODE_LENGTH), ForeignKey("themes.code"), index=True
    )
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    added_in: Mapped[int] = mapped_column(Integer, doc="Taxonomy version that added it")
    changed_in: Mapped[int] = mapped_column(Integer, doc="Taxonomy version that last changed it")

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


class TaxonomyVersion(Base):
    """One published version of the whole taxonomy (the primary key serialises edits)."""

    __tablename__ = "taxonomy_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    change: Mapped[str] = mapped_column(String(300))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExpertiseMapping(Base):
    """A reviewer expertise code (as scheduling records it) and the theme it covers."""

    __tablename__ = "theme_expertise"

    expertise_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    theme_code: Mapped[str] = mapped_column(
        String(CODE_LENGTH), ForeignKey("themes.code"), index=True
    )
