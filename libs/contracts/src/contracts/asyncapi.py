"""Generate the AsyncAPI 3 document from the event definitions.

``python -m contracts.asyncapi --write docs/asyncapi.json`` (``make asyncapi``) rewrites the
checked-in copy; ``--check`` exits 1 when it is stale. JSON is valid YAML, and keeping to the
standard library keeps this package's only dependency pydantic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from contracts.catalog import ALL_EVENTS, STREAMS
from contracts.events import EventDefinition

ENVELOPE_DESCRIPTION = (
    "CloudEvents 1.0, structured JSON mode. `id` is a UUIDv7 and is also sent as the "
    "`Nats-Msg-Id` header; `partitionkey` orders events of one aggregate."
)


def _message_name(definition: EventDefinition[Any]) -> str:
    return definition.name.replace(".", "_")


def _envelope_schema(definition: EventDefinition[Any], payload_ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid"},
            "source": {"const": definition.source},
            "type": {"const": definition.type},
            "subject": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "partitionkey": {"type": "string"},
            "correlationid": {"type": "string"},
            "data": {"$ref": payload_ref},
        },
    }


def build_document() -> dict[str, Any]:
    models = sorted({d.payload for d in ALL_EVENTS}, key=lambda m: m.__name__)
    _, schema = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = dict(sorted(schema.get("$defs", {}).items()))
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for definition in ALL_EVENTS:
        name = _message_name(definition)
        envelope = f"{definition.payload.__name__}Envelope_{name}"
        schemas[envelope] = _envelope_schema(
            definition, f"#/components/schemas/{definition.payload.__name__}"
        )
        messages[name] = {
            "name": definition.type,
            "title": definition.name,
            "summary": definition.summary,
            "contentType": "application/cloudevents+json",
            "description": ENVELOPE_DESCRIPTION,
            "headers": {
                "type": "object",
                "properties": {"Nats-Msg-Id": {"type": "string", "format": "uuid"}},
            },
            "payload": {"$ref": f"#/components/schemas/{envelope}"},
        }
        channels[name] = {
            "address": definition.subject_template,
            "description": f"Stream {definition.service.upper()}. {definition.summary}",
            "parameters": {
                "la": {"description": "Three-digit LA code, or `_`."},
                "partnership": {"description": "Partnership id (UUIDv7), or `_`."},
                "urn": {"description": "School URN, or `_`."},
            },
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"on_{name}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": definition.summary,
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Critical Friend events",
            "version": "1.0.0",
            "description": (
                "Events published on NATS JetStream. Streams: "
                + ", ".join(f"`{k}` ({', '.join(v)})" for k, v in STREAMS.items())
                + ". Subjects end with the tenancy path `<la>.<partnership>.<urn>`."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "local": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "`make run` embedded server",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="write the document to this path")
    parser.add_argument("--check", type=Path, help="exit 1 if this file is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text)
    elif args.check:
        if not args.check.exists() or args.check.read_text() != text:
            print(f"{args.check} is stale: run `make asyncapi`", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
