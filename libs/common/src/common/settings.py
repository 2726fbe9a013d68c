"""Base settings. Each service subclasses with its own env prefix; nothing is built at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
DATA_DIR = Path(".data")


class ServiceSettings(BaseSettings):
    """Settings every service shares.

    A subclass sets ``model_config = SettingsConfigDict(env_prefix="SCHEDULING_")`` and a
    ``service_name``; ``NATS_URL`` and the ``AUTH_*`` variables are shared across services, so
    they are read without the prefix (``validation_alias``).
    """

    model_config = SettingsConfigDict(env_prefix="CF_", extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str = ""
    nats_url: str = Field(default=DEFAULT_NATS_URL, validation_alias="NATS_URL")
    auth_jwks_url: str | None = Field(default=None, validation_alias="AUTH_JWKS_URL")
    auth_issuer: str = Field(default="critical-friend-dev", validation_alias="AUTH_ISSUER")
    auth_audience: str = Field(default="critical-friend", validation_alias="AUTH_AUDIENCE")
    auth_dev_key_path: Path = Field(
        default=DATA_DIR / "dev-signing-key.pem", validation_alias="AUTH_DEV_KEY_PATH"
    )
    max_body_bytes: int = 1_048_576
    outbox_poll_seconds: float = 1.0
    consumers_enabled: bool = True
    log_level: str = "INFO"
    write_rate_per_minute: int = 600
    # What the OpenAPI document tells integrators: where the gateway is, and where to get a
    # token (client credentials). Shared by every service, so read without the prefix.
    public_base_url: str = Field(default="/", validation_alias="PUBLIC_BASE_URL")
    auth_token_url: str | None = Field(default=None, validation_alias="AUTH_TOKEN_URL")

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``.data/`` named after the service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{DATA_DIR / (self.service_name + '.db')}"
