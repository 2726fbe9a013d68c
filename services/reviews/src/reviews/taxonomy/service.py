"""Apply the knowledge service's taxonomy, and check theme codes against it.

Before any taxonomy has arrived (a fresh install whose knowledge service has not published yet)
every code that matches the ``ThemeCode`` pattern is accepted: refusing them would stop every
review from setting a focus until knowledge is up, and the codes are checked against the
taxonomy from the first version on. Once a taxonomy is held, a code it does not contain, or
contains only as retired, is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from common.http.problems import ProblemError, validation_failed
from common.logging import get_logger
from contracts.knowledge import TaxonomyPayload
from reviews.taxonomy.models import CURRENT, TaxonomyTheme, TaxonomyVersion
from reviews.taxonomy.repository import TaxonomyRepository

log = get_logger(__name__)


async def apply_taxonomy(session: AsyncSession, payload: TaxonomyPayload) -> bool:
    """Replace the read model with ``payload`` if it is newer; False for a replay or an older
    version (the inbox drops exact duplicates; this drops older states delivered late)."""
    repository = TaxonomyRepository(session)
    held = await repository.version()
    if held is not None and held.source_version >= payload.version:
        return False
    themes = [
        TaxonomyTheme(code=t.code, label=t.label, parent=t.parent, retired=t.retired)
        for t in payload.themes
    ]
    version = TaxonomyVersion(
        key=CURRENT, source_version=payload.version, published_at=payload.published_at
    )
    await repository.replace(version, themes)
    log.info("taxonomy_applied", version=payload.version, themes=len(themes))
    return True


async def unknown_theme_codes(session: AsyncSession, codes: Sequence[str]) -> list[str]:
    """The codes (in their order) that the taxonomy does not offer: absent or retired. Empty
    before any taxonomy has arrived (see the module's docstring)."""
    repository = TaxonomyRepository(session)
    if await repository.version() is None:
        return []
    themes = await repository.themes(codes)
    return [c for c in codes if c not in themes or themes[c].retired]


async def check_theme_codes(session: AsyncSession, fields: dict[str, Sequence[str]]) -> None:
    """422 naming every unknown or retired code; ``fields`` maps a field path to its codes."""
    errors: list[dict[str, str]] = []
    for field, codes in fields.items():
        for code in await unknown_theme_codes(session, codes):
            errors.append({"field": field, "message": f"Unknown or retired theme code {code!r}"})
    if errors:
        raise _invalid(errors)


def _invalid(errors: list[dict[str, str]]) -> ProblemError:
    codes = ", ".join(e["message"].rsplit(" ", 1)[-1] for e in errors)
    return validation_failed(errors, f"Theme codes not in the current taxonomy: {codes}.")
