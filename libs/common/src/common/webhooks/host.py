"""What a hosting service supplies to the webhook routes: its tables, scopes, event types and
rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from common.auth.principal import Principal
from common.http.problems import forbidden
from common.webhooks.destinations import DestinationPolicy
from common.webhooks.models import WebhookTables
from common.webhooks.tenancy import TenancyFilter

PING_EVENT_TYPE = "webhook.ping"


def tenancy_from_claims(principal: Principal) -> TenancyFilter:
    """The default: the token's tenancy claims and person; a token with none may not subscribe
    (it would receive nothing)."""
    tenancy = TenancyFilter.of(principal)
    if tenancy.is_empty:
        raise forbidden("The token has no tenancy (la, trusts, partnerships, schools, person_id).")
    return tenancy


@dataclass(frozen=True)
class WebhookHost:
    """``event_types`` maps each CloudEvents type a subscription may ask for to a one-line
    description; ``source`` is the CloudEvents ``source`` of pings (``/reviews``)."""

    tables: WebhookTables
    idempotency_model: type[Any]
    read_scope: str
    write_scope: str
    event_types: Mapping[str, str]
    source: str
    destinations: DestinationPolicy = field(default_factory=DestinationPolicy)
    tenancy_of: Callable[[Principal], TenancyFilter] = tenancy_from_claims
    max_subscriptions_per_owner: int = 100
