"""Typed events in the OpenAPI document: an envelope schema per event type (a CloudEvent whose
``data`` is the payload model), OpenAPI 3.1 ``webhooks`` for what subscriptions deliver, and
the feed item's ``event`` as a union discriminated by ``type``.

The events are described by the service (``contracts.events.EventDefinition`` fits
:class:`DescribedEvent`): common does not know the contracts.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel

REF_TEMPLATE = "#/components/schemas/{model}"
#: The feed page's item model and its CloudEvent member (``common.eventstream.feed``).
FEED_ITEM_SCHEMA = "FeedEntry"
FEED_EVENT_PROPERTY = "event"
_SIGNATURE_HEADERS = {
    "webhook-id": "The event id: the same on every attempt, so a receiver drops repeats.",
    "webhook-timestamp": "Unix seconds when this attempt was signed.",
    "webhook-signature": "`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` with the "
    "subscription's secret (Standard Webhooks); several during a secret rotation.",
}


class DescribedEvent(Protocol):
    """What the document needs of one kind of event."""

    @property
    def name(self) -> str: ...  # scheduling.review.planned.v1

    @property
    def type(self) -> str: ...  # the CloudEvents type

    @property
    def summary(self) -> str: ...

    @property
    def payload(self) -> builtins.type[BaseModel]: ...  # ``type`` is the property above


def envelope_name(event: DescribedEvent) -> str:
    """``reviews.review.closed.v1`` -> ``ReviewsReviewClosedV1Event``."""
    return "".join(part.capitalize() for part in re.split(r"[._-]", event.name)) + "Event"


def _add_schema(schemas: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    existing = schemas.get(name)
    if existing is not None and existing != schema:
        raise RuntimeError(f"two different schemas are named {name} in the OpenAPI document")
    schemas[name] = schema


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """``node`` with every ``$ref`` to a renamed schema pointing at its new name."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_TEMPLATE.format(model="")):
            model = ref.rsplit("/", 1)[-1]
            if model in names:
                return {**node, "$ref": REF_TEMPLATE.format(model=names[model])}
        return {key: _renamed(value, names) for key, value in node.items()}
    if isinstance(node, list):
        return [_renamed(value, names) for value in node]
    return node


def _add_payload(schemas: dict[str, Any], payload: type[BaseModel]) -> str:
    """Add the payload's schemas; one whose name the API already uses for another shape (an
    enum with fewer members, say) is added as ``Event<Name>``. Returns the payload's name."""
    schema = payload.model_json_schema(ref_template=REF_TEMPLATE)
    definitions: dict[str, Any] = {**schema.pop("$defs", {}), payload.__name__: schema}
    names: dict[str, str] = {}
    changed = True
    while changed:  # a rename changes the refs of the schemas that use it: compare again
        changed = False
        for name, definition in definitions.items():
            existing = schemas.get(name)
            if name not in names and existing not in (None, _renamed(definition, names)):
                names[name] = "Event" + name
                changed = True
    for name, definition in definitions.items():
        renamed = _renamed(definition, names)
        if name in names:  # generators name classes after the title
            renamed["title"] = names[name]
        _add_schema(schemas, names.get(name, name), renamed)
    return names.get(payload.__name__, payload.__name__)


def _envelope(event: DescribedEvent, payload_ref: str) -> dict[str, Any]:
    string = {"type": "string"}
    return {
        "title": envelope_name(event),
        "description": f"{event.summary} (CloudEvents 1.0, structured JSON).",
        "type": "object",
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {**string, "description": "Unique per event; receivers drop repeats by it"},
            "source": {**string, "examples": ["/" + event.name.split(".")[0]]},
            "type": {"type": "string", "const": event.type},
            "subject": string,
            "time": {**string, "format": "date-time"},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "data": {"$ref": payload_ref},
            "partitionkey": string,
            "correlationid": string,
            "traceparent": string,
            "tracestate": string,
        },
        "required": ["specversion", "id", "source", "type", "time", "data"],
    }


def add_event_schemas(
    schema: dict[str, Any], events: Sequence[DescribedEvent], *, webhooks: bool
) -> dict[str, Any]:
    """Envelope and payload schemas for ``events``; ``webhooks`` (one per event type) when
    the service delivers them to subscriptions; the feed item's union when it serves a feed."""
    if not events:
        return schema
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    mapping: dict[str, str] = {}
    for event in events:
        payload_name = _add_payload(schemas, event.payload)
        envelope = envelope_name(event)
        payload_ref = REF_TEMPLATE.format(model=payload_name)
        _add_schema(schemas, envelope, _envelope(event, payload_ref))
        mapping[event.type] = REF_TEMPLATE.format(model=envelope)
    union = {
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    feed_item = schemas.get(FEED_ITEM_SCHEMA)
    if feed_item is not None and FEED_EVENT_PROPERTY in feed_item.get("properties", {}):
        member = feed_item["properties"][FEED_EVENT_PROPERTY]
        description = member.get("description", "The CloudEvent")
        feed_item["properties"][FEED_EVENT_PROPERTY] = {"description": description, **union}
    if webhooks:
        schema["webhooks"] = {event.name: _webhook(event, mapping[event.type]) for event in events}
    return schema


def _webhook(event: DescribedEvent, envelope_ref: str) -> dict[str, Any]:
    operation_id = "on_" + re.sub(r"[.-]", "_", event.name)
    return {
        "post": {
            "operationId": operation_id,
            "summary": event.summary,
            "description": f"Delivered to a subscription that asked for `{event.type}` (or for "
            "every type): a signed POST whose body is the CloudEvent. Answer any 2xx within "
            "the timeout to acknowledge; anything else is retried with backoff.",
            "tags": ["webhooks"],
            "parameters": [
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "description": text,
                    "schema": {"type": "string"},
                }
                for name, text in _SIGNATURE_HEADERS.items()
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": envelope_ref}}},
            },
            "responses": {
                "2XX": {"description": "Received: the delivery is done."},
                "default": {"description": "Not received: the delivery is retried."},
            },
        }
    }
