"""The reviews service's copy of the knowledge service's theme taxonomy, fed by
``knowledge.taxonomy.updated`` (the whole taxonomy each time; the newest version wins).

Theme codes of focuses, findings and self-evaluations are checked against it, so that findings
can be counted across schools.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from common.db import UTCDateTime
from reviews.db import Base

#: The one row of ``taxonomy_versions``: which version the themes below are.
CURRENT = "current"


class TaxonomyVersion(Base):
    __tablename__ = "taxonomy_versions"

    key: Mapped[str] = mapped_column(String(20), primary_key=True, default=CURRENT)
    source_version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TaxonomyTheme(Base):
    __tablename__ = "taxonomy_themes"

    code: Mapped[str] = mapped_column(String(120), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    parent: Mapped[str | None] = mapped_column(String(120))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
