"""Alembic environment of the reviews service: its own metadata, its own database."""

from common.db.migrations import run_env
from reviews.config import ReviewsSettings
from reviews.models import Base

run_env(Base.metadata, ReviewsSettings().resolved_database_url())
