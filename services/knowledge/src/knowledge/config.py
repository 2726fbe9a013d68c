"""Knowledge settings: env prefix KNOWLEDGE_ (e.g. KNOWLEDGE_DATABASE_URL)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class KnowledgeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KNOWLEDGE_", extra="ignore")

    service_name: str = "knowledge"
