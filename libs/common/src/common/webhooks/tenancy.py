"""Who may receive an event: a subscription's tenancy filter against the event's tenancy.

The filter is what the owner's token could see when it subscribed (LA codes, trusts,
partnerships, schools, and the person the token stands for); an event's tenancy is looked up
by the host (the review's LA, partnership, school, the school's trust and the people on the
review). The filter covers the event when any of its entries names the event's LA, trust,
partnership or school, or its person is one of the event's people, as the token's claims do
for a REST read. A host with finer rules (a data-sharing agreement) passes its own predicate to
:func:`~common.webhooks.fanout.fan_out` as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from common.auth.principal import Principal


@dataclass(frozen=True)
class TenancyFilter:
    la_codes: tuple[str, ...] = ()
    trusts: tuple[str, ...] = ()
    partnerships: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    person_id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> TenancyFilter:
        return cls(
            la_codes=principal.la,
            trusts=principal.trusts,
            partnerships=principal.partnerships,
            schools=principal.schools,
            person_id=principal.person_id,
        )

    @classmethod
    def of_row(cls, subscription: object) -> TenancyFilter:
        def strings(name: str) -> tuple[str, ...]:
            values: Iterable[object] = getattr(subscription, name) or ()
            return tuple(str(v) for v in values)

        return cls(
            la_codes=strings("la_codes"),
            trusts=strings("trusts"),
            partnerships=strings("partnerships"),
            schools=strings("schools"),
            person_id=getattr(subscription, "person_id", None),
        )

    def principal(self, subject: str) -> Principal:
        """The caller this filter stands for, without scopes: what a host's own visibility
        rules (written for REST callers) take."""
        return Principal(
            subject=subject,
            la=self.la_codes,
            trusts=self.trusts,
            partnerships=self.partnerships,
            schools=self.schools,
            person_id=self.person_id,
        )

    @property
    def is_empty(self) -> bool:
        claims = (self.la_codes, self.trusts, self.partnerships, self.schools)
        return not any(claims) and self.person_id is None

    def covers(self, event: EventTenancy) -> bool:
        return (
            (event.la is not None and event.la in self.la_codes)
            or (event.trust is not None and event.trust in self.trusts)
            or (event.partnership is not None and event.partnership in self.partnerships)
            or (event.urn is not None and event.urn in self.schools)
            or (self.person_id is not None and self.person_id in event.people)
        )


@dataclass(frozen=True)
class EventTenancy:
    """Where an event belongs; ``None`` where a level does not apply. ``people`` are the
    persons the event is about as much as its school is (a review's team)."""

    la: str | None = None
    partnership: str | None = None
    urn: str | None = None
    trust: str | None = None
    people: frozenset[str] = frozenset()
