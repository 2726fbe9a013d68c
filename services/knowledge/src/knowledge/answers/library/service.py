"""Research library use cases: seed, read, create, replace, and suggest sources for themes.
Commits here only."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version, etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, conflict, not_found, validation_failed
from common.logging import get_logger
from contracts.reviews import FindingKind
from knowledge.answers.disclosure.audience import audience_of
from knowledge.answers.library.models import Source, SourceTheme
from knowledge.answers.library.repository import SourceRepository
from knowledge.answers.library.schemas import SourceIn, SourceOut, Suggestion, ThemeMatch
from knowledge.answers.library.stages import fits, stages_of
from knowledge.db import IdempotencyRecord
from knowledge.intake.directory.models import DirectorySchool
from knowledge.intake.review.models import FindingTheme, IngestedReview, ReviewPeople
from knowledge.intake.theme.models import ancestors_of, is_descendant
from knowledge.intake.theme.repository import ThemeRepository

log = get_logger(__name__)

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)
DEFAULT_SOURCES = "default_sources.json"
SCORES = {"exact": 3, "descendant": 2, "ancestor": 1}
AREA = FindingKind.AREA_FOR_DEVELOPMENT.value


def load_default_sources() -> list[dict[str, Any]]:
    text = resources.files("knowledge.answers.library").joinpath(DEFAULT_SOURCES).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    sources: list[dict[str, Any]] = data["sources"]
    return sources


async def seed_default(session: AsyncSession) -> bool:
    """Add the shipped sources the library does not hold (by URL), after the taxonomy is
    seeded, so an upgrade brings the sources added since; a shipped source already held gets
    the shipped stages only if it has none (an editor's stages are kept). False when nothing
    changed."""
    repository = SourceRepository(session)
    changed = False
    for entry in load_default_sources():
        data = SourceIn.model_validate(entry)
        held = await repository.by_url(str(data.url))
        if held is not None:
            if not held.stages and data.stages:
                held.stages = [s.value for s in data.stages]
                changed = True
            continue
        await _check_themes(session, data.theme_codes, field="theme_codes")
        repository.add(_new_source(data))
        changed = True
    await session.commit()
    return changed


def _new_source(data: SourceIn) -> Source:
    values = data.model_dump(mode="json", exclude={"theme_codes", "url"})
    source = Source(**values, url=str(data.url))
    source.themes = [SourceTheme(theme_code=code) for code in data.theme_codes]
    return source


async def _check_themes(session: AsyncSession, codes: Sequence[str], *, field: str) -> None:
    """Every code must be a current theme (retired ones are kept for history only)."""
    found = await ThemeRepository(session).existing_codes(codes)
    errors = []
    for code in codes:
        theme = found.get(code)
        if theme is None:
            errors.append({"field": field, "message": f"No theme {code}."})
        elif theme.retired:
            errors.append({"field": field, "message": f"Theme {code} is retired."})
    if errors:
        raise validation_failed(errors, detail="Unknown or retired theme codes.")


def _duplicate_url(url: str) -> ProblemError:
    detail = f"A source with the URL {url} is already in the library."
    return conflict(detail, type_="source-exists")


async def list_sources(
    session: AsyncSession, params: PageParams, *, theme: str | None, sync: SyncParams
) -> tuple[Sequence[Source], str | None]:
    statement = SourceRepository(session).filtered(theme=theme)
    return await paginate_synced(
        session, statement, sync=sync, updated_at=Source.updated_at, id_=Source.id, params=params
    )


async def get_source(session: AsyncSession, source_id: uuid.UUID) -> Source:
    source = await SourceRepository(session).get(source_id)
    if source is None:
        raise not_found(f"No source {source_id}.")
    return source


async def create_source(
    session: AsyncSession, data: SourceIn, idempotency: IdempotentRequest | None
) -> StoredResponse:
    async def create() -> StoredResponse:
        await _check_themes(session, data.theme_codes, field="body.theme_codes")
        repository = SourceRepository(session)
        if await repository.by_url(str(data.url)) is not None:
            raise _duplicate_url(str(data.url))
        source = repository.add(_new_source(data))
        await session.flush()
        headers = {
            "Location": f"/v1/evidence-library/{source.id}",
            "ETag": etag_for(source.version),
        }
        return StoredResponse.json(201, SourceOut.model_validate(source), headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


async def replace_source(
    session: AsyncSession, source_id: uuid.UUID, data: SourceIn, expected_version: int
) -> Source:
    source = await get_source(session, source_id)
    check_version(source.version, expected_version)
    await _check_themes(session, data.theme_codes, field="body.theme_codes")
    url = str(data.url)
    if url != source.url:
        other = await SourceRepository(session).by_url(url)
        if other is not None and other.id != source.id:
            raise _duplicate_url(url)
    values = {**data.model_dump(mode="json", exclude={"theme_codes", "url"}), "url": url}
    changed = False
    for field, value in values.items():
        if getattr(source, field) != value:
            setattr(source, field, value)
            changed = True
    if source.theme_codes != data.theme_codes:
        source.themes = [SourceTheme(theme_code=code) for code in data.theme_codes]
        changed = True
    if changed:
        source.updated_at = utcnow()  # an UPDATE of the row, so the version moves too
        await session.flush()
    await session.commit()
    return source


def _match(requested: str, source_codes: Sequence[str]) -> ThemeMatch | None:
    """The best match of one requested theme among a source's themes."""
    best: ThemeMatch | None = None
    ancestors = set(ancestors_of(requested))
    for code in source_codes:
        if code == requested:
            kind = "exact"
        elif is_descendant(code, requested):
            kind = "descendant"
        elif code in ancestors:
            kind = "ancestor"
        else:
            continue
        if best is None or SCORES[kind] > SCORES[best.match]:
            best = ThemeMatch(requested=requested, source_theme=code, match=kind)
    return best


async def suggest(
    session: AsyncSession, themes: Sequence[str], *, limit: int, phase: str | None = None
) -> list[Suggestion]:
    """Sources ranked first by whether they are written for a stage a school of ``phase``
    teaches (any source fits when no phase is given), then by how well their themes match:
    exact beats a more specific theme, which beats a broader one; more matched themes rank
    higher; then by title."""
    known = await ThemeRepository(session).existing_codes(themes)
    unknown = [code for code in themes if code not in known]
    if unknown:
        message = f"No theme {', '.join(unknown)}."
        raise validation_failed([{"field": "query.themes", "message": message}])
    school_stages = stages_of(phase)
    ranked: list[tuple[bool, int, int, str, Suggestion]] = []
    for source in await SourceRepository(session).all_sources():
        matches = [m for t in themes if (m := _match(t, source.theme_codes)) is not None]
        if not matches:
            continue
        score = sum(SCORES[m.match] for m in matches)
        exact = sum(1 for m in matches if m.match == "exact")
        fit = fits(source.stages, school_stages)
        suggestion = Suggestion(
            score=score, fits_phase=fit, matches=matches, source=SourceOut.model_validate(source)
        )
        ranked.append((not fit, -score, -exact, source.title, suggestion))
    ranked.sort(key=lambda item: item[:4])
    return [item[4] for item in ranked[:limit]]


async def suggest_for_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, *, limit: int
) -> tuple[list[str], list[Suggestion]]:
    """Sources for a review's areas for development (their theme codes as coded), for the
    Improvement Champion preparing the workshop. The review is visible to its school, to the
    lead and members of a partnership that names its schools, and to the review's Improvement
    Champion, assistant and lead reviewer (``person_id``, from the schedule); else 404."""
    review = await session.get(IngestedReview, review_id)
    if review is None or not await _may_prepare(session, principal, review):
        raise not_found(f"No review {review_id} visible to this client.")
    areas = await session.scalars(
        select(FindingTheme.theme_code)
        .where(FindingTheme.review_id == review_id, FindingTheme.kind == AREA)
        .distinct()
    )
    known = await ThemeRepository(session).existing_codes(sorted(set(areas)))
    themes = sorted(known)
    school = await session.get(DirectorySchool, review.urn)
    phase = None if school is None else school.phase
    return themes, (await suggest(session, themes, limit=limit, phase=phase) if themes else [])


async def _may_prepare(session: AsyncSession, principal: Principal, review: IngestedReview) -> bool:
    audience = await audience_of(session, principal)
    if review.urn in audience.own_urns or review.partnership_id in audience.named_partnerships:
        return True
    people = await session.get(ReviewPeople, review.review_id)
    if people is None or principal.person_id is None:
        return False
    team = {people.improvement_champion, people.assistant, people.lead_reviewer}
    return principal.person_id in {str(p) for p in team if p is not None}
