"""The terms of a data-sharing agreement as values, and the one rule that orders them: a change
that narrows what anyone sees binds every member school at once; a change that widens it binds
a school only once that school consented. Pure: no database, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Protocol

from contracts.directory import Visibility

DEFAULT_SUPPRESSION_THRESHOLD = 5


class HasTerms(Protocol):
    partnership_visibility: Visibility
    trust_visibility: Visibility
    local_authority_visibility: Visibility
    suppression_threshold: int
    named_for_support: bool


@dataclass(frozen=True)
class Terms:
    partnership_visibility: Visibility
    trust_visibility: Visibility
    local_authority_visibility: Visibility
    suppression_threshold: int
    named_for_support: bool

    @classmethod
    def of(cls, source: HasTerms) -> Terms:
        return cls(
            partnership_visibility=Visibility(source.partnership_visibility),
            trust_visibility=Visibility(source.trust_visibility),
            local_authority_visibility=Visibility(source.local_authority_visibility),
            suppression_threshold=source.suppression_threshold,
            named_for_support=source.named_for_support,
        )

    @classmethod
    def parse(cls, values: dict[str, Any]) -> Terms:
        return cls(
            partnership_visibility=Visibility(values["partnership_visibility"]),
            trust_visibility=Visibility(values["trust_visibility"]),
            local_authority_visibility=Visibility(values["local_authority_visibility"]),
            suppression_threshold=int(values["suppression_threshold"]),
            named_for_support=bool(values["named_for_support"]),
        )

    def narrowest(self, other: Terms) -> Terms:
        """What both allow: the lower visibility each way, the higher threshold."""
        return Terms(
            partnership_visibility=self.partnership_visibility.narrowest(
                other.partnership_visibility
            ),
            trust_visibility=self.trust_visibility.narrowest(other.trust_visibility),
            local_authority_visibility=self.local_authority_visibility.narrowest(
                other.local_authority_visibility
            ),
            suppression_threshold=max(self.suppression_threshold, other.suppression_threshold),
            named_for_support=self.named_for_support and other.named_for_support,
        )

    def within(self, other: Terms) -> bool:
        """Shows nothing that ``other`` does not."""
        return self.narrowest(other) == self

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: The cautious terms a school is under before it consents to anything: named within the
#: partnership, aggregated for its trust and LA, threshold 5, not named for support.
DEFAULT_TERMS = Terms(
    partnership_visibility=Visibility.NAMED,
    trust_visibility=Visibility.AGGREGATED,
    local_authority_visibility=Visibility.AGGREGATED,
    suppression_threshold=DEFAULT_SUPPRESSION_THRESHOLD,
    named_for_support=False,
)


def on_join(current: Terms) -> Terms:
    """A school that joins is bound by the current version only as far as the defaults go."""
    return current.narrowest(DEFAULT_TERMS)


def on_new_version(school: Terms, proposed: Terms) -> Terms:
    """A new version narrows a school's terms at once and never widens them."""
    return school.narrowest(proposed)


def on_withdrawal(school: Terms, before_consent: Terms | None) -> Terms:
    """Withdrawing consent narrows at once: to what bound the school before it consented, and
    never wider than the defaults or than its terms now."""
    narrowed = school.narrowest(DEFAULT_TERMS)
    return narrowed if before_consent is None else narrowed.narrowest(before_consent)
