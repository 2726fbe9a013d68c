"""The words of findings and actions that a data-sharing agreement let leave the school, and the
full-text index over them.

Only text that was shared while the agreement was ``named`` is ever written here; when an
agreement becomes stricter its partnership's rows are deleted
(``knowledge.intake.review.visibility``).
The index is the database's own: on SQLite an FTS5 table ``search_fts`` (external content, kept
in step by triggers), on PostgreSQL a generated ``tsvector`` column ``body_tsv`` with a GIN
index; both are created by the migration, not mapped here.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base

# Integer on SQLite so that the key is the rowid the FTS5 table points at.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class SearchDocument(Base):
    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    doc_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    doc_kind: Mapped[str] = mapped_column(String(10), doc="finding or action")
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("ingested_reviews.review_id", ondelete="CASCADE"), index=True
    )
    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    urn: Mapped[int] = mapped_column(Integer, index=True)
    academic_year: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(40), doc="The finding's or the action's kind")
    theme_codes: Mapped[str] = mapped_column(Text, doc="'|a.b|c|': filterable with LIKE")
    body: Mapped[str] = mapped_column(Text)


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: the full-text index is made by hand in its migration (FTS5 tables on
    SQLite, a generated tsvector column on PostgreSQL) and not mapped, so autogenerate (and the
    models-match-migrations test) must not see it as something to drop."""
    if kind == "table" and reflected and compare_to is None:
        return not (name or "").startswith("search_fts")
    return name not in ("body_tsv", "ix_search_documents_body_tsv")
