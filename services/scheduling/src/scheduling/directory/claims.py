"""What a token's tenancy claims name, read one way for every rule: the schools it speaks
for, the partnerships it leads and the person it is. Who may see or change a row is decided
from these and our own tables (each aggregate's ``tenancy.py``), never from the request body;
a row the caller may not see is answered 404, as if it did not exist."""

from __future__ import annotations

import uuid

from common.auth import Principal


def urns_of(principal: Principal) -> list[int]:
    """The schools the token speaks for (its numeric ``schools`` claims)."""
    return [int(u) for u in principal.schools if u.isdigit()]


def partnership_ids_of(principal: Principal) -> list[uuid.UUID]:
    """The partnerships the token leads (its ``partnerships`` claims that are UUIDs)."""
    ids = []
    for value in principal.partnerships:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


def person_id_of(principal: Principal) -> uuid.UUID | None:
    """The person the token is, if it names one."""
    if principal.person_id is None:
        return None
    try:
        return uuid.UUID(principal.person_id)
    except ValueError:
        return None
