"""Who the caller is towards the knowledge service: which scopes it sees by name, which only in
aggregate, decided from the token's claims and the directory read model (never the request).

- ``schools``: the school sees itself by name (its own reviews, in any partnership);
- ``partnerships`` (a lead) and the member schools of a partnership see it by name when its
  agreement says ``named``, in aggregate when ``aggregated``, not at all when ``none``;
- ``trusts``: a trust sees the aggregates of its schools' reviews, from the partnerships whose
  agreement gives the trust at least ``aggregated``;
- ``la``: a council sees its LA's aggregates and those of each partnership of the LA whose
  agreement gives the LA at least ``aggregated``, from those partnerships only;
- the ``knowledge:admin`` scope sees the national aggregate (``all``), counted from the
  partnerships that give their LA at least ``aggregated``: national figures are further from the
  school than the LA's, so they never include what the LA may not see.

Nobody sees text or names above the partnership.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from knowledge.cells import ALL, LA, NATIONAL_ID, PARTNERSHIP, TRUST, Scope
from knowledge.intake.directory.repository import DirectoryRepository, names, shares

NATIONAL_SCOPE = "knowledge:admin"
LEVEL = {ALL: 0, LA: 1, TRUST: 2, PARTNERSHIP: 3}
NAMED = "named"
AGGREGATED = "aggregated"


def _urns(principal: Principal) -> frozenset[int]:
    return frozenset(int(u) for u in principal.schools if u.isdigit() and len(u) == 6)


def _uuids(values: tuple[str, ...]) -> frozenset[uuid.UUID]:
    found = set()
    for value in values:
        try:
            found.add(uuid.UUID(value))
        except ValueError:
            continue
    return frozenset(found)


@dataclass(frozen=True)
class Audience:
    own_urns: frozenset[int]
    named_partnerships: frozenset[uuid.UUID]
    aggregated_partnerships: frozenset[uuid.UUID]
    trusts: frozenset[str]
    las: frozenset[str]
    national: bool
    partnership_las: tuple[tuple[uuid.UUID, str], ...]  # of the aggregated partnerships

    @property
    def key(self) -> tuple[object, ...]:
        """Everything the caller's disclosure decisions depend on (besides the data)."""
        return (
            self.own_urns,
            self.named_partnerships,
            self.aggregated_partnerships,
            self.trusts,
            self.las,
            self.national,
            self.partnership_las,
        )

    def view_of(self, scope: Scope) -> str | None:
        """``named``, ``aggregated``, or None (not visible: answered 404)."""
        if scope.kind == PARTNERSHIP:
            partnership = uuid.UUID(scope.id)
            if partnership in self.named_partnerships:
                return NAMED
            return AGGREGATED if partnership in self.aggregated_partnerships else None
        if scope.kind == TRUST:
            return AGGREGATED if scope.id in self.trusts else None
        if scope.kind == LA:
            return AGGREGATED if scope.id in self.las else None
        if scope.kind == ALL:
            return AGGREGATED if self.national else None
        return None

    def aggregated_scopes(self) -> list[Scope]:
        scopes = [Scope(ALL, NATIONAL_ID)] if self.national else []
        scopes += [Scope(LA, la) for la in sorted(self.las)]
        scopes += [Scope(TRUST, trust) for trust in sorted(self.trusts)]
        scopes += [Scope(PARTNERSHIP, str(p)) for p in sorted(self.aggregated_partnerships)]
        return scopes

    def containers(self, scope: Scope) -> list[Scope]:
        """The caller's wider scopes that may contain ``scope`` (assumed to, to be safe: a
        trust may lie within an LA, a partnership within a trust)."""
        found = [Scope(ALL, NATIONAL_ID)] if self.national and scope.kind != ALL else []
        if scope.kind in (TRUST, PARTNERSHIP):
            la_of = dict(self.partnership_las)
            for la in sorted(self.las):
                if scope.kind == TRUST or la_of.get(uuid.UUID(scope.id)) == la:
                    found.append(Scope(LA, la))
        if scope.kind == PARTNERSHIP:
            found += [Scope(TRUST, trust) for trust in sorted(self.trusts)]
        return found

    def parts(self, scope: Scope) -> list[Scope]:
        """The caller's scopes that add up to ``scope``: an LA's partnerships, the nation's LAs
        (a group's remainder covers the parts the caller does not see)."""
        if scope.kind == LA:
            return [
                Scope(PARTNERSHIP, str(p))
                for p, la in sorted(self.partnership_las)
                if la == scope.id
            ]
        if scope.kind == ALL:
            return [Scope(LA, la) for la in sorted(self.las)]
        return []


async def audience_of(session: AsyncSession, principal: Principal) -> Audience:
    directory = DirectoryRepository(session)
    own = _urns(principal)
    known_leads = await directory.partnerships(_uuids(principal.partnerships))
    memberships = await directory.memberships_of(own)
    related = set(known_leads) | {p for ps in memberships.values() for p in ps}
    council = {p.id: p for p in await directory.partnerships_in(principal.la)}
    agreements = await directory.agreements(related | set(council))
    named: set[uuid.UUID] = set()
    aggregated: set[uuid.UUID] = set()
    for partnership_id in related:
        agreement = agreements.get(partnership_id)
        visibility = agreement.partnership_visibility if agreement else None
        if names(visibility):
            named.add(partnership_id)
        elif shares(visibility):
            aggregated.add(partnership_id)
    for partnership_id in council:
        agreement = agreements.get(partnership_id)
        allowed = agreement is not None and shares(agreement.local_authority_visibility)
        if allowed and partnership_id not in named:
            aggregated.add(partnership_id)
    partnerships = {**known_leads, **council}
    partnerships.update(await directory.partnerships(aggregated - set(partnerships)))
    return Audience(
        own_urns=own,
        named_partnerships=frozenset(named),
        aggregated_partnerships=frozenset(aggregated),
        trusts=frozenset(principal.trusts),
        las=frozenset(principal.la),
        national=principal.has_scope(NATIONAL_SCOPE),
        partnership_las=tuple(
            sorted((p, partnerships[p].la_code) for p in aggregated if p in partnerships)
        ),
    )
