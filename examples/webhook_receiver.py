"""A webhook receiver for Critical Friend deliveries, built on the ``standardwebhooks``
library alone: it verifies each request's signature and prints the event as one JSON line.

    WEBHOOK_SECRET=whsec_... python examples/webhook_receiver.py --port 9000

then subscribe ``http://<host>:9000/`` (``POST /v1/webhooks/subscriptions``). During a secret
rotation deliveries carry two signatures, so the old secret keeps working until you switch;
``WEBHOOK_SECRET`` may also list several secrets, comma-separated.

What it does, as a receiver should:
- verifies over the raw body, before parsing it (re-serialised JSON would not match);
- refuses a bad or stale signature (``Webhook.verify`` allows 5 minutes of clock skew) with
  400, so a forged request never reaches your code;
- drops repeats by ``webhook-id`` (a retry or a replay of something already handled) and
  answers 200 to them, so the sender stops retrying;
- answers quickly (work that takes long belongs in a queue behind the receiver).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

REMEMBERED_IDS = 10_000


@dataclass(frozen=True)
class Received:
    """A verified delivery: its ``webhook-id``, the event, and whether it was a repeat."""

    message_id: str
    event: dict[str, Any]
    duplicate: bool


def print_delivery(received: Received) -> None:
    line = {"webhook_id": received.message_id, "duplicate": received.duplicate, **received.event}
    print(json.dumps(line, separators=(",", ":")), flush=True)


@dataclass
class Receiver:
    """The receiver's state: the secrets it accepts, the ids it has seen, what it refused."""

    secrets: list[str]
    on_delivery: Callable[[Received], None] = print_delivery
    rejected: int = 0
    _seen: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def verify(self, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        """The event, when one of our secrets signed it; WebhookVerificationError if not."""
        for secret in self.secrets:
            try:
                event: dict[str, Any] = Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return event
        raise WebhookVerificationError("no secret of ours signed this request")

    def remember(self, message_id: str) -> bool:
        """True the first time an id is seen."""
        if message_id in self._seen:
            return False
        self._seen[message_id] = None
        if len(self._seen) > REMEMBERED_IDS:
            self._seen.popitem(last=False)
        return True

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        try:
            event = self.verify(body, dict(request.headers))
        except (WebhookVerificationError, ValueError):
            self.rejected += 1
            return Response("signature not verified", status_code=400)
        message_id = request.headers["webhook-id"]
        first = self.remember(message_id)
        self.on_delivery(Received(message_id, event, duplicate=not first))
        return Response(status_code=204 if first else 200)


def create_app(receiver: Receiver) -> Starlette:
    return Starlette(routes=[Route("/", receiver.handle, methods=["POST"])])


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args(argv)
    secrets = [s.strip() for s in os.environ.get("WEBHOOK_SECRET", "").split(",") if s.strip()]
    if not secrets:
        sys.exit("set WEBHOOK_SECRET to the subscription's whsec_ secret")
    uvicorn.run(create_app(Receiver(secrets)), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
