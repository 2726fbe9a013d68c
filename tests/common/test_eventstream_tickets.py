"""Stream tickets without a server: replicas sharing STREAM_TICKET_SECRET accept each other's,
nothing else does; a ticket carries the tenancy and only the stream's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.auth.principal import Principal
from common.eventstream.tickets import TicketError, TicketSigner

LEAD = Principal(
    subject="lead",
    scopes=frozenset({"reviews:read", "reviews:write", "directory:write"}),
    partnerships=("0aa10000-0000-4000-8000-000000000001",),
    person_id="0a1b2c3d-0000-4000-8000-000000000001",
)


def test_replicas_sharing_the_secret_accept_each_others_tickets() -> None:
    one = TicketSigner.create("s" * 40, service="reviews", scope="reviews:read")
    two = TicketSigner.create("s" * 40, service="reviews", scope="reviews:read")
    issued = one.issue(LEAD)
    principal = two.redeem(issued.ticket)
    assert principal.subject == "lead"
    assert principal.scopes == frozenset({"reviews:read"})  # only the stream's scope
    assert principal.partnerships == LEAD.partnerships
    assert principal.person_id == LEAD.person_id
    assert issued.expires_at - datetime.now(UTC) <= timedelta(seconds=60)


@pytest.mark.parametrize(
    "other",
    [
        TicketSigner.create("t" * 40, service="reviews", scope="reviews:read"),  # other secret
        TicketSigner.create("s" * 40, service="knowledge", scope="reviews:read"),  # other service
        TicketSigner.create(None, service="reviews", scope="reviews:read"),  # per process
    ],
)
def test_a_ticket_from_elsewhere_is_refused(other: TicketSigner) -> None:
    mine = TicketSigner.create("s" * 40, service="reviews", scope="reviews:read")
    with pytest.raises(TicketError):
        mine.redeem(other.issue(LEAD).ticket)


def test_an_expired_or_mangled_ticket_is_refused() -> None:
    signer = TicketSigner.create("s" * 40, service="reviews", scope="reviews:read")
    old = signer.issue(LEAD, now=datetime.now(UTC) - timedelta(seconds=61)).ticket
    with pytest.raises(TicketError, match="expired"):
        signer.redeem(old)
    for bad in ("", "x" * 5000, signer.issue(LEAD).ticket[:-2]):
        with pytest.raises(TicketError, match="invalid"):
            signer.redeem(bad)
