"""Reviews settings: env prefix REVIEWS_ (e.g. REVIEWS_DATABASE_URL)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings
from common.webhooks import DEFAULT_DELAYS


class ReviewsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEWS_", extra="ignore")

    service_name: str = "reviews"
    #: How often each replica looks for milestones that became overdue (0: never).
    milestone_sweep_seconds: float = 300.0
    #: Webhook destinations on loopback, private or link-local addresses, and plain http:
    #: refused unless set (``make run`` sets both, for a receiver on the same machine).
    webhooks_allow_private: bool = False
    webhooks_allow_http: bool = False
    #: Seconds a receiver has to answer one delivery.
    webhook_timeout_seconds: float = 15.0
    #: The waits between attempts (seconds; about 28 h in all) and their jitter (a fraction).
    webhook_retry_delays: tuple[float, ...] = DEFAULT_DELAYS
    webhook_retry_jitter: float = 0.2
    #: How often the dispatcher looks for due deliveries when nothing woke it.
    webhook_poll_seconds: float = 1.0
