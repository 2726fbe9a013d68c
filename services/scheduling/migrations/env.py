"""Alembic environment of the scheduling service: its own metadata, its own database."""

from common.db.migrations import run_env
from scheduling.config import SchedulingSettings
from scheduling.models import Base

run_env(Base.metadata, SchedulingSettings().resolved_database_url())
