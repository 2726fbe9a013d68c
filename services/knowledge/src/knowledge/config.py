"""Knowledge settings: env prefix KNOWLEDGE_ (e.g. KNOWLEDGE_DATABASE_URL)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class KnowledgeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KNOWLEDGE_", extra="ignore")

    service_name: str = "knowledge"
    # An area for development raised in more than this share of a partnership's reviews this
    # year is an emerging theme (knowledge.theme.emerging), once it was raised by at least
    # max(emerging_theme_min_reviews, the agreement's suppression threshold) reviews.
    emerging_theme_share: float = Field(0.3, gt=0, lt=1)
    emerging_theme_min_reviews: int = Field(3, ge=1)
