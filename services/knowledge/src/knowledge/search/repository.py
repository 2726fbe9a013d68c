"""Writes and full-text queries of the search documents. The query is the database's own
full-text search: FTS5 ``MATCH`` ranked by ``bm25`` on SQLite, ``websearch_to_tsquery`` ranked
by ``ts_rank_cd`` on PostgreSQL (GIN index). Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.search.models import SearchDocument


def theme_field(codes: Collection[str]) -> str:
    return "|" + "|".join(sorted(set(codes))) + "|"


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(
        self, review_id: uuid.UUID, doc_kind: str, documents: Sequence[dict[str, Any]]
    ) -> None:
        await self.session.execute(
            delete(SearchDocument).where(
                SearchDocument.review_id == review_id, SearchDocument.doc_kind == doc_kind
            )
        )
        if documents:
            await self.session.execute(insert(SearchDocument), list(documents))

    async def forget_partnership(self, partnership_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(SearchDocument).where(SearchDocument.partnership_id == partnership_id)
        )
