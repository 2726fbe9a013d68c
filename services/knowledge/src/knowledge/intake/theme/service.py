"""Theme taxonomy use cases: seed the default, read, add, relabel and retire. Commits here only.

Every edit that changes something makes a new taxonomy version and publishes the whole
taxonomy at that version (``knowledge.taxonomy.updated``) in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.http.etag import check_version, etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, SyncParams, paginate, paginate_synced
from common.http.problems import ProblemError, conflict, not_found, validation_failed
from common.logging import get_logger
from common.messaging import publish
from contracts.events import TenancyPath
from contracts.knowledge import TAXONOMY_UPDATED, TaxonomyPayload
from contracts.knowledge import Theme as ThemeEntry
from knowledge.db import IdempotencyRecord
from knowledge.intake.theme.models import (
    MAX_DEPTH,
    ExpertiseMapping,
    TaxonomyVersion,
    Theme,
    parent_of,
)
from knowledge.intake.theme.repository import ThemeRepository
from knowledge.intake.theme.schemas import ThemeIn, ThemeOut, ThemePatch

log = get_logger(__name__)

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)
DEFAULT_TAXONOMY = "default_taxonomy.json"
# Path segments of /v1/themes/... that are routes, not theme codes.
RESERVED_CODES = frozenset({"versions"})


def load_default_taxonomy() -> dict[str, Any]:
    """The reviewed default shipped in this package."""
    text = resources.files("knowledge.intake.theme").joinpath(DEFAULT_TAXONOMY).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


async def seed_default(session: AsyncSession) -> bool:
    """Seed the shipped taxonomy as version 1 and publish it, unless a version exists.

    Safe to run on every start and from several replicas at once: the version's primary key
    lets only one of them commit (the others fail, roll back and find it seeded).
    """
    repository = ThemeRepository(session)
    if await repository.current_version() > 0:
        return False
    data = load_default_taxonomy()
    # Parents first, so every foreign key points at a row already flushed.
    for entry in sorted(data["themes"], key=lambda e: e["code"].count(".")):
        ThemeEntry(code=entry["code"], label=entry["label"], parent=parent_of(entry["code"]))
        session.add(
            Theme(
                code=entry["code"],
                label=entry["label"],
                parent_code=parent_of(entry["code"]),
                retired=False,
                added_in=1,
                changed_in=1,
            )
        )
        await session.flush()
    for mapping in data["expertise_mapping"]:
        session.add(ExpertiseMapping(**mapping))
    await _publish_new_version(session, "seeded the default taxonomy", expected=1)
    await session.commit()
    log.info("taxonomy_seeded", themes=len(data["themes"]))
    return True


@dataclass
class ThemeListing:
    themes: Sequence[Theme]
    next_cursor: str | None
    taxonomy_version: int
    expertise: dict[str, list[str]]


async def list_themes(
    session: AsyncSession,
    params: PageParams,
    *,
    parent: str | None,
    prefix: str | None,
    include_retired: bool,
    sync: SyncParams,
) -> ThemeListing:
    repository = ThemeRepository(session)
    statement = repository.filtered(parent=parent, prefix=prefix, include_retired=include_retired)
    rows, next_cursor = await paginate_synced(
        session,
        statement,
        sync=sync,
        updated_at=Theme.updated_at,
        id_=Theme.code,
        order_by=(Theme.code,),
        params=params,
    )
    return ThemeListing(
        themes=rows,
        next_cursor=next_cursor,
        taxonomy_version=await repository.current_version(),
        expertise=await repository.expertise_by_theme(),
    )


async def get_theme(session: AsyncSession, code: str) -> tuple[Theme, list[str]]:
    repository = ThemeRepository(session)
    theme = await repository.get(code)
    if theme is None:
        raise not_found(f"No theme {code}.")
    return theme, (await repository.expertise_by_theme()).get(code, [])


def theme_out(theme: Theme, expertise_codes: list[str]) -> ThemeOut:
    return ThemeOut(
        code=theme.code,
        label=theme.label,
        parent=theme.parent_code,
        depth=theme.depth,
        retired=theme.retired,
        expertise_codes=sorted(expertise_codes),
        added_in=theme.added_in,
        changed_in=theme.changed_in,
        version=theme.version,
        updated_at=theme.updated_at,
    )


def _invalid_code(message: str) -> ProblemError:
    return validation_failed([{"field": "body.code", "message": message}])


async def add_theme(
    session: AsyncSession, data: ThemeIn, idempotency: IdempotentRequest | None
) -> StoredResponse:
    """Add a theme under an existing, current parent; publishes a new taxonomy version."""
    if data.code in RESERVED_CODES:
        raise _invalid_code(f"'{data.code}' is reserved.")
    if data.code.count(".") + 1 > MAX_DEPTH:
        raise _invalid_code(f"Themes are at most {MAX_DEPTH} levels deep.")

    async def create() -> StoredResponse:
        repository = ThemeRepository(session)
        if await repository.get(data.code) is not None:
            raise conflict(f"Theme {data.code} already exists.", type_="theme-exists")
        parent = parent_of(data.code)
        if parent is not None:
            parent_theme = await repository.get(parent)
            if parent_theme is None:
                raise conflict(
                    f"No parent theme {parent}: add it first.", type_="parent-theme-missing"
                )
            if parent_theme.retired:
                raise conflict(f"The parent theme {parent} is retired.", type_="parent-retired")
        version = await repository.current_version() + 1
        theme = Theme(
            code=data.code,
            label=data.label,
            parent_code=parent,
            retired=False,
            added_in=version,
            changed_in=version,
        )
        session.add(theme)
        await session.flush()
        await _publish_new_version(session, f"added {data.code}", expected=version)
        headers = {"Location": f"/v1/themes/{theme.code}", "ETag": etag_for(theme.version)}
        return StoredResponse.json(201, theme_out(theme, []), headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


async def patch_theme(
    session: AsyncSession, code: str, patch: ThemePatch, expected_version: int
) -> tuple[Theme, list[str]]:
    """Relabel, retire or reinstate. No change, no new version (and no event)."""
    theme, expertise = await get_theme(session, code)
    check_version(theme.version, expected_version)
    repository = ThemeRepository(session)
    changes: list[str] = []
    if patch.label is not None and patch.label != theme.label:
        changes.append(f"relabelled {code}")
    if patch.retired is not None and patch.retired != theme.retired:
        if patch.retired and await repository.has_active_children(code):
            raise conflict(
                f"Theme {code} has current sub-themes: retire them first.",
                type_="theme-has-children",
            )
        if not patch.retired and theme.parent_code is not None:
            parent = await repository.get(theme.parent_code)
            if parent is not None and parent.retired:
                raise conflict(
                    f"The parent theme {theme.parent_code} is retired: reinstate it first.",
                    type_="parent-retired",
                )
        changes.append(f"{'retired' if patch.retired else 'reinstated'} {code}")
    if not changes:
        return theme, expertise
    version = await repository.current_version() + 1
    if patch.label is not None:
        theme.label = patch.label
    if patch.retired is not None:
        theme.retired = patch.retired
    theme.changed_in = version
    await session.flush()
    await _publish_new_version(session, "; ".join(changes), expected=version)
    await session.commit()
    return theme, expertise


async def list_versions(
    session: AsyncSession, params: PageParams
) -> tuple[Sequence[TaxonomyVersion], str | None]:
    statement = ThemeRepository(session).versions()
    return await paginate(
        session, statement, order_by=(TaxonomyVersion.version,), params=params, descending=True
    )


async def expertise_map(session: AsyncSession) -> tuple[int, Sequence[ExpertiseMapping]]:
    repository = ThemeRepository(session)
    return await repository.current_version(), await repository.mappings()


async def _publish_new_version(session: AsyncSession, change: str, *, expected: int) -> None:
    """Record taxonomy version ``expected`` and publish the whole taxonomy at it. A concurrent
    edit that took the same number fails on the primary key (409, retry)."""
    published_at = utcnow()
    session.add(TaxonomyVersion(version=expected, change=change, published_at=published_at))
    await session.flush()
    themes = await ThemeRepository(session).all_themes()
    payload = TaxonomyPayload(
        version=expected,
        themes=[
            ThemeEntry(code=t.code, label=t.label, parent=t.parent_code, retired=t.retired)
            for t in themes
        ],
        published_at=published_at,
    )
    publish(
        session,
        TAXONOMY_UPDATED,
        payload,
        tenancy=TenancyPath(),
        subject="themes",
        partition_key="taxonomy",
    )
