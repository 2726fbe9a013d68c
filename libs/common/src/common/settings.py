"""Base settings. Each service subclasses with its own env prefix; nothing is built at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.db.engine import PoolConfig

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
DATA_DIR = Path(".data")


class ServiceSettings(BaseSettings):
    """Settings every service shares.

    A subclass sets ``model_config = SettingsConfigDict(env_prefix="SCHEDULING_")`` and a
    ``service_name``; ``NATS_URL`` and the ``AUTH_*`` variables are shared across services, so
    they are read without the prefix (``validation_alias``). So are the ``DB_*`` pool settings
    and ``MAX_REQUESTS_IN_FLIGHT``: every process on one PostgreSQL server shares its connection
    limit, so they are sized together (see ``docs/capacity.md``).
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
    #: Requests handled at once by this process; more are shed at once with 503 + Retry-After
    #: (health endpoints exempt). 0: no limit. About the pool's connections: a request past
    #: them would only wait for one.
    max_requests_in_flight: int = Field(default=8, ge=0, validation_alias="MAX_REQUESTS_IN_FLIGHT")
    db_pool_size: int = Field(default=5, ge=1, validation_alias="DB_POOL_SIZE")
    db_max_overflow: int = Field(default=2, ge=0, validation_alias="DB_MAX_OVERFLOW")
    db_pool_timeout_seconds: float = Field(
        default=2.0, gt=0, validation_alias="DB_POOL_TIMEOUT_SECONDS"
    )
    db_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, validation_alias="DB_CONNECT_TIMEOUT_SECONDS"
    )
    #: 0 behind PgBouncer in transaction mode (no prepared-statement caches).
    db_statement_cache_size: int = Field(
        default=100, ge=0, validation_alias="DB_STATEMENT_CACHE_SIZE"
    )

    def database_pool(self) -> PoolConfig:
        return PoolConfig(
            size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            timeout_seconds=self.db_pool_timeout_seconds,
            connect_timeout_seconds=self.db_connect_timeout_seconds,
            statement_cache_size=self.db_statement_cache_size,
        )

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``.data/`` named after the service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{DATA_DIR / (self.service_name + '.db')}"
