"""Base settings. Each service subclasses with its own env prefix; nothing is built at import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # Identity providers (docs/identity.md): discovery from an issuer URL, and which claims
    # carry scopes, roles, tenancy and person_id (comma-separated claim names; empty: defaults).
    auth_discovery: bool = Field(default=True, validation_alias="AUTH_DISCOVERY")
    auth_scope_claims: str = Field(default="scope,scp", validation_alias="AUTH_SCOPE_CLAIMS")
    auth_role_claims: str = Field(
        default="roles,realm_access.roles", validation_alias="AUTH_ROLE_CLAIMS"
    )
    auth_role_scopes: str | None = Field(default=None, validation_alias="AUTH_ROLE_SCOPES")
    auth_la_claim: str = Field(default="la", validation_alias="AUTH_LA_CLAIM")
    auth_trusts_claim: str = Field(default="trusts", validation_alias="AUTH_TRUSTS_CLAIM")
    auth_partnerships_claim: str = Field(
        default="partnerships", validation_alias="AUTH_PARTNERSHIPS_CLAIM"
    )
    auth_schools_claim: str = Field(default="schools", validation_alias="AUTH_SCHOOLS_CLAIM")
    auth_person_id_claim: str = Field(default="person_id", validation_alias="AUTH_PERSON_ID_CLAIM")
    auth_tenancy_role_prefix: str = Field(default="", validation_alias="AUTH_TENANCY_ROLE_PREFIX")
    auth_accepted_token_types: str = Field(
        default="at+jwt,application/at+jwt,JWT", validation_alias="AUTH_ACCEPTED_TOKEN_TYPES"
    )
    # Browser origins allowed by CORS, comma-separated ("https://app.example.org"); none by
    # default. Shared by the services (no prefix), like the gateway in front of them.
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="CORS_ALLOWED_ORIGINS"
    )
    # Signs the stream tickets (GET /v1/events/stream?ticket=); every replica of a service
    # must share it. Unset: a random key per process (one process per service, as `make run`).
    stream_ticket_secret: str | None = Field(default=None, validation_alias="STREAM_TICKET_SECRET")
    max_body_bytes: int = 1_048_576
    outbox_poll_seconds: float = 1.0
    consumers_enabled: bool = True
    log_level: str = "INFO"
    # Verified bearer tokens remembered until they expire (common.auth.cache); 0 turns it off.
    auth_token_cache_size: int = Field(default=10_000, validation_alias="AUTH_TOKEN_CACHE_SIZE")
    # Writes per client: a token bucket refilled at this rate, holding up to this burst
    # (docs/operations.md: a 1,000-person MIS sync fits in one burst).
    write_rate_per_minute: int = 1_200
    write_rate_burst: int = 1_000

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``.data/`` named after the service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{DATA_DIR / (self.service_name + '.db')}"
