"""Stream tickets: how a browser opens the event stream.

A browser's ``EventSource`` cannot send an ``Authorization`` header, and a bearer token in a
URL would end up in logs and histories with its full power. So a page trades its token for a
ticket (``POST /v1/events/stream-tickets``) and opens ``GET /v1/events/stream?ticket=...``.

A ticket is a JWT signed with the service's own HMAC key (``STREAM_TICKET_SECRET``), for this
service's stream only (its audience; the bearer verifier accepts asymmetric keys only, so a
ticket is no token on any other route), valid for :data:`TICKET_TTL_SECONDS`, carrying the
caller's subject and tenancy and only the stream's scope. It may be used again until it
expires (``EventSource`` reconnects by itself, with ``Last-Event-ID``); an open stream is not
cut when it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from pydantic import AwareDatetime, BaseModel, Field

from common.auth.principal import InvalidClaimsError, Principal
from common.clock import utcnow

TICKET_TTL_SECONDS = 60
TICKET_ALGORITHM = "HS256"
TICKET_TYPE = "cf-stream-ticket+jwt"
MAX_TICKET_LENGTH = 4096


class TicketError(Exception):
    """Not a valid ticket for this stream (a 401); ``str(error)`` is safe to show."""


class StreamTicket(BaseModel):
    ticket: str = Field(
        description="Pass as `?ticket=` to `GET /v1/events/stream`; good for nothing else.",
        examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6ImNmLXN0cmVhbS10aWNrZXQrand0In0.e30.c2ln"],
    )
    expires_at: AwareDatetime = Field(
        description="Open the stream before this; an open stream is not cut when it passes.",
        examples=["2026-11-20T09:01:00Z"],
    )


@dataclass(frozen=True)
class TicketSigner:
    """Issues and redeems the tickets of one service's stream."""

    key: bytes
    audience: str
    scope: str
    ttl_seconds: int = TICKET_TTL_SECONDS

    @classmethod
    def create(cls, secret: str | None, *, service: str, scope: str) -> TicketSigner:
        # Hashed: an HMAC key of exactly the hash's size, whatever the secret's length.
        key = hashlib.sha256(secret.encode()).digest() if secret else secrets.token_bytes(32)
        return cls(key=key, audience=f"{service}:events-stream", scope=scope)

    def issue(self, principal: Principal, *, now: datetime | None = None) -> StreamTicket:
        issued = now or utcnow()
        expires = issued + timedelta(seconds=self.ttl_seconds)
        claims: dict[str, Any] = {
            "aud": self.audience,
            "sub": principal.subject,
            "iat": issued,
            "exp": expires,
            "jti": secrets.token_urlsafe(12),
            "scope": self.scope,
            "la": list(principal.la),
            "trusts": list(principal.trusts),
            "partnerships": list(principal.partnerships),
            "schools": list(principal.schools),
        }
        if principal.person_id is not None:
            claims["person_id"] = principal.person_id
        token = jwt.encode(claims, self.key, TICKET_ALGORITHM, headers={"typ": TICKET_TYPE})
        return StreamTicket(ticket=token, expires_at=expires.replace(microsecond=0))

    def redeem(self, ticket: str) -> Principal:
        """The principal a ticket stands for; TicketError when it is not one of ours, is
        for another service, or has expired."""
        if len(ticket) > MAX_TICKET_LENGTH:
            raise TicketError("The stream ticket is invalid.")
        try:
            if jwt.get_unverified_header(ticket).get("typ") != TICKET_TYPE:
                raise TicketError("The stream ticket is invalid.")
            claims = jwt.decode(
                ticket,
                self.key,
                algorithms=[TICKET_ALGORITHM],
                audience=self.audience,
                options={"require": ["exp", "aud", "sub", "jti"]},
            )
            return Principal.from_claims(claims)
        except jwt.ExpiredSignatureError as exc:
            raise TicketError("The stream ticket has expired; get a new one.") from exc
        except (jwt.PyJWTError, InvalidClaimsError) as exc:
            raise TicketError("The stream ticket is invalid.") from exc
