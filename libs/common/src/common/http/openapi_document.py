"""What a service adds to its OpenAPI document beyond its routes, and the post-processing
that applies it: security with per-operation scopes, response headers, required If-Match,
declared tags and servers, typed events, and per-operation additions.

A service passes an :class:`OpenApiExtras` to ``create_service_app(openapi=...)``; the data
lives in ``<service>/openapi_extras.py``, so a description or a non-JSON response is added in
one place, keyed by operationId, without touching the routers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute

from common.http.openapi_events import DescribedEvent, add_event_schemas
from common.http.openapi_headers import add_response_headers, require_if_match
from common.http.openapi_routes import operations
from common.http.openapi_security import add_security

#: Tags every service has (from common's own routes).
COMMON_TAGS: dict[str, str] = {
    "operations": "Liveness and readiness, for gateways and orchestrators.",
    "problems": "The problem types: what each `type` of a problem document means.",
    "events": "The service's events as a paged feed and a live Server-Sent Events stream.",
    "webhooks": "Standard Webhooks subscriptions: each event POSTed, signed, to your URL.",
}


@dataclass(frozen=True)
class OpenApiExtras:
    """``tags``: name -> description of the service's tags (every tag used must be here, or in
    :data:`COMMON_TAGS`). ``events``: what its feed and stream carry; ``webhooks`` when it also
    delivers them to subscriptions. ``operations``: operationId -> a fragment deep-merged into
    that operation (a description, a non-JSON response, a corrected example)."""

    tags: Mapping[str, str] = field(default_factory=dict)
    events: Sequence[DescribedEvent] = ()
    webhooks: bool = False
    operations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: operationId -> description, used only where the route gives none.
    descriptions: Mapping[str, str] = field(default_factory=dict)


#: Descriptions of common's own operations (health and webhooks), where the route gives none.
COMMON_DESCRIPTIONS: dict[str, str] = {
    "healthz": "Answers 200 while the process serves requests; it checks nothing else (see "
    "`/readyz`). Needs no token.",
    "livez": "Answers 200 while the process runs (the liveness probe); it checks nothing else. "
    "Needs no token.",
    "readyz": "200 when the process can serve its role: an API when its database answers, a "
    "worker when NATS answers too and no consumer refuses its stream; 503 with `checks` naming "
    "what does not. The body carries the backlog (outbox rows waiting, each consumer's lag). "
    "Needs no token.",
    "list_webhook_event_types": "Every CloudEvents `type` a subscription may ask for, with what "
    "it means; the payloads are under `webhooks` in this document.",
    "list_webhook_subscriptions": "The subscriptions the caller made (secrets are never shown).",
    "get_webhook_subscription": "One of the caller's subscriptions; 404 for anyone else's.",
    "delete_webhook_subscription": "Stops deliveries at once and deletes the subscription and "
    "its delivery log.",
    "list_webhook_deliveries": "The subscription's deliveries, newest first, each with its "
    "status and attempt count.",
    "get_webhook_delivery": "One delivery: the body sent and every attempt with its response code.",
    "replay_webhook_delivery": "Queues the delivery to be sent again (202): same body and "
    "`webhook-id`, so a receiver that has it drops the repeat. 409 when the subscription is "
    "disabled.",
    "replay_webhook_deliveries": "Queues again every delivery of the subscription in the time "
    "range (202). 409 when the subscription is disabled.",
}


def deep_merge(target: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``target``: mappings merge key by key, anything else replaces."""
    for key, value in extra.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            deep_merge(current, value)
        else:
            target[key] = value
    return target


def _apply_operation_extras(
    schema: dict[str, Any], extras: Mapping[str, Mapping[str, Any]]
) -> None:
    by_id = {op.get("operationId"): op for _, _, op in operations(schema)}
    unknown = sorted(set(extras) - set(by_id))
    if unknown:
        raise RuntimeError(f"OpenAPI extras for unknown operationIds: {', '.join(unknown)}")
    for operation_id, extra in extras.items():
        deep_merge(by_id[operation_id], extra)


def _describe_operations(schema: dict[str, Any], descriptions: Mapping[str, str]) -> None:
    for _, _, operation in operations(schema):
        text = descriptions.get(operation.get("operationId", ""))
        if text and not operation.get("description"):
            operation["description"] = text


def _declare_tags(schema: dict[str, Any], descriptions: Mapping[str, str]) -> None:
    known = {**COMMON_TAGS, **descriptions}
    used: set[str] = {tag for _, _, op in operations(schema) for tag in op.get("tags", [])}
    used |= {
        tag
        for item in schema.get("webhooks", {}).values()
        for op in item.values()
        for tag in op.get("tags", [])
    }
    schema["tags"] = [
        {"name": tag, "description": known[tag]} if tag in known else {"name": tag}
        for tag in sorted(used)
    ]


def describe_protocol(
    schema: dict[str, Any],
    routes: Sequence[BaseRoute],
    extras: OpenApiExtras,
    *,
    public_base_url: str = "/",
    token_url: str | None = None,
) -> dict[str, Any]:
    """Apply everything to the document FastAPI generated (after the problem responses)."""
    schema["servers"] = [{"url": public_base_url or "/"}]
    add_security(schema, routes, token_url)
    require_if_match(schema, routes)
    add_event_schemas(schema, extras.events, webhooks=extras.webhooks)
    _apply_operation_extras(schema, extras.operations)
    _describe_operations(schema, {**COMMON_DESCRIPTIONS, **extras.descriptions})
    add_response_headers(schema)
    _declare_tags(schema, extras.tags)
    return schema


def render_document(schema: dict[str, Any]) -> str:
    """The committed form of a document (``docs/openapi/<service>.json``): sorted keys, so a
    diff shows what changed and nothing else."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
