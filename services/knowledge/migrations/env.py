"""Alembic environment of the knowledge service: its own metadata, its own database."""

from typing import Any

from common.db.migrations import run_env
from knowledge.config import KnowledgeSettings
from knowledge.models import Base


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """The full-text index is made by hand in its migration (FTS5 tables on SQLite, a generated
    tsvector column on PostgreSQL) and not mapped: autogenerate must not drop it."""
    if kind == "table" and reflected and compare_to is None:
        return not (name or "").startswith("search_fts")
    return name not in ("body_tsv", "ix_search_documents_body_tsv")


run_env(Base.metadata, KnowledgeSettings().resolved_database_url(), include_object=include_object)
