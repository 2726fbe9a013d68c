"""Alembic environment of the knowledge service: its own metadata, its own database."""

from common.db.migrations import run_env
from knowledge.config import KnowledgeSettings
from knowledge.models import Base, include_object

run_env(Base.metadata, KnowledgeSettings().resolved_database_url(), include_object=include_object)
