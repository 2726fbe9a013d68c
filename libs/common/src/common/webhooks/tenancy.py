"""Who may receive an event: a subscription's tenancy filter against the event's tenancy.

The filter is what the owner's token could see when it subscribed (LA codes, trusts,
partnerships, schools); an event's tenancy is looked up by the host (the review's LA,
partnership, school and the school's trust). The filter covers the event when any of its
entries names the event's LA, trust, partnership or school, as the token's claims do for a
REST read. A host with finer rules (a data-sharing agreement) passes its own predicate to
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

    @classmethod
    def of(cls, principal: Principal) -> TenancyFilter:
        return cls(
            la_codes=principal.la,
            trusts=principal.trusts,
            partnerships=principal.partnerships,
            schools=principal.schools,
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
        )

    @property
    def is_empty(self) -> bool:
        return not (self.la_codes or self.trusts or self.partnerships or self.schools)

    def covers(self, event: EventTenancy) -> bool:
        return (
            (event.la is not None and event.la in self.la_codes)
            or (event.trust is not None and event.trust in self.trusts)
            or (event.partnership is not None and event.partnership in self.partnerships)
            or (event.urn is not None and event.urn in self.schools)
        )


@dataclass(frozen=True)
class EventTenancy:
    """Where an event belongs; ``None`` where a level does not apply."""

    la: str | None = None
    partnership: str | None = None
    urn: str | None = None
    trust: str | None = None
