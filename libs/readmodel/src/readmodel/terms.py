"""The data-sharing terms in force, from the directory read model: for one school, the
narrowest of its partnership's current version and the school's own terms; for a partnership
as a whole (figures about all its schools), the narrowest over its members.

A member whose own terms have not arrived is under the defaults (named within the partnership,
aggregated for its trust and LA, not named for support): a proposal alone never widens
anything. An unknown agreement shares nothing (``None``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from contracts.directory import Visibility

VISIBILITIES = ("partnership_visibility", "trust_visibility", "local_authority_visibility")
DEFAULTS = {
    "partnership_visibility": Visibility.NAMED.value,
    "trust_visibility": Visibility.AGGREGATED.value,
    "local_authority_visibility": Visibility.AGGREGATED.value,
}


class AgreementRow(Protocol):
    partnership_id: uuid.UUID
    partnership_visibility: str
    trust_visibility: str
    local_authority_visibility: str
    suppression_threshold: int


@dataclass(frozen=True)
class Terms:
    partnership_id: uuid.UUID
    partnership_visibility: str
    trust_visibility: str
    local_authority_visibility: str
    suppression_threshold: int
    named_for_support: bool


def _narrower(a: str, b: str) -> str:
    return a if Visibility(a).rank <= Visibility(b).rank else b


def _start(agreement: AgreementRow) -> Terms:
    return Terms(
        partnership_id=agreement.partnership_id,
        partnership_visibility=agreement.partnership_visibility,
        trust_visibility=agreement.trust_visibility,
        local_authority_visibility=agreement.local_authority_visibility,
        suppression_threshold=agreement.suppression_threshold,
        named_for_support=bool(getattr(agreement, "named_for_support", False)),
    )


def _narrow(terms: Terms, school: Any | None) -> Terms:
    """Narrow ``terms`` by a school's own terms, or by the defaults when they are unknown."""
    if school is None:
        bound = dict(DEFAULTS)
        named_for_support = False
        threshold = terms.suppression_threshold
    else:
        bound = {name: str(getattr(school, name)) for name in VISIBILITIES}
        named_for_support = bool(getattr(school, "named_for_support", False))
        threshold = max(terms.suppression_threshold, int(school.suppression_threshold))
    return Terms(
        partnership_id=terms.partnership_id,
        partnership_visibility=_narrower(
            terms.partnership_visibility, bound["partnership_visibility"]
        ),
        trust_visibility=_narrower(terms.trust_visibility, bound["trust_visibility"]),
        local_authority_visibility=_narrower(
            terms.local_authority_visibility, bound["local_authority_visibility"]
        ),
        suppression_threshold=threshold,
        named_for_support=terms.named_for_support and named_for_support,
    )


def for_school(agreement: AgreementRow | None, school: Any | None) -> Terms | None:
    """The terms in force for one member school's reviews."""
    if agreement is None:
        return None
    return _narrow(_start(agreement), school)


def for_partnership(
    agreement: AgreementRow | None, members: Iterable[int], schools: dict[int, Any]
) -> Terms | None:
    """The terms in force for every member at once (figures about the partnership)."""
    if agreement is None:
        return None
    terms = _start(agreement)
    for urn in members:
        terms = _narrow(terms, schools.get(urn))
    return terms
