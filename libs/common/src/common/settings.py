"""Base settings. Each service subclasses with its own env prefix; nothing is built at import."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from common.db.engine import PoolConfig

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
DATA_DIR = Path(".data")


class Role(StrEnum):
    """What a process runs: ``api`` serves HTTP only; ``worker`` runs the outbox relay, the
    event consumers and the background jobs (its HTTP port answers health checks); ``all``
    (the default, for ``make run``) both."""

    API = "api"
    WORKER = "worker"
    ALL = "all"


class StreamOverride(BaseModel):
    """One stream's departures from the shared ``NATS_STREAM_*`` settings (``NATS_STREAMS``)."""

    replicas: int | None = Field(default=None, ge=1, le=5)
    storage: Literal["file", "memory"] | None = None
    max_age_seconds: float | None = Field(default=None, ge=0)
    max_bytes: int | None = Field(default=None, ge=-1)
    discard: Literal["old", "new"] | None = None
    duplicate_window_seconds: float | None = Field(default=None, gt=0)


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
    # api | worker | all (<SERVICE>_ROLE); see Role.
    role: Role = Role.ALL
    # Older switch, kept: false runs no consumers even in a worker.
    consumers_enabled: bool = True
    # Streams (shared by every service, read without the prefix): 3 replicas on a 3-node
    # cluster; 0 (age) and -1 (bytes) mean unlimited. NATS_STREAMS overrides one stream, as
    # JSON: {"DEADLETTER": {"max_age_seconds": 2592000}}.
    nats_stream_replicas: int = Field(
        default=1, ge=1, le=5, validation_alias="NATS_STREAM_REPLICAS"
    )
    nats_stream_storage: Literal["file", "memory"] = Field(
        default="file", validation_alias="NATS_STREAM_STORAGE"
    )
    nats_stream_max_age_seconds: float = Field(
        default=0.0, ge=0, validation_alias="NATS_STREAM_MAX_AGE_SECONDS"
    )
    nats_stream_max_bytes: int = Field(default=-1, ge=-1, validation_alias="NATS_STREAM_MAX_BYTES")
    nats_stream_discard: Literal["old", "new"] = Field(
        default="old", validation_alias="NATS_STREAM_DISCARD"
    )
    nats_stream_duplicate_window_seconds: float = Field(
        default=120.0, gt=0, validation_alias="NATS_STREAM_DUPLICATE_WINDOW_SECONDS"
    )
    nats_streams: dict[str, StreamOverride] = Field(
        default_factory=dict, validation_alias="NATS_STREAMS"
    )
    # Comma-separated streams whose lost history this start accepts (see
    # common.messaging.continuity); "*" for every stream. Unset it after that start.
    nats_accept_history_loss: str = Field(default="", validation_alias="NATS_ACCEPT_HISTORY_LOSS")
    log_level: str = "INFO"
    # Verified bearer tokens remembered until they expire (common.auth.cache); 0 turns it off.
    auth_token_cache_size: int = Field(default=10_000, validation_alias="AUTH_TOKEN_CACHE_SIZE")
    # Writes per client: a token bucket refilled at this rate, holding up to this burst
    # (docs/operations.md: a 1,000-person MIS sync fits in one burst).
    write_rate_per_minute: int = 1_200
    write_rate_burst: int = 1_000
    # What the OpenAPI document tells integrators: where the gateway is, and where to get a
    # token (client credentials). Shared by every service, so read without the prefix.
    public_base_url: str = Field(default="/", validation_alias="PUBLIC_BASE_URL")
    auth_token_url: str | None = Field(default=None, validation_alias="AUTH_TOKEN_URL")

    #: Requests handled at once by this process; more are shed at once with 503 + Retry-After
    #: (health endpoints exempt). 0: no limit. About the pool's connections: a request past
    #: them would only wait for one.
    max_requests_in_flight: int = Field(default=3, ge=0, validation_alias="MAX_REQUESTS_IN_FLIGHT")
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

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @property
    def runs_api(self) -> bool:
        return self.role in (Role.API, Role.ALL)

    @property
    def runs_worker(self) -> bool:
        return self.role in (Role.WORKER, Role.ALL)

    def accepts_history_loss(self, stream: str) -> bool:
        accepted = {name.strip() for name in self.nats_accept_history_loss.split(",")}
        return "*" in accepted or stream in accepted

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``.data/`` named after the service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{DATA_DIR / (self.service_name + '.db')}"
