"""Reviews settings: env prefix REVIEWS_ (e.g. REVIEWS_DATABASE_URL)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class ReviewsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEWS_", extra="ignore")

    service_name: str = "reviews"
    #: How often each replica looks for milestones that became overdue (0: never).
    milestone_sweep_seconds: float = 300.0
